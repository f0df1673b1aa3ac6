"""Errors as the client can read them: an HTML page for people, RFC 9457 problem JSON for
programs, plain text otherwise. Never a traceback: unexpected failures are logged, not shown."""
from __future__ import annotations

import errno
import json
import sqlite3

from flask import Flask, Response, current_app, render_template, request
from werkzeug.exceptions import HTTPException, NotFound

from kgpub.graph.store import StoreError, StoreRefused, StoreUnavailable, storage_problem
from kgpub.server.negotiation import NegotiationError

STORE_ERRNOS = (errno.EIO, errno.ENOENT, errno.ENOTDIR, errno.ESTALE)


def error_response(status: int, title: str, message: str, links: list[tuple[str, str]] | None = None,
                   headers: dict | None = None, kind: str | None = None) -> Response:
    """kind: "text/html", "application/json" or "text/plain"; by default what the client prefers."""
    kind = kind or _preferred_kind()
    if kind == "text/html":
        body = render_template("error.html", status=status, title=title, message=message, links=links or [])
        response = Response(body, status, mimetype="text/html")
    elif kind == "application/json":
        problem = {"status": status, "title": title, "detail": message}
        response = Response(json.dumps(problem, ensure_ascii=False), status, mimetype="application/problem+json")
    else:
        response = Response(f"{status} {title}\n{message}\n", status, mimetype="text/plain")
    response.headers["Vary"] = "Accept"  # the body's form was chosen by Accept
    response.headers.update(headers or {})
    return response


def _preferred_kind() -> str:
    """HTML unless the client ranks JSON or plain text (or an RDF type) above it."""
    try:
        accept = request.accept_mimetypes
        if not accept:
            return "text/html"
        best = accept.best_match(["text/html", "application/json", "application/problem+json", "text/plain"])
    except (ValueError, TypeError):
        return "text/plain"
    if best in ("application/json", "application/problem+json"):
        return "application/json"
    return best or "text/plain"


def store_failure(err: Exception) -> str | None:
    """Why the store, or a file beside it, failed a request (a full disk, a lost mount, a corrupt
    index), in words; None for an error of any other kind (a bug, a failing process spawn)."""
    if problem := storage_problem(err):
        return problem
    if isinstance(err, StoreUnavailable):
        return "it does not answer"
    if isinstance(err, StoreRefused):
        return "it refuses this server's credentials"
    if isinstance(err, StoreError):  # a request of ours it would not take (a proxy's 413, a wrong endpoint)
        return "it refused a request"
    if isinstance(err, sqlite3.DatabaseError):
        return "a file of it cannot be read"
    if isinstance(err, OSError) and (err.errno in STORE_ERRNOS or str(err).startswith("IO error")):  # RocksDB's
        return "it cannot be read"
    return None


def register(app: Flask) -> None:
    @app.errorhandler(NegotiationError)
    def negotiation_failed(err: NegotiationError):
        title = "Not Acceptable" if err.status == 406 else "Bad Request"
        return error_response(err.status, title, str(err))

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        message = err.description or err.name
        if isinstance(err, NotFound) and message == NotFound.description:  # werkzeug's words: say which address
            message = f"There is nothing at {request.script_root}{request.path}. Check the address, or search the records."
        response = error_response(err.code or 500, err.name, message)
        if err.code == 405 and err.response is None:
            response.headers["Allow"] = ", ".join(getattr(err, "valid_methods", None) or [])
        return response

    @app.errorhandler(Exception)
    def unexpected(err: Exception):
        if reason := store_failure(err):
            current_app.logger.error("the store failed serving %s: %r", request.path, err)
            return error_response(503, "Service Unavailable", f"the data store is not available ({reason}); "
                                  "the operator has been told. Please try again later.",
                                  headers={"Retry-After": str(current_app.config["RETRY_AFTER"])})
        current_app.logger.exception("unexpected error serving %s", request.path)
        return error_response(500, "Internal Server Error",
                              "Something went wrong on our side; it has been logged. Please try again later.")
