"""Resolve by external identifier: /resolve?doi=… (or orcid, issn, isbn, pure) → our IRI.

Other graphs hold DOIs and ORCIDs, not our keys. The value is read the way the importers read it
(graph/importers: any DOI form, `doi:` and https://doi.org/ included, any case; an ORCID bare or as
a URL; an ISSN with or without its hyphen; an ISBN-10 or -13, hyphens or not, found under either
length), every check digit checked (python-stdnum) and looked up through the identifier nodes of the store (index
lookups, any backend). One thing → 303 to its IRI; several → 300 listing them (HTML, JSON,
text/uri-list or any RDF format); none → 404; a malformed value → 400 naming the problem.
Paths like /id/doi/{doi} are not answered: an identifier scheme is not a kind of thing here, and
one query parameter per scheme keeps the DOI's own slashes out of the path (docs/serving.md).
"""
from __future__ import annotations

import json
import uuid

from flask import Blueprint, Response, current_app, redirect, render_template, request
from pyoxigraph import Literal, NamedNode, Triple
from stdnum import isbn, issn
from stdnum.iso7064 import mod_11_2

from kgpub.graph.importers.fields import orcid
from kgpub.graph.importers.text import clean_doi, clean_issn
from kgpub.graph.namespaces import DATACITE, LITERAL, RDFS
from kgpub.server import snapshot_view
from kgpub.server.errors import error_response
from kgpub.server.negotiation import FORMATS
from kgpub.server.representations import rdf_bytes

bp = Blueprint("resolver", __name__)

MAX_VALUE = 300
LISTS = ["text/html", "application/json", "text/uri-list"] + [f.media_type for f in FORMATS if f.rdf_format]


def _isbn_forms(value: str) -> list[str] | None:
    """The ISBN as a record may keep it: ISBN-10 or -13 (the form its source gave), digits only or
    hyphenated (python-stdnum converts and hyphenates)."""
    if not isbn.is_valid(value.strip()):
        return None
    lengths = {isbn.to_isbn13(value.strip())}
    if lengths.copy().pop().startswith("978"):
        lengths.add(isbn.to_isbn10(value.strip()))
    return sorted({form for number in lengths for form in (isbn.compact(number), isbn.format(number))})


def _one(reader):
    return lambda value: [v] if (v := reader(value)) else None


def _orcid(value: str) -> str | None:
    """An ORCID iD whose check character is right (ISO 7064 MOD 11-2, as ORCID says)."""
    bare = orcid(value)
    return bare if bare and mod_11_2.is_valid(bare.replace("-", "")) else None


def _issn(value: str) -> str | None:
    return clean_issn(value) if issn.is_valid(value.strip()) else None


# scheme parameter -> (how a value is read into the stored forms, the datacite schemes it may have)
SCHEME_LABELS = (("doi", "DOI", "10.1021/acs.orglett.9b00971"), ("orcid", "ORCID", "0000-0002-4149-0494"),
                 ("issn", "ISSN", "1523-7060"), ("isbn", "ISBN", "978-3-16-148410-0"),
                 ("pure", "Pure UUID", "8f0c8c3a-…"))
SCHEMES = {
    "doi": (_one(clean_doi), (DATACITE.doi,)),
    "orcid": (_one(_orcid), (DATACITE.orcid,)),
    "issn": (_one(_issn), (DATACITE.issn, DATACITE.eissn)),
    "isbn": (_isbn_forms, (DATACITE.isbn,)),
    "pure": (_one(lambda v: str(uuid.UUID(v.strip())) if _is_uuid(v) else None),
             (DATACITE["local-resource-identifier-scheme"],)),
}


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value.strip())
        return True
    except ValueError:
        return False


@bp.get("/resolve")
def resolve():
    given = [(name, request.args.get(name, "")) for name in SCHEMES if name in request.args]
    if not request.args and request.accept_mimetypes.best_match(["text/html", "application/json"]) == "text/html":
        # a person who followed the home page's link: a form for each scheme
        return render_template("resolve.html", schemes=SCHEME_LABELS)
    if len(given) != 1:
        return bad_request("give exactly one of " + ", ".join(f"{name}=" for name in SCHEMES))
    scheme, value = given[0]
    if not value.strip() or len(value) > MAX_VALUE or not value.isprintable():
        return bad_request(f"{scheme}= must be a short line of text")
    read, datacite_schemes = SCHEMES[scheme]
    forms = read(value)
    if not forms:
        return bad_request(f"{value!r} is not a valid {scheme.upper()}")
    things = find(forms, datacite_schemes)
    if not things:
        return error_response(404, "Not Found", f"nothing here has the {scheme.upper()} {forms[0]}")
    if len(things) == 1:
        response = redirect(local_path(things[0]), 303)
        response.headers["Cache-Control"] = "public, max-age=300"
        return response
    return several(things, f"{scheme.upper()} {forms[0]}")


def find(forms: list[str], schemes: tuple[NamedNode, ...]) -> list[str]:
    """The things with an identifier of one of these schemes holding one of these values."""
    store = snapshot_view.current().store
    found = set()
    for form in forms:
        for node in store.subjects(LITERAL.hasLiteralValue, Literal(form)):
            if store.objects(node, DATACITE.usesIdentifierScheme) & set(schemes):
                found |= {owner.value for owner in store.subjects(DATACITE.hasIdentifier, node)}
    return sorted(found)


def local_path(iri: str) -> str:
    base = current_app.config["BASE"]
    return request.script_root + "/" + iri[len(base):] if iri.startswith(base) else iri


def several(things: list[str], what: str) -> Response:
    """300 Multiple Choices, the list in the form the client prefers."""
    kind = request.accept_mimetypes.best_match(LISTS, default="text/html")
    if kind == "application/json":
        body = json.dumps({"identifier": what, "matches": things})
    elif kind == "text/uri-list":
        body = "".join(f"{iri}\r\n" for iri in things)
    elif kind == "text/html":
        body = render_template("error.html", status=300, title="Multiple Choices",
                               message=f"{len(things)} things here have the {what}:",
                               links=[(iri, local_path(iri)) for iri in things])
    else:
        fmt = next(f for f in FORMATS if f.media_type == kind)
        here = NamedNode(request.url)
        body = rdf_bytes([Triple(here, RDFS.seeAlso, NamedNode(iri)) for iri in things], fmt, "")
    response = Response(body, 300, mimetype=kind)
    response.headers["Vary"] = "Accept"
    response.headers["Link"] = ", ".join(f'<{local_path(iri)}>; rel="alternate"' for iri in things)
    return response


def bad_request(message: str) -> Response:
    return error_response(400, "Bad Request", message)
