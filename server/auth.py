"""Who may write over HTTP: the admin, with the bearer token the server was started with
(`KGPUB_ADMIN_TOKEN`; compared in constant time). Without the setting nothing can be written over
HTTP. Only the admin may send large bodies (a file of records, a graph)."""
from __future__ import annotations

import hmac

from flask import abort, current_app, request

from kgpub.server.errors import error_response
from kgpub.server.request_body import read_body

REALM = 'Bearer realm="kgpub"'


def require_admin() -> None:
    """Let the request through only with the configured bearer token."""
    token = current_app.config.get("ADMIN_TOKEN")
    if not token:
        abort(error_response(403, "Forbidden", "writes over HTTP are disabled on this server "
                                               "(it was started without KGPUB_ADMIN_TOKEN)"))
    given = _bearer_token()
    if given is None:
        abort(error_response(401, "Unauthorized", "writing needs the admin token: send "
                                                  "'Authorization: Bearer <token>'", headers={"WWW-Authenticate": REALM}))
    if not hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8")):
        abort(error_response(403, "Forbidden", "the bearer token is not the admin token of this server"))


def is_admin() -> bool:
    """Whether the request carries the admin token (without refusing it when not)."""
    token, given = current_app.config.get("ADMIN_TOKEN"), _bearer_token()
    return bool(token) and given is not None and hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8"))


def upload_body() -> bytes:
    """The request body: up to KGPUB_MAX_UPLOAD_BYTES for the admin, the app's limit for everyone else."""
    limit = current_app.config["MAX_UPLOAD_BYTES"] if is_admin() else current_app.config["MAX_CONTENT_LENGTH"]
    return read_body(limit)


def _bearer_token() -> str | None:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return given.strip() if scheme.lower() == "bearer" and given.strip() else None
