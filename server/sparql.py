"""/sparql: the SPARQL 1.1 Protocol (query by GET, form POST or direct POST; updates for the
admin), with the Service Description on a bare GET and the query page for browsers.

The protocol's rules live here: which parameters, which bodies, which errors. Queries themselves
run in query processes (query_process.py) under a hard time limit; the default graph is the
union of all graphs unless the query or the request names a dataset (docs/sparql.md).
"""
from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass, field

from flask import Blueprint, Response, abort, current_app, request

from kgpub.server import (linked_data, metrics, negotiation, query_page, query_process, reading, self_description,
                          sparql_formats)
from kgpub.server.errors import error_response
from kgpub.server.query_process import QueryJob, QueryPool, QueryTimeout
from kgpub.server.representations import rdf_bytes

bp = Blueprint("sparql", __name__)

ENDPOINT = "/sparql"
POOL = "kgpub.query_pool"
FORM = "application/x-www-form-urlencoded"
QUERY_BODY = "application/sparql-query"
UPDATE_BODY = "application/sparql-update"
ENDPOINT_METHODS = "GET, HEAD, POST, OPTIONS"
_pool_lock = threading.Lock()


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
        from kgpub.server import admin  # the write side, only when someone writes

        return admin.sparql_update(operation)
    return answer_query(operation)


def read_operation() -> Operation:
    if request.method == "GET":
        if "update" in request.args:
            abort(400, "SPARQL updates must be sent with POST, not GET")
        return _operation(request.args.to_dict(flat=False), None)
    media_type = request.mimetype
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        abort(415, f"the request body must be UTF-8, not {charset}")
    if media_type == FORM:
        params = request.args.to_dict(flat=False)
        for name, values in request.form.to_dict(flat=False).items():
            params.setdefault(name, []).extend(values)
        return _operation(params, None)
    if media_type in (QUERY_BODY, UPDATE_BODY):
        kind = "query" if media_type == QUERY_BODY else "update"
        try:
            text = request.get_data().decode("utf-8")
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
    choice = sparql_formats.choose(request.headers.get("Accept"),
                                   request.values.get("format") or request.values.get("output"))
    job = QueryJob(operation.text, operation.graphs("default-graph-uri"), operation.graphs("named-graph-uri"),
                   choice.results, choice.graph, current_app.config["SPARQL_MAX_ROWS"], endpoint_url())
    timeout = current_app.config["QUERY_TIMEOUT"]
    with metrics.query_timer() as timing:
        try:
            answer = run_job(job, timeout)
        except QueryTimeout:
            timing.form = "timeout"
            return error_response(503, "Query Timeout", f"the query did not finish within {timeout:g} seconds "
                                  "and was stopped; narrow it (LIMIT, more specific patterns) or try later",
                                  headers={"Retry-After": str(current_app.config["RETRY_AFTER"])}, kind="text/plain")
        timing.form = answer.form or "error"
    if answer.status != 200:
        title = {400: "Bad Request", 406: "Not Acceptable"}.get(answer.status, "Internal Server Error")
        return error_response(answer.status, title, answer.message, kind="text/plain")
    response = Response(answer.body, mimetype=answer.media_type.split(";")[0])
    if "charset" in answer.media_type or answer.media_type.startswith("text/"):
        response.mimetype_params["charset"] = "utf-8"
    response.headers.update(answer.headers)
    response.headers["Vary"] = "Accept"
    response.headers["Cache-Control"] = "public, max-age=60"
    response.set_etag(hashlib.sha256(answer.body).hexdigest()[:32])
    return response.make_conditional(request)


def run_job(job: QueryJob, timeout: float):
    if not current_app.config["QUERY_PROCESSES"]:
        # In the request thread, with no time limit: only to measure what the processes cost
        # (bench/sparql.py); `kgpub serve --no-query-processes`.
        return query_process.answer(reading.current().store.db, job)
    return query_pool().run(job, timeout)


def query_pool() -> QueryPool:
    """This server process's query processes, started on first use (after gunicorn's fork)."""
    with _pool_lock:
        pool = current_app.extensions.get(POOL)
        if pool is None or pool.pid != os.getpid():
            pool = QueryPool(current_app.config["STORE"], current_app.config["QUERY_PROCESSES"])
            pool.pid = os.getpid()
            current_app.extensions[POOL] = pool
        return pool


def start_pool(app) -> None:
    """At a worker's start (gunicorn post_worker_init), so the first query does not wait."""
    if app.config["QUERY_PROCESSES"]:
        with app.app_context():
            query_pool()


def close_pool(app) -> None:
    pool = app.extensions.pop(POOL, None)
    if pool is not None and pool.pid == os.getpid():
        pool.close()


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
