"""Dereferencing (Cool URIs): /id/{kind}/{key} answers 303 to its document /doc/{kind}/{key},
which negotiates HTML and the RDF formats, with the headers Linked Data clients rely on."""
from __future__ import annotations

import hashlib
import re
import string
from urllib.parse import quote, unquote_to_bytes, urlsplit

from flask import Blueprint, Response, abort, current_app, redirect, request, send_file
from pyoxigraph import Literal, NamedNode, Triple

from kgpub import ontology
from kgpub.graph.lifecycle import Tombstone
from kgpub.graph import iris
from kgpub.graph.mapping import DOI_RESOLVER
from kgpub.graph.namespaces import OWL, RDFS
from kgpub.server import page_cache, record_page, signposting, site_pages, snapshot_view, thing_page
from kgpub.server.rdf_documents import Document
from kgpub.server.errors import error_response
from kgpub.server.negotiation import (FORMATS, Choice, Format, NegotiationError, choose, split_suffix,
                                     variants_message)
from kgpub.server.representations import CONTEXT_PATH, rdf_bytes

bp = Blueprint("linked_data", __name__)

MAX_PATH = 1024
ESCAPES = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")
CACHE_CONTROL = "public, max-age=300"


@bp.get("/id/<path:_path>")
def thing(_path: str):
    stem = checked_stem(request_path(), "/id/")
    kind, key = split_kind(stem)
    view = snapshot_view.current()
    if kind == "output":
        stone = view.documents.tombstone(thing_of(stem))
        if stone is not None:
            return gone_or_moved(stone, negotiate(stem), stem, "/id/")
    if not exists(view, kind, key, thing_of(stem)):
        return not_found(stem)
    response = redirect(f"{request.script_root}{iris.document_path(stem)}{query_suffix()}", 303)
    response.headers["Vary"] = "Accept"
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.headers["Link"] = f'<{request.script_root}{iris.document_path(stem)}>; rel="describedby"'
    return response


@bp.get("/doc/<path:_path>")
def document(_path: str):
    stem, suffix_format = split_suffix(checked_stem(request_path(), "/doc/"))
    kind, key = split_kind(stem)
    choice = negotiate(stem, suffix_format)
    view = snapshot_view.current()
    cache_key = (request_path(), request.query_string, request.host_url, choice.format.name, choice.profile)
    cached = view.responses.get(cache_key)
    if cached is not None:
        return cached_response(*cached)
    thing_iri, doc_iri = thing_of(stem), iris.document(current_app.config["BASE"], stem)
    if kind == "output":
        stone = view.documents.tombstone(thing_iri)
        if stone is not None:
            return gone_or_moved(stone, choice, stem, "/doc/", suffix_format)
        doc = view.documents.output(key, doc_iri, view.snapshot_time)
    else:
        doc = view.documents.thing(thing_iri, doc_iri, site_pages.page_number(1_000_000), view.snapshot_time)
    if doc is None or (doc.page > 1 and not doc.links):
        return not_found(stem, choice)
    response = represent(doc, choice, stem)
    view.responses.put(cache_key, (response.get_data(), dict(response.headers)))
    return response.make_conditional(request)


def cached_response(body: bytes, headers: dict) -> Response:
    response = Response(body, headers=headers)
    return response.make_conditional(request)


@bp.get(CONTEXT_PATH)
def jsonld_context():
    response = send_file(ontology.JSONLD_CONTEXT_V1, mimetype="application/ld+json", max_age=31536000)
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


def represent(doc: Document, choice: Choice, stem: str) -> Response:
    fmt = choice.format
    if fmt.rdf_format is None and stem.startswith("output/"):
        text, link = record_page_and_links(doc, stem)
        body = text.encode("utf-8")
    elif fmt.rdf_format is None:
        body = thing_page.render(doc, stem, alternates(stem, doc.page)).encode("utf-8")
        link = ", ".join(link_header(doc, stem))
    else:
        body = rdf_bytes(doc.triples, fmt, context_url(), choice.profile)
        link = record_links(doc, stem) if stem.startswith("output/") else ", ".join(link_header(doc, stem))
    response = Response(body, mimetype=fmt.media_type)
    if fmt.media_type.startswith("text/"):
        response.mimetype_params["charset"] = "utf-8"
    response.headers["Vary"] = "Accept"
    response.headers["Content-Location"] = variant_url(stem, fmt, doc.page)
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.headers["Link"] = link
    response.set_etag(hashlib.sha256(body).hexdigest()[:32] + fmt.name)
    if doc.modified is not None:
        response.last_modified = doc.modified
    return response


