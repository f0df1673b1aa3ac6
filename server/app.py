"""The Flask application factory: configuration, blueprints, error handling, CORS.

`create_app()` reads `KGPUB_STORE` and `KGPUB_BASE` (the same defaults as the CLI); tests and
`kgpub serve` pass a mapping instead. The store is opened per process on first use (reading.py).
"""
from __future__ import annotations

import os
from typing import Mapping

from flask import Flask, Response

from kgpub import config
from kgpub.server import (admin, errors, graph_store, linked_data, metadata, metrics, pages, self_description,
                          sparql)

READ_METHODS = "GET, HEAD, OPTIONS"
EXPOSED_HEADERS = "Link, ETag, Content-Location, Location, Last-Modified, Vary"


def create_app(settings: Mapping | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(
        STORE=config.default_store_dir(),
        BASE=config.default_base(),
        SITE_NAME="kgpub",
        PAGE_SIZE=int(os.environ.get("KGPUB_PAGE_SIZE", "100")),  # things linking to a thing, per page
        MAX_CONTENT_LENGTH=1024 * 1024,
        # The SPARQL endpoint (docs/sparql.md): a hard time limit per query, a row cap, a size limit.
        QUERY_TIMEOUT=float(os.environ.get("KGPUB_QUERY_TIMEOUT", "30")),
        SPARQL_MAX_ROWS=int(os.environ.get("KGPUB_MAX_ROWS", "10000")),
        SPARQL_MAX_QUERY_BYTES=int(os.environ.get("KGPUB_MAX_QUERY_BYTES", str(64 * 1024))),
        RETRY_AFTER=10,  # seconds, on a 503
        QUERY_PROCESSES=4,  # query processes per server process: one per request thread (serve --threads)
        ADMIN_TOKEN=os.environ.get("KGPUB_ADMIN_TOKEN") or None,  # None: no writes over HTTP
        # Uploads to /ingest and /graph-store are read whole: this bounds the memory one costs.
        MAX_UPLOAD_BYTES=int(os.environ.get("KGPUB_MAX_UPLOAD_BYTES", str(64 * 1024 * 1024))),
    )
    app.config.update(settings or {})
    app.config["BASE"] = config.normalise_base(app.config["BASE"])
    app.register_blueprint(linked_data.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(graph_store.bp)
    app.register_blueprint(self_description.bp)
    metrics.init_app(app)
    errors.register(app)
    pages.register_template_globals(app)
    metadata.init_app(app)
    app.after_request(allow_cross_origin_reads)
    return app


def allow_cross_origin_reads(response: Response) -> Response:
    """Everything served here is public data: any web page may read it (DESIGN.md §4)."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    response.headers.setdefault("Access-Control-Allow-Methods", READ_METHODS)
    response.headers.setdefault("Access-Control-Allow-Headers", "Accept, Accept-Language, If-None-Match, "
                                                                "If-Modified-Since, Content-Type")
    response.headers.setdefault("Access-Control-Max-Age", "86400")
    return response
