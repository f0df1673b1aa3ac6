"""The site's own files under /static/ (the stylesheet, the query page's script, YASGUI), served from
memory.

Flask serves a static file through the WSGI server's file wrapper: a stat, an open and a sendfile
per request. Under gunicorn that cost more than the rest of the request together (py-spy, issue
16): the stylesheet every page loads ran at ~40 % of a bare app. The files are a few hundred kB,
never change while a server runs (a deployment starts new workers), and are read once each.
Answers are as Flask's were: revalidated by browsers (no-cache), with an ETag and Last-Modified, and
304 to a conditional request.
"""
from __future__ import annotations

import hashlib
import mimetypes
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from flask import Flask, Response, abort, request
from werkzeug.security import safe_join

FOLDER = Path(__file__).resolve().parent / "static"


@dataclass(frozen=True)
class StaticFile:
    body: bytes
    mimetype: str
    etag: str
    modified: datetime


_files: dict[str, StaticFile] = {}  # only files that exist: a request for anything else is not kept
_lock = threading.Lock()


def read(filename: str) -> StaticFile | None:
    """The file as served, read on first use; None for what is not a file in the folder."""
    with _lock:
        if filename in _files:
            return _files[filename]
    path = safe_join(str(FOLDER), filename)
    if path is None or not Path(path).is_file():
        return None
    body = Path(path).read_bytes()
    found = StaticFile(body, mimetypes.guess_type(path)[0] or "application/octet-stream",
                       hashlib.sha256(body).hexdigest()[:32],
                       datetime.fromtimestamp(int(Path(path).stat().st_mtime), timezone.utc))
    with _lock:
        _files[filename] = found
    return found


def serve(filename: str) -> Response:
    found = read(filename)
    if found is None:
        abort(404)
    response = Response(found.body, mimetype=found.mimetype)
    response.headers["Cache-Control"] = "no-cache"
    response.set_etag(found.etag)
    response.last_modified = found.modified
    return response.make_conditional(request)


def register(app: Flask) -> None:
    """As Flask's own `static` endpoint (templates ask url_for('static', filename=…))."""
    app.add_url_rule("/static/<path:filename>", endpoint="static", view_func=serve)