def record_page_and_links(doc: Document, stem: str) -> tuple[str, str]:
    """A record's page and its Link header, made once for what they are made from (page_cache.py):
    a record page takes ~15 ms to make, ~0.5 ms to find."""
    return page_cache.kept(doc.triples, stem, lambda: (record_page.render(doc, stem, alternates(stem, doc.page)),
                                                       ", ".join(link_header(doc, stem))))


def record_links(doc: Document, stem: str) -> str:
    """A record document's Link header, kept as its page is: its Signposting reads the whole record."""
    return page_cache.kept(doc.triples, f"links/{stem}", lambda: ("", ", ".join(link_header(doc, stem))))[1]


def link_header(doc: Document, stem: str) -> list[str]:
    """The alternates and pages of a document; Signposting (signposting.py) for a research output,
    describedby and cite-as for anything else."""
    base = current_app.config["BASE"]
    links = [f'<{base}doc/{stem}>; rel="canonical"']
    for fmt in FORMATS:
        target = variant_url(stem, fmt, doc.page)
        links.append(f'<{target}>; rel="alternate"; type="{fmt.media_type}"')
        if fmt.rdf_format is not None and not stem.startswith("output/"):
            links.append(f'<{target}>; rel="describedby"; type="{fmt.media_type}"')
    if stem.startswith("output/"):
        links += [post.header() for post in signposting.record_signposts(doc.triples, doc.thing.value, base)]
    else:
        doi = next((t.object.value for t in doc.triples if t.subject == doc.thing and t.predicate == OWL.sameAs
                    and t.object.value.startswith(DOI_RESOLVER)), None)
        links.append(f'<{doi or doc.thing.value}>; rel="cite-as"')
    if doc.page > 1:
        links.append(f'<{page_url(stem, doc.page - 1)}>; rel="prev"')
    if doc.has_next:
        links.append(f'<{page_url(stem, doc.page + 1)}>; rel="next"')
    return links


def alternates(stem: str, page: int = 1) -> list[dict]:
    return [{"label": f.label, "media_type": f.media_type, "href": variant_url(stem, f, page)}
            for f in FORMATS if f.rdf_format is not None]


def variant_url(stem: str, fmt: Format, page: int = 1) -> str:
    """One representation's own URL; pages after the first keep their number."""
    return f"{request.script_root}/doc/{stem}{fmt.suffix}" + (f"?page={page}" if page > 1 else "")


def context_url() -> str:
    """Our JSON-LD context on this server, as the client reached it (so it resolves from there)."""
    return request.host_url.rstrip("/") + request.script_root + CONTEXT_PATH


def query_suffix() -> str:
    query = request.query_string.decode("latin-1")
    return f"?{query}" if query else ""


def page_url(stem: str, page: int) -> str:
    return f"{request.script_root}/doc/{stem}?page={page}"


def gone_or_moved(stone: Tombstone, choice: Choice, stem: str, prefix: str,
                  suffix_format: Format | None = None) -> Response:
    if stone.replaced_by:
        survivor = stone.replaced_by.rsplit("/", 1)[-1]
        suffix = suffix_format.suffix if suffix_format else ""
        response = redirect(f"{request.script_root}{prefix}output/{survivor}{suffix}{query_suffix()}", 301)
        response.headers["Vary"] = "Accept"
        response.headers["Cache-Control"] = CACHE_CONTROL
        return response
    when = f"{stone.invalidated:%d %B %Y}"
    message = f"This record was withdrawn from publication on {when}" + (f": {stone.reason}" if stone.reason else ".")
    if choice.format.rdf_format is None:
        return error_response(410, "Gone", message, [("Search the remaining records", f"{request.script_root}/search")],
                              headers={"Cache-Control": CACHE_CONTROL})
    response = Response(rdf_bytes(stone.triples(), choice.format, context_url(), choice.profile), 410,
                        mimetype=choice.format.media_type)
    response.headers["Vary"] = "Accept"
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


