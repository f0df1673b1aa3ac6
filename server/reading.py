"""Each server process's view of the store: the newest snapshot, checked at every request.

Opened lazily in the process that serves (gunicorn forks workers; a database opened before the
fork must not be shared), and moved to the next snapshot as soon as `kgpub ingest` (or any
writer) publishes one: committed imports show within a request, nothing needs a restart.
"""
from __future__ import annotations

import datetime as dt
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from flask import current_app

from kgpub.graph.store.oxigraph import SnapshotStore
from kgpub.server.documents import Documents

EXTENSION = "kgpub.reading"  # app.extensions[EXTENSION]: {(pid, thread): Reading}
_lock = threading.Lock()


class ResponseCache:
    """The last responses built from this snapshot, by request: popular documents (a record
    being shared, a crawler's retries) are served without reading or serializing again."""

    def __init__(self, size: int = 512):
        self.size = size
        self._entries: OrderedDict = OrderedDict()

    def get(self, key):
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
        return entry

    def put(self, key, entry) -> None:
        self._entries[key] = entry
        if len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()


@dataclass
class Reading:
    pid: int
    store: SnapshotStore
    documents: Documents
    snapshot: str
    responses: ResponseCache = field(default_factory=ResponseCache)

    @property
    def snapshot_time(self) -> dt.datetime:
        """When the snapshot was published (its name is the time in nanoseconds)."""
        return dt.datetime.fromtimestamp(int(self.snapshot) / 1e9, dt.timezone.utc).replace(microsecond=0)


def current() -> Reading:
    """This thread's reading: a snapshot store is not for several threads at once, so each
    request thread of a worker keeps its own (opened on its first request)."""
    readings = current_app.extensions.setdefault(EXTENSION, {})
    me = (os.getpid(), threading.get_ident())
    reading: Reading | None = readings.get(me)
    if reading is None:
        store = SnapshotStore(current_app.config["STORE"])
        documents = Documents(store, current_app.config["BASE"], current_app.config["PAGE_SIZE"])
        reading = Reading(os.getpid(), store, documents, store.snapshot)
        with _lock:
            readings[me] = reading
    reading.store.refresh()
    if reading.store.snapshot != reading.snapshot:
        reading.documents.forget()
        reading.responses.clear()
        reading.snapshot = reading.store.snapshot
    return reading


def close(app) -> None:
    """Close every reading this process opened (at worker exit)."""
    with _lock:
        readings = app.extensions.pop(EXTENSION, {})
    for (pid, _thread), reading in readings.items():
        if pid == os.getpid():
            reading.store.close()
