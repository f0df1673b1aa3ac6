"""SPARQL Update at /sparql, for the admin (docs/sparql.md, "Writes over HTTP"): the checks of
the protocol and of this server (no SERVICE, nesting), then the store's one writer (write_lock.py)."""
from __future__ import annotations

from flask import Response, current_app

from kgpub.graph.store.updates import UpdateError, plan_update
from kgpub.server import auth, query_limits, write_lock
from kgpub.server.errors import error_response


def sparql_update(operation, endpoint: str) -> Response:
    """An update (sparql.Operation) sent to the endpoint `endpoint`: 204 when done, 400 when it
    cannot be run."""
    auth.require_admin()
    if operation.graphs("default-graph-uri") or operation.graphs("named-graph-uri"):
        return bad_request("default-graph-uri and named-graph-uri are for queries; an update takes "
                           "using-graph-uri and using-named-graph-uri")
    using = operation.graphs("using-graph-uri") or ()
    using_named = operation.graphs("using-named-graph-uri") or ()
    try:
        query_limits.check(operation.text, endpoint, current_app.config)  # no SERVICE here either
        plan_update(operation.text, using, using_named, endpoint)  # a bad update is a 400 before the store
    except (query_limits.QueryRefused, UpdateError) as err:
        return bad_request(str(err))
    with write_lock.writer_store() as store:
        try:
            store.update(operation.text, using, using_named, endpoint)
        except UpdateError as err:
            return bad_request(str(err))
    return Response(status=204)


def bad_request(message: str) -> Response:
    return error_response(400, "Bad Request", message, kind="text/plain")
