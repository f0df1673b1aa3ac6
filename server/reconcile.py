"""OpenRefine reconciliation (Reconciliation Service API 0.2) at /reconcile: match a spreadsheet's
titles, names, journals and subjects to our things, then pull their DOIs, years, journals, authors,
subjects and citation counts into it (docs/serving.md, "Reconciliation (OpenRefine)").

GET /reconcile without parameters is the service manifest; `queries=` (a form field of a POST, or
GET's query string) a batch of reconciliation queries (server/reconcile_match.py finds and scores
the candidates); `extend=` data extension (server/reconcile_extend.py). Beside it: suggest for
entities, types and properties with an entity flyout, an HTML preview per entity, and the
properties proposed per type. What a request may hold, and every limit, is
server/reconcile_schema.py's; server/reconcile_requests.py reads it. A request the specification's
JSON Schemas refuse, or that this service cannot answer (an unknown type or property, text that is
not UTF-8), is a 400 with problem JSON naming the query and field; a batch over `batchSize` a 413,
as the specification allows. JSONP, which 0.2 permits, is not offered: CORS (app.py) serves the
clients in use, and a callback would make every answer here runnable script.
"""
from __future__ import annotations

import json
from importlib import metadata
from urllib.parse import parse_qsl

from flask import Blueprint, Response, current_app, g, render_template, request

from kgpub.graph.namespaces import PREFIXES
from kgpub.graph.search import SearchError
from kgpub.server import reconcile_entities as entities
from kgpub.server.errors import error_response
from kgpub.server.reconcile_extend import entity_name, entity_values, extension, proposed_properties
from kgpub.server.reconcile_match import reconcile
from kgpub.server.reconcile_requests import RequestError, parse_batch, parse_extension
from kgpub.server.reconcile_schema import (KINDS, MAX_BATCH, MAX_SUGGEST_CURSOR, SUGGEST_PAGE, find_type,
                                           properties_of)
from kgpub.server.reconcile_suggest import suggest_entities, suggest_properties, suggest_types
from kgpub.server.request_body import read_body

bp = Blueprint("reconcile", __name__)

ENDPOINT = "/reconcile"
METHODS = "GET, POST, OPTIONS"
PREVIEW_SIZE = (430, 180)  # pixels: the client's iframe
FLYOUT_ROWS = 3
SUGGEST_KINDS = ("output", "journal", "asjc", "person")  # entity suggest without a type: in this order
# A preview is shown inside the client's page: the site's policy (app.py) but for who may frame it.
PREVIEW_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; "
                  "form-action 'none'; frame-ancestors *")


@bp.route(ENDPOINT, methods=["GET", "POST"])
def endpoint():
    queries, extend = parameter("queries"), parameter("extend")
    if queries is not None and extend is not None:
        raise RequestError("send either queries= or extend=, not both")
    if queries is not None:
        return json_response({q.key: {"result": [c.as_json() for c in reconcile(q)]} for q in parse_batch(queries)})
    if extend is not None:
        return json_response(extension(parse_extension(extend)))
    if request.method == "POST":
        raise RequestError("POST a reconciliation batch as the form field queries=, or a data extension query "
                           "as extend= (application/x-www-form-urlencoded); GET without parameters is the manifest")
    return json_response(manifest())


def manifest() -> dict:
    here = service_url()
    base = current_app.config["BASE"]
    return {
        "versions": ["0.2"],
        "name": f"{current_app.config['SITE_NAME']}: research outputs, people, journals and ASJC subjects",
        "identifierSpace": f"{base}id/",
        "schemaSpace": PREFIXES["kgv"],
        "serviceVersion": metadata.version("kgpub"),
        "defaultTypes": [t.reference() for t in KINDS.values()],
        "view": {"url": f"{base}id/{{{{id}}}}"},
        "preview": {"url": f"{here}{ENDPOINT}/preview?id={{{{id}}}}", "width": PREVIEW_SIZE[0],
                    "height": PREVIEW_SIZE[1]},
        "suggest": {
            "entity": {"service_url": here, "service_path": f"{ENDPOINT}/suggest/entity",
                       "flyout_service_path": f"{ENDPOINT}/flyout?id=${{id}}"},
            "type": {"service_url": here, "service_path": f"{ENDPOINT}/suggest/type"},
            "property": {"service_url": here, "service_path": f"{ENDPOINT}/suggest/property"},
        },
        "extend": {
            "propose_properties": {"service_url": here, "service_path": f"{ENDPOINT}/properties"},
            "property_settings": [{"name": "limit", "label": "Limit", "type": "number", "default": 0,
                                   "help_text": "At most this many values per row (0: all of them)"}],
        },
        "batchSize": MAX_BATCH,
    }


