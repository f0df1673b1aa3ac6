"""The embedded store's folder as the rest of kgpub uses it without opening the database itself:
the writer held by one caller at a time, the version token, and a snapshot to dump.

RocksDB allows one read-write opener (docs/architecture.md, "Facts"). A server's write over HTTP
opens the writer store in the worker that got the request, writes (which publishes a snapshot),
and closes it again; the server's processes and threads take turns through an exclusive `flock`
on `{store}/kgpub/write.lock`, each waiting a few seconds, and a running `kgpub ingest` holding
the database makes the wait fail with StoreLocked.
"""
from __future__ import annotations

import fcntl
import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from kgpub.graph.store import snapshots
from kgpub.graph.store.base import StoreError, StoreLocked
from kgpub.graph.store.oxigraph import OxigraphStore

LOCK_FILE = "write.lock"
POLL_SECONDS = 0.05


def version(location: str | os.PathLike) -> str | None:
    """The name of the newest published snapshot (the version token); None before the first."""
    try:
        return (snapshots.snapshot_root(location) / snapshots.CURRENT).read_text().strip()
    except FileNotFoundError:
        return None


@contextmanager
def held_writer(location: str | os.PathLike, wait_seconds: float) -> Iterator[OxigraphStore]:
    lock_path = Path(location) / "kgpub" / LOCK_FILE
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_seconds
    with lock_path.open("a") as lock:  # closing the file releases the lock
        if not _lock_before(lock, deadline):
            raise StoreLocked("another write over HTTP is in progress")
        store = _open_before(location, deadline)
        try:
            yield store
        finally:
            store.close()


def _lock_before(lock, deadline: float) -> bool:
    while True:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(POLL_SECONDS)


def _open_before(location, deadline: float) -> OxigraphStore:
    """Open the database, trying again until the deadline while another process holds it (an
    ingest may be just finishing)."""
    while True:
        try:
            return OxigraphStore(location)
        except StoreLocked:
            if time.monotonic() >= deadline:
                raise StoreLocked("another process (a `kgpub ingest`, `withdraw` or `merge`) is writing the store") \
                    from None
            time.sleep(POLL_SECONDS * 4)


@contextmanager
def dump_view(location: str | os.PathLike):
    """The newest snapshot, held while it is dumped: (its name, a function streaming its quads)."""
    reader = snapshots.SnapshotReader(location)
    try:
        try:
            db = reader.current()
        except FileNotFoundError as err:
            raise StoreError(str(err)) from None
        yield reader.name, lambda: db.quads_for_pattern(None, None, None, None)
    finally:
        reader.close()
