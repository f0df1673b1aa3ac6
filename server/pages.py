"""Pages for people: the home page, search (HTML and JSON), record and thing pages, and
"cite this" at its own URLs. Views and templates are in views.py and templates/."""
from __future__ import annotations

import json
from urllib.parse import urlencode

from flask import Blueprint, Flask, Response, abort, current_app, redirect, render_template, request
from markupsafe import Markup

from kgpub import ontology
from kgpub.graph import cite, csl, exports
from kgpub.graph.mapping import graph_iri, output_iri
from kgpub.graph.search import SearchError
from kgpub.graph.terms import triples_to_rdflib_graph
from kgpub.server import metadata, reading, thing_views, views
from kgpub.server.documents import Document
from kgpub.server.errors import error_response

bp = Blueprint("pages", __name__)

SEARCH_PAGE_SIZE = 20
SEARCH_FILTERS = ("year", "journal", "subject", "type")
# Services linked from every page once their routes exist (the SPARQL endpoint, dumps, VoID).
SERVICES = (("SPARQL endpoint", "/sparql"), ("Data dumps", "/dumps/"), ("VoID description", "/.well-known/void"))
DOWNLOADS = (("bibtex", "BibTeX", "application/x-bibtex", ".bib"),
             ("ris", "RIS", "application/x-research-info-systems", ".ris"),
             ("csl-json", "CSL-JSON", "application/vnd.citationstyles.csl+json", ".json"))


@bp.get("/")
def home():
    figures = reading.current().store.search.figures()
    return render_template("home.html", figures=figures)


@bp.get("/search")
def search():
    query = request.args.get("q", "")
    filters = {name: request.args[name] for name in SEARCH_FILTERS if request.args.get(name)}
    page = page_number()
    offset = (page - 1) * SEARCH_PAGE_SIZE
    error, results = None, None
    try:
        results = reading.current().store.search.search(query, limit=SEARCH_PAGE_SIZE, offset=offset, **filters)
    except SearchError as err:
        error = str(err)
    if _wants_json():
        if error:
            return error_response(400, "Bad Request", error, kind="application/json")
        return _search_json(results, page)
    more = results is not None and offset + len(results.hits) < results.total
    page_html = render_template(
        "search.html", query=query, filters=filters, results=results, error=error,
        next_href=_search_url(page + 1) if more else None,
        prev_href=_search_url(page - 1) if page > 1 else None,
        alternates=[{"label": "JSON", "media_type": "application/json", "href": _search_url(page, "json")}])
    return Response(page_html, 400 if error else 200, mimetype="text/html", headers={"Vary": "Accept"})


@bp.get("/cite/output/<key>/<style>")
def citation(key: str, style: str):
    read = reading.current()
    base = current_app.config["BASE"]
    try:
        stone = read.documents.tombstone(output_iri(base, key))
        triples = read.store.graph_triples(graph_iri(base, key))
    except ValueError:  # characters no IRI can hold: no record has such a key
        stone, triples = None, []
    if stone is not None and stone.replaced_by:
        survivor = stone.replaced_by.rsplit("/", 1)[-1]
        return redirect(f"{request.script_root}/cite/output/{survivor}/{style}", 301)
    if stone is not None:
        return error_response(410, "Gone", f"The record {stone.iri} was withdrawn from publication "
                                           f"on {stone.invalidated:%d %B %Y}; there is nothing to cite.")
    if not triples:
        abort(404, f"There is no published record with the key {key[:100]!r}.")
    graph = triples_to_rdflib_graph(triples + read.documents.labels_for(triples))
    item = csl.csl_item(graph, output_iri(base, key).value)
    for name, label, media_type, suffix in DOWNLOADS:
        if style == name:
            body = exports.write_file([item], name)
            response = Response(body, mimetype=media_type)
            response.headers["Content-Disposition"] = f'attachment; filename="{key[:80]}{suffix}"'
            return response
    if style not in cite.STYLES:
        abort(404, f"There is no citation style {style[:40]!r}; use one of "
                   + ", ".join([*cite.STYLES, *(d[0] for d in DOWNLOADS)]) + ".")
    if request.args.get("format") == "text":
        return Response(cite.format_citation(item, style, html=False), mimetype="text/plain")
    return Response(cite.format_citation(item, style, html=True), mimetype="text/html")


