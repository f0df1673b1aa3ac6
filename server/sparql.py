"""/sparql: the SPARQL 1.1 Protocol (query by GET, form POST or direct POST; updates for the
admin), with the Service Description on a bare GET and the query page for browsers.

The protocol's rules live here: which parameters, which bodies, which errors. Queries themselves
run in query processes (query_process.py) under a hard time limit; the default graph is the
union of all graphs unless the query or the request names a dataset (docs/sparql.md).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, Response, abort, current_app, request

from kgpub.server import (auth, linked_data, metrics, negotiation, query_budget, query_limits, query_page,
                          query_runner, self_description, sparql_formats)
from kgpub.server.errors import error_response
from kgpub.server.query_limits import QueryRefused
from kgpub.server.query_process import QueryJob
from kgpub.server.representations import rdf_bytes
from kgpub.server.sparql_update import sparql_update

bp = Blueprint("sparql", __name__)

ENDPOINT = "/sparql"
FORM = "application/x-www-form-urlencoded"
QUERY_BODY = "application/sparql-query"
UPDATE_BODY = "application/sparql-update"
ENDPOINT_METHODS = "GET, HEAD, POST, OPTIONS"


@dataclass
class Operation:
    kind: str | None  # "query", "update", or None for a bare GET
    text: str = ""
    params: dict[str, list[str]] = field(default_factory=dict)  # dataset parameters, by name

    def graphs(self, name: str) -> tuple[str, ...] | None:
        return tuple(self.params[name]) if self.params.get(name) else None


@bp.route(ENDPOINT, methods=["GET", "POST"], strict_slashes=False)
def endpoint():
    operation = read_operation()
    if operation.kind is None:
        return describe_service()
    if operation.kind == "update":
        return sparql_update(operation, endpoint_url())
    return answer_query(operation)


def read_operation() -> Operation:
    if request.method in ("GET", "HEAD"):  # Flask answers HEAD with GET's headers, no body
        if "update" in request.args:
            abort(400, "SPARQL updates must be sent with POST, not GET")
        return _operation(request.args.to_dict(flat=False), None)
    media_type = request.mimetype
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        abort(415, f"the request body must be UTF-8, not {charset}")
    auth.upload_body()  # read whole (bounded, also when chunked) before the form is parsed
    if media_type == FORM:
        params = request.args.to_dict(flat=False)
        for name, values in request.form.to_dict(flat=False).items():
            params.setdefault(name, []).extend(values)
        return _operation(params, None)
    if media_type in (QUERY_BODY, UPDATE_BODY):
        kind = "query" if media_type == QUERY_BODY else "update"
        try:
            text = request.get_data().decode("utf-8")  # cached by read_body
        except UnicodeDecodeError:
            abort(400, "the request body is not valid UTF-8")
        return _operation(request.args.to_dict(flat=False), (kind, text))
    if not media_type:
        abort(415, f"a POST to {ENDPOINT} needs a Content-Type: {FORM}, {QUERY_BODY} or {UPDATE_BODY}")
    abort(415, f"{media_type} is not a SPARQL request; use {FORM}, {QUERY_BODY} or {UPDATE_BODY}")


def _operation(params: dict[str, list[str]], body: tuple[str, str] | None) -> Operation:
    texts = {kind: params.pop(kind, []) for kind in ("query", "update")}
    if body:
        texts[body[0]].append(body[1])
    found = [(kind, text) for kind, values in texts.items() for text in values]
    if len(found) > 1:
        abort(400, "a request carries one query or one update, not " + " and ".join(k for k, _ in found))
    if not found:
        return Operation(None, params=params)
    kind, text = found[0]
    limit = current_app.config["SPARQL_MAX_QUERY_BYTES"]
    if len(text.encode("utf-8")) > limit:
        abort(413, f"the {kind} is longer than {limit} bytes")
    return Operation(kind, text, params)


def answer_query(operation: Operation) -> Response:
    try:
        services = query_limits.check(operation.text, endpoint_url(), current_app.config)
    except QueryRefused as err:
        metrics.count_refused("limits")
        return error_response(400, "Bad Request", str(err), kind="text/plain")
    client = query_budget.client_of(request.remote_addr)
    budget = query_budget.for_app(current_app)
    if (wait := budget.retry_after(client)) is not None:
        metrics.count_refused("budget")
        return error_response(429, "Too Many Requests", f"this client has used its "
                              f"{current_app.config['QUERY_BUDGET']:g} seconds of query time a minute; try "
                              f"again in {wait} seconds", headers={"Retry-After": str(wait)}, kind="text/plain")
    choice = sparql_formats.choose(request.headers.get("Accept"),
                                   request.values.get("format") or request.values.get("output"))
    job = QueryJob(operation.text, operation.graphs("default-graph-uri"), operation.graphs("named-graph-uri"),
                   choice.results, choice.graph, current_app.config["SPARQL_MAX_ROWS"], endpoint_url(),
                   tuple(services))
    return query_runner.run(job, client, lambda used: budget.charge(client, used))


def describe_service() -> Response:
    """A bare GET: the query page for people, the Service Description for programs."""
    choice = negotiation.choose(request.headers.get("Accept"), request.args.get("format"), None)
    if choice.format.rdf_format is None:
        return query_page.render()
    triples = self_description.service_description(endpoint_url())
    body = rdf_bytes(triples, choice.format, linked_data.context_url())
    response = Response(body, mimetype=choice.format.media_type)
    response.headers["Vary"] = "Accept"
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


def endpoint_url() -> str:
    """The endpoint's IRI: on the published base, as the rest of the data's IRIs."""
    return current_app.config["BASE"] + ENDPOINT.lstrip("/")


@bp.after_request
def allow_cross_origin_queries(response: Response) -> Response:
    """Web clients (YASGUI elsewhere, Comunica in a browser) POST queries from other origins."""
    response.headers["Access-Control-Allow-Methods"] = ENDPOINT_METHODS
    response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type, Authorization, If-None-Match"
    return response
