"""The issue's reference point: a minimal Flask + pyoxigraph SPARQL app, nothing else.

No negotiation, no limits, no metrics, no time limit: GET /sparql?query=… answers SPARQL JSON
serialized by pyoxigraph. bench/sparql.py runs it under gunicorn with the same workers and
threads as `kgpub serve`, for the lookup, so that our endpoint's rate can be read against what
the engine and the framework allow on this machine, in the same run.

    gunicorn --workers 2 --threads 4 'bench.minimal_sparql:create_app("bench/out/store-N")'
"""
from __future__ import annotations

import io
import threading

import pyoxigraph
from flask import Flask, Response, request

from kgpub.graph.store.snapshots import SnapshotReader


def create_app(store_path: str) -> Flask:
    app = Flask(__name__)
    local = threading.local()  # a snapshot reader per request thread, opened after the fork

    def store() -> pyoxigraph.Store:
        if not hasattr(local, "reader"):
            local.reader = SnapshotReader(store_path)
        return local.reader.current()

    @app.get("/sparql")
    def sparql() -> Response:
        result = store().query(request.args["query"], use_default_graph_as_union=True)
        out = io.BytesIO()
        result.serialize(out, pyoxigraph.QueryResultsFormat.JSON)
        return Response(out.getvalue(), mimetype="application/sparql-results+json")

    @app.get("/healthz")
    def healthz() -> Response:
        store()
        return Response("ok\n", mimetype="text/plain")

    return app