def not_found(stem: str, choice: Choice | None = None) -> Response:
    """404 as the client asked: a page, or for RDF clients a document saying so in their format."""
    message = f"There is nothing published at /id/{stem}."
    if choice is None:
        try:
            choice = negotiate(stem)
        except NegotiationError:
            choice = None
    if choice is None or choice.format.rdf_format is None:  # the address asked for; the header links home and search
        return error_response(404, "Not Found", f"There is nothing published at {request.script_root}{request.path}. "
                              "Check the address, or search the records.")
    statement = [Triple(iris.document(current_app.config["BASE"], stem), RDFS.comment, Literal(message))]
    response = Response(rdf_bytes(statement, choice.format, context_url(), choice.profile), 404,
                        mimetype=choice.format.media_type)
    response.headers["Vary"] = "Accept"
    return response


def negotiate(stem: str, suffix_format: Format | None = None) -> Choice:
    try:
        return choose(request.headers.get("Accept"), request.args.get("format"), suffix_format)
    except NegotiationError as err:
        if err.status != 406:
            raise
        raise NegotiationError(406, f"{err}\n{variants_message(f'{request.script_root}/doc/{stem}')}") from None


def exists(view: snapshot_view.SnapshotView, kind: str, key: str, thing_iri: NamedNode) -> bool:
    if kind == "output":
        return view.store.graph_digest(iris.record_graph(current_app.config["BASE"], key)) is not None
    return next(view.store.triples(thing_iri), None) is not None


def request_path() -> str:
    """The path as the client sent it, normalised as RFC 3986 §6.2.2 allows, without the prefix a
    proxy mounts us under. Escaped reserved characters stay escaped (an issue '3%2F4' is one
    segment, as in its IRI); escaped letters, digits and letters beyond ASCII are decoded, since
    IRIs hold them as they are ('bæredygtighed')."""
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    if raw:
        try:  # WSGI hands the request line over as Latin-1; clients send UTF-8
            path = urlsplit(raw.encode("latin-1").decode("utf-8")).path
        except UnicodeError:
            abort(400, "The path is not UTF-8.")
    else:
        path = quote(request.path, safe="/:@!$&'()*+,;=-._~%")
    path = ESCAPES.sub(_normalise_escapes, path)
    root = request.script_root
    return path[len(root):] if root and path.startswith(root) else path


def _normalise_escapes(match: re.Match) -> str:
    try:
        text = unquote_to_bytes(match.group(0)).decode("utf-8")
    except UnicodeError:
        return match.group(0).upper()  # not UTF-8: it names no IRI here, and finds nothing
    return "".join(c if ord(c) > 127 or c in UNRESERVED else f"%{ord(c):02X}" for c in text)


def checked_stem(path: str, prefix: str) -> str:
    stem = path[len(prefix):] if path.startswith(prefix) else ""
    if len(stem) > MAX_PATH:
        abort(414, f"The path is longer than {MAX_PATH} characters; no IRI here is that long.")
    segments = stem.split("/")
    if any(s in ("", ".", "..") for s in segments):
        abort(400, "The path has an empty, '.' or '..' segment; IRIs here have none.")
    try:
        thing_of(stem)
    except ValueError:
        abort(400, "The path has characters an IRI cannot hold (such as spaces, quotes or angle brackets); "
                   "percent-encode them.")
    return stem


def split_kind(stem: str) -> tuple[str, str]:
    found = iris.kind_and_key(stem)
    if found is None:
        abort(404, f"There is nothing published at /id/{stem}: things here are "
                   + ", ".join(f"/id/{k}/…" for k in iris.KINDS) + ".")
    return found


def thing_of(stem: str) -> NamedNode:
    """The thing a request path names: `{base}id/{stem}`."""
    kind, _, key = stem.partition("/")
    return iris.thing(current_app.config["BASE"], kind, key)