def render_document(doc: Document, stem: str, alternates: list[dict]) -> str:
    graph = triples_to_rdflib_graph(doc.triples)
    base = current_app.config["BASE"]
    doc_url = f"{base}doc/{stem}"
    if stem.startswith("output/"):
        key = stem.split("/", 1)[1]
        view = views.record_view(graph, doc.thing.value)
        item = csl.csl_item(graph, doc.thing.value)
        return render_template(
            "record.html", view=view, doc_url=doc_url, canonical=doc_url, alternates=alternates,
            highwire=metadata.highwire_tags(view, doc_url),
            schema_json=metadata.script_json(metadata.schema_org(view, doc_url)),
            citations=[(label, Markup(cite.format_citation(item, style))) for style, label in cite.STYLES.items()],
            downloads=[(label, f"{request.script_root}/cite/output/{key}/{name}") for name, label, *_ in DOWNLOADS],
        )
    next_href = f"{request.script_root}/doc/{stem}?page={doc.page + 1}" if doc.has_next else None
    prev_href = f"{request.script_root}/doc/{stem}?page={doc.page - 1}" if doc.page > 1 else None
    return render_template("thing.html", view=thing_views.thing_view(graph, doc.thing.value), canonical=doc_url,
                           alternates=alternates, backlinks=doc.links, total=doc.links_total,
                           next_href=next_href, prev_href=prev_href)


def register_template_globals(app: Flask) -> None:
    """Links in pages go to this server's documents, whatever base the IRIs were minted under."""
    base = app.config["BASE"]
    types = {f"{base}id/type/{t.key}": t.portal_label for t in ontology.pure_types().values()}
    codes = ontology.asjc_codes()

    def href(iri: str) -> str:
        if iri.startswith(base + "id/"):
            return f"{request.script_root}/doc/{iri[len(base) + 3:]}"
        return iri

    routes = {rule.rule for rule in app.url_map.iter_rules()}
    app.jinja_env.globals.update(
        service_links=[(label, path) for label, path in SERVICES if path in routes],
        href=href,
        site_name=app.config["SITE_NAME"],
        asjc_label=lambda code: codes[code].label if code in codes else code,
        asjc_href=lambda code: href(f"{base}id/asjc/{code}"),
        type_label=lambda iri: types.get(iri, iri.rsplit("/", 1)[-1]),
    )


def _search_json(results, page: int) -> Response:
    hits = [{"iri": h.iri, "title": h.title, "authors": list(h.authors), "journal": h.journal_title,
             "year": h.year, "doi": h.doi, "type": h.type_iri, "snippet": h.snippet} for h in results.hits]
    more = (page - 1) * SEARCH_PAGE_SIZE + len(hits) < results.total
    body = {"query": results.query, "total": results.total, "page": page, "hits": hits,
            "next": _search_url(page + 1, "json") if more else None}
    response = Response(json.dumps(body, ensure_ascii=False), mimetype="application/json")
    response.headers["Vary"] = "Accept"
    return response


def _wants_json() -> bool:
    if request.args.get("format") == "json":
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def _search_url(page: int, format: str | None = None) -> str:
    args = {k: v for k, v in request.args.items() if k not in ("page", "format")}
    args["page"] = str(page)
    if format:
        args["format"] = format
    return f"{request.script_root}/search?{urlencode(args)}"


def page_number(maximum: int = 10_000) -> int:
    value = request.args.get("page", "1")
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= maximum:
        abort(400, f"page must be a whole number from 1 to {maximum}, not {value[:40]!r}")
    return int(value)