@bp.get(f"{ENDPOINT}/suggest/<any(entity, type, property):what>")
def suggest(what: str):
    prefix = parameter("prefix")
    if prefix is None:
        raise RequestError("give the text typed so far as prefix=")
    cursor = whole_number("cursor", 0, MAX_SUGGEST_CURSOR)
    type_id = parameter("type")
    entity_type = find_type(type_id) if type_id else None
    if type_id and entity_type is None:
        raise RequestError(f"there is no type {type_id[:100]!r} here; suggest/type lists them")
    if what == "entity":
        kinds = (entity_type.kind,) if entity_type else SUGGEST_KINDS
        found = suggest_entities(prefix, kinds, cursor + SUGGEST_PAGE)
    elif what == "type":
        found = suggest_types(prefix)
    else:
        found = suggest_properties(prefix, entity_type.kind if entity_type else None)
    return json_response({"result": found[cursor:cursor + SUGGEST_PAGE]})


@bp.get(f"{ENDPOINT}/flyout")
def flyout():
    entity = required("id")
    known = entity_name(entity)
    if known is None:
        return error_response(404, "Not Found", f"there is no entity {entity[:100]!r} here", kind="application/json")
    html = render_template("reconcile_flyout.html", name=known[0], kind=known[1],
                           rows=property_rows(entity)[:FLYOUT_ROWS])
    return json_response({"id": entity, "html": html})


@bp.get(f"{ENDPOINT}/preview")
def preview():
    entity = required("id")
    known = entity_name(entity)
    if known is None:
        return error_response(404, "Not Found", f"there is no entity {entity[:100]!r} here", kind="text/html")
    page = render_template("reconcile_preview.html", entity=entity, name=known[0], kind=known[1],
                           iri=entities.entity_iri(entity).value, rows=property_rows(entity))
    response = Response(page, mimetype="text/html")
    response.headers["Content-Security-Policy"] = PREVIEW_POLICY
    return response


@bp.get(f"{ENDPOINT}/properties")
def properties():
    limit = whole_number("limit", 0, 1000)
    return json_response(proposed_properties(required("type"), limit or None))


def property_rows(entity: str) -> list[tuple[str, list[str]]]:
    """(property name, its values as text) for each property the entity has a value of."""
    values = entity_values(entity)
    rows = []
    for prop in properties_of(entities.kind_of(entity) or ""):
        texts = [str(v.get("name", v.get("str", v.get("int", "")))) for v in values(prop)]
        if texts:
            rows.append((prop.name, texts))
    return rows


# --- reading requests, writing answers ------------------------------------------------------------

def parameter(name: str) -> str | None:
    """The first value of a parameter, from the query string or a form body, read as UTF-8."""
    return next((value for key, value in parameters() if key == name), None)


def required(name: str) -> str:
    value = parameter(name)
    if not value:
        raise RequestError(f"{name}= is required")
    return value


def parameters() -> list[tuple[str, str]]:
    found = g.get("reconcile_parameters")
    if found is None:
        found = decoded(request.query_string, "the query string")
        if request.method == "POST" and request.mimetype == "multipart/form-data":
            found += list(request.form.items(multi=True))
        elif request.method == "POST" and request.mimetype in ("application/x-www-form-urlencoded", ""):
            found += decoded(read_body(current_app.config["MAX_CONTENT_LENGTH"]), "the request body")
        g.reconcile_parameters = found
    return found


def decoded(raw: bytes, where: str) -> list[tuple[str, str]]:
    """URL-encoded pairs whose bytes, escaped or not, are UTF-8: anything else is refused rather
    than read with replacement characters that would then be searched for."""
    try:
        return parse_qsl(raw.decode("utf-8"), keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise RequestError(f"{where} is not UTF-8 (percent-encode the UTF-8 bytes of the text)") from None


def whole_number(name: str, default: int, maximum: int) -> int:
    value = parameter(name)
    if value is None or value == "":
        return default
    if not (value.isascii() and value.isdigit()) or int(value) > maximum:
        raise RequestError(f"{name} must be a whole number from 0 to {maximum}, not {value[:40]!r}")
    return int(value)


def json_response(body: dict) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), mimetype="application/json")


@bp.errorhandler(RequestError)
def refused(err: RequestError) -> Response:
    title = "Content Too Large" if err.status == 413 else "Bad Request"
    return error_response(err.status, title, str(err), kind="application/json")


@bp.errorhandler(SearchError)
def search_refused(err: SearchError) -> Response:
    return error_response(400, "Bad Request", str(err), kind="application/json")


@bp.after_request
def allow_cross_origin_posts(response: Response) -> Response:
    """OpenRefine and web clients POST batches from other origins (the spec requires CORS)."""
    response.headers["Access-Control-Allow-Methods"] = METHODS
    return response


def service_url() -> str:
    """Where this service answers, as the client reached it (suggest, preview and extension URLs)."""
    return request.host_url.rstrip("/") + request.script_root
