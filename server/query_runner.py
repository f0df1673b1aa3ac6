"""Running a query the endpoint has accepted (sparql.py): a query process from this server
process's pool (a 503 at once when none comes free, a 429 when the client already holds its
share), the time it ran charged to the client, and the answers for queries that were stopped
(docs/sparql.md, "Limits")."""
from __future__ import annotations

import hashlib
import os
import threading
import time
from contextlib import contextmanager
from functools import partial
from typing import Callable, Iterator

from flask import Response, current_app, request
from werkzeug.http import HTTP_STATUS_CODES

from kgpub.graph.store import StoreTimeout, StoreUnavailable, is_remote
from kgpub.server import metrics, query_process, snapshot_view
from kgpub.server.errors import error_response
from kgpub.server.query_pool import ClientBusy, QueryBusy, QueryPool
from kgpub.server.query_process import Answer, QueryJob, QueryStopped, QueryTimeout, QueryTooExpensive

POOL = "kgpub.query_pool"
_pool_lock = threading.Lock()


def run(job: QueryJob, client: str, charge: Callable[[float], None]) -> Response:
    """The job's response; `charge` is told how long the query ran (time spent waiting for a query
    process is not charged)."""
    used = 0.0
    try:
        with query_slot(client) as answer:
            started = time.monotonic()
            try:
                return timed(answer, job)
            finally:
                used = time.monotonic() - started
    except ClientBusy:
        metrics.count_refused("client")
        return error_response(429, "Too Many Requests", "this client already has as many queries running or "
                              "waiting here as one client may; send the next when one has finished",
                              headers={"Retry-After": "1"}, kind="text/plain")
    except QueryBusy:
        metrics.count_refused("busy")
        return unavailable("every query process of this server is busy and the queue is full")
    finally:
        charge(used)


def timed(answer: Callable[[QueryJob], Answer], job: QueryJob) -> Response:
    with metrics.query_timer() as timing:
        try:
            result = answer(job)
        except QueryStopped as stopped:
            timing.form = stopped.reason
            return stopped_response(stopped, job)
        timing.form = result.form or "error"
    return answer_response(result)


@contextmanager
def query_slot(client: str) -> Iterator[Callable[[QueryJob], Answer]]:
    """What answers one job: a query process of the pool, under the time limit; QueryBusy when
    none is free in time. Without query processes (`kgpub serve --no-query-processes`, only to
    measure what they cost: bench/sparql.py) the request thread itself, with no limit."""
    config = current_app.config
    if is_remote(config["STORE"]):  # the server runs them; our side waits at most the time limit
        yield partial(remote_answer, snapshot_view.current().store.query_engine(config["QUERY_TIMEOUT"]))
        return
    if not config["CONCURRENT_QUERIES"]:
        yield partial(query_process.answer, snapshot_view.current().store.query_engine(None))
        return
    with pool().process(client, config["QUERY_QUEUE_WAIT"]) as process:
        yield lambda job: process.run(job, config["QUERY_TIMEOUT"])


def remote_answer(engine, job: QueryJob) -> Answer:
    """A remote store's answer. Past the time limit, a 503 like a query process's; a server that
    gave up on the query (5xx: Virtuoso refuses a query whose estimated cost is past its limit),
    a 503 in the server's words."""
    try:
        return query_process.answer(engine, job)
    except StoreTimeout:
        raise QueryTimeout() from None
    except StoreUnavailable as err:
        return Answer(503, "text/plain", b"", message=f"the store could not answer the query: {err.detail}")


def answer_response(answer: Answer) -> Response:
    if answer.status != 200:
        retry = {"Retry-After": str(current_app.config["RETRY_AFTER"])} if answer.status == 503 else None
        return error_response(answer.status, HTTP_STATUS_CODES.get(answer.status, "Error"), answer.message,
                              kind="text/plain", headers=retry)
    response = Response(answer.body, mimetype=answer.media_type.split(";")[0])
    if "charset" in answer.media_type or answer.media_type.startswith("text/"):
        response.mimetype_params["charset"] = "utf-8"
    response.headers.update(answer.headers)
    response.headers["Vary"] = "Accept"
    response.headers["Cache-Control"] = "public, max-age=60"
    response.set_etag(hashlib.sha256(answer.body).hexdigest()[:32])
    return response.make_conditional(request)


def stopped_response(stopped: QueryStopped, job: QueryJob) -> Response:
    """A query whose process was stopped or ended: a 503 the client can act on; a crash is logged
    with the query's hash (the query itself may be long, or private)."""
    config = current_app.config
    metrics.count_stopped(stopped.reason)
    if isinstance(stopped, QueryTimeout):
        return unavailable(f"the query did not finish within {config['QUERY_TIMEOUT']:g} seconds and was "
                           "stopped; narrow it (LIMIT, more specific patterns) or try later", title="Query Timeout")
    if isinstance(stopped, QueryTooExpensive):
        return unavailable(f"the query is too expensive: it needed more than {config['QUERY_MEMORY'] >> 20} MB of "
                           "memory and was stopped; narrow it (LIMIT, fewer unbound patterns, no ORDER BY over "
                           "everything)", title="Query Too Expensive")
    digest = hashlib.sha256(job.query.encode("utf-8")).hexdigest()[:16]
    current_app.logger.error("a query process ended unexpectedly (exit code %s) answering query sha256:%s",
                             stopped.exitcode, digest)
    return error_response(500, "Internal Server Error", f"the query process ended unexpectedly; it has been "
                          f"logged as query sha256:{digest}", kind="text/plain")


def unavailable(message: str, title: str = "Service Unavailable") -> Response:
    return error_response(503, title, message, kind="text/plain",
                          headers={"Retry-After": str(current_app.config["RETRY_AFTER"])})


def pool() -> QueryPool:
    """This server process's query processes, started on first use (after gunicorn's fork)."""
    with _pool_lock:
        found = current_app.extensions.get(POOL)
        if found is None or found.pid != os.getpid():
            config = current_app.config
            found = QueryPool(config["STORE"], config["CONCURRENT_QUERIES"], config["QUERY_QUEUE"],
                              config["QUERY_MEMORY"], offline=not config["SERVICE_ALLOW"])
            found.pid = os.getpid()
            current_app.extensions[POOL] = found
        return found


def start_pool(app) -> None:
    """At a worker's start (gunicorn post_worker_init), so the first query does not wait."""
    if app.config["CONCURRENT_QUERIES"]:
        with app.app_context():
            pool()


def close_pool(app) -> None:
    found = app.extensions.pop(POOL, None)
    if found is not None and found.pid == os.getpid():
        found.close()
