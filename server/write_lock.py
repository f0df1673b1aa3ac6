"""Writes from the server: the store's one writer, opened for the duration of one write.

Server processes only read snapshots (snapshot_view.py); RocksDB allows one read-write opener. So a
write over HTTP opens the writer store (`open_store`) in the worker that got the request, does
its write (which publishes a new snapshot), and closes it again. The server's processes and
threads take turns through an exclusive `flock` on `{store}/kgpub/write.lock`, each waiting a
few seconds; when another process (a running `kgpub ingest`) holds the database, the answer is
`503` with `Retry-After`. Readers see the write at their next request. A write that committed
something (a new snapshot was published) asks for fresh dumps in the background (graph/dumps.py).
"""
from __future__ import annotations

import fcntl
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from flask import abort, current_app

from kgpub.graph import dumps
from kgpub.graph.store import Store, StoreError, StoreLocked, open_store
from kgpub.graph.store.snapshots import CURRENT, snapshot_root
from kgpub.server.errors import error_response

LOCK_FILE = "write.lock"
WAIT_SECONDS = 5.0
POLL_SECONDS = 0.05


@contextmanager
def writer_store() -> Iterator[Store]:
    """The writer store, held by this request alone; 503 when it cannot be had in time."""
    store_dir = Path(current_app.config["STORE"])
    lock_path = store_dir / "kgpub" / LOCK_FILE
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + WAIT_SECONDS
    with lock_path.open("a") as lock:  # closing the file releases the lock
        if not _lock_before(lock, deadline):
            unavailable("another write over HTTP is in progress")
        store = _open_before(store_dir, deadline)
        before = _current_snapshot(store_dir)
        try:
            yield store
        finally:
            store.close()
    if _current_snapshot(store_dir) != before:
        dumps.refresh_in_background(store_dir)


def _current_snapshot(store_dir: Path) -> str | None:
    try:
        return (snapshot_root(store_dir) / CURRENT).read_text()
    except FileNotFoundError:
        return None


def _lock_before(lock, deadline: float) -> bool:
    while True:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(POLL_SECONDS)


def _open_before(store_dir: Path, deadline: float) -> Store:
    """Open the database, trying again until the deadline while another process holds it (an
    ingest may be just finishing); a store that cannot be written at all (a full disk, no
    permission) is said at once."""
    while True:
        try:
            return open_store(store_dir)
        except StoreLocked:
            if time.monotonic() >= deadline:
                unavailable("another process (a `kgpub ingest`, `withdraw` or `merge`) is writing the store")
            time.sleep(POLL_SECONDS * 4)
        except StoreError as err:
            unavailable(f"the store cannot be written: {err}")


def unavailable(reason: str) -> None:
    retry = current_app.config["RETRY_AFTER"]
    abort(error_response(503, "Service Unavailable", f"{reason}; try again in {retry} seconds",
                         headers={"Retry-After": str(retry)}))
