"""/healthz, for load balancers and monitoring: can this server do its work right now?"""
from __future__ import annotations

import os
import shutil

from flask import Blueprint, Response, current_app

from kgpub.graph.store import is_remote, local_folder, storage_problem
from kgpub.server import snapshot_view

bp = Blueprint("health", __name__)
MIN_FREE_BYTES = 64 * 1024 * 1024  # less, and a write over HTTP would likely fail half way


@bp.get("/healthz")
def healthz() -> Response:
    """200 when this server can do its work: read the store's current snapshot and side files and,
    when writes over HTTP are on, write the store (a writable folder, room on the disk). Else 503,
    each problem on a line of its own."""
    problems = _read_problems() + (_write_problems() if current_app.config.get("ADMIN_TOKEN") else [])
    if problems:
        return Response("unhealthy\n" + "".join(f"{p}\n" for p in problems), 503, mimetype="text/plain")
    return Response(f"ok snapshot={snapshot_view.current().snapshot}\n", mimetype="text/plain")


def _read_problems() -> list[str]:
    try:
        snapshot_view.current().store.check()
    except Exception as err:  # whatever a request would meet, said here instead
        return [f"cannot read the store: {storage_problem(err) or err}"]
    return []


def _write_problems() -> list[str]:
    """The embedded store's folder; a remote store says what it thinks of a write when it gets one."""
    if is_remote(current_app.config["STORE"]):
        return []
    folder = local_folder(current_app.config["STORE"])
    if not os.access(folder, os.W_OK):
        return [f"cannot write the store: {folder} is not writable (permission denied, or a read-only file system)"]
    free = shutil.disk_usage(folder).free
    if free < MIN_FREE_BYTES:
        return [f"cannot write the store: the disk holding {folder} is full ({free >> 20} MB free)"]
    return []
