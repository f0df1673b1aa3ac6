"""Prometheus metrics at /metrics: requests by route and format, SPARQL latency, timeouts,
rejected records. gunicorn runs several worker processes, so prometheus_client's multiprocess
mode keeps each worker's figures in files under one folder, and /metrics adds them up."""
from __future__ import annotations

import os
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Blueprint, Flask, Response, request

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
if MULTIPROC_ENV not in os.environ:  # before prometheus_client is imported: it reads this once
    os.environ[MULTIPROC_ENV] = tempfile.mkdtemp(prefix="kgpub-metrics-")

from prometheus_client import (CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram,  # noqa: E402
                               generate_latest, multiprocess)

bp = Blueprint("metrics", __name__)

REQUESTS = Counter("kgpub_http_requests_total", "HTTP requests answered", ["route", "format", "status"])
SPARQL_SECONDS = Histogram("kgpub_sparql_query_seconds", "Time to answer a SPARQL query, by query form",
                           ["form"], buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
                                              5, 10, 30, 60))
SPARQL_STOPPED = Counter("kgpub_sparql_stopped_total", "SPARQL queries whose query process was stopped or "
                         "ended: timeout, memory (past the memory limit), crashed", ["reason"])
SPARQL_REFUSED = Counter("kgpub_sparql_refused_total", "SPARQL queries not run: limits (SERVICE, nesting), "
                         "budget (the client's query time is used up), client (the client holds its share of "
                         "the query processes), busy (no query process free)", ["reason"])
RECORDS = Counter("kgpub_records_total", "Records written through the admin API, by outcome", ["status"])


@dataclass
class Timing:
    form: str = "error"


@contextmanager
def query_timer():
    """Times one query; the caller sets `.form` (select, ask, graph, error; timeout, memory or
    crashed when it was stopped)."""
    timing, started = Timing(), time.perf_counter()
    try:
        yield timing
    finally:
        SPARQL_SECONDS.labels(timing.form).observe(time.perf_counter() - started)


def count_stopped(reason: str) -> None:
    SPARQL_STOPPED.labels(reason).inc()


def count_refused(reason: str) -> None:
    SPARQL_REFUSED.labels(reason).inc()


def count_records(status: str, count: int = 1) -> None:
    if count:
        RECORDS.labels(status).inc(count)


@bp.get("/metrics")
def metrics() -> Response:
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST.split(";")[0])


def count_request(response: Response) -> Response:
    rule = request.url_rule.rule if request.url_rule else "unmatched"
    REQUESTS.labels(rule, response.mimetype or "none", str(response.status_code)).inc()
    return response


def worker_exit(pid: int) -> None:
    """gunicorn: drop a dead worker's live gauges (counters and histograms are kept)."""
    multiprocess.mark_process_dead(pid)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.after_request(count_request)
