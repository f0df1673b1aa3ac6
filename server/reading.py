"""Each server process's view of the store: the newest snapshot, checked at every request.

Opened lazily in the process that serves (gunicorn forks workers; a database opened before the
fork must not be shared), and moved to the next snapshot as soon as `kgpub ingest` (or any
writer) publishes one: committed imports show within a request, nothing needs a restart.
"""
from __future__ import annotations

import datetime as dt
import os
from collections import OrderedDict
from dataclasses import dataclass, field

from flask import current_app

from kgpub.graph.store.oxigraph import SnapshotStore
from kgpub.server.documents import Documents

EXTENSION = "kgpub.reading"


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
    reading: Reading | None = current_app.extensions.get(EXTENSION)
    if reading is None or reading.pid != os.getpid():
        store = SnapshotStore(current_app.config["STORE"])
        documents = Documents(store, current_app.config["BASE"], current_app.config["PAGE_SIZE"])
        reading = current_app.extensions[EXTENSION] = Reading(os.getpid(), store, documents, store.snapshot)
    reading.store.refresh()
    if reading.store.snapshot != reading.snapshot:
        reading.documents.forget()
        reading.responses.clear()
        reading.snapshot = reading.store.snapshot
    return reading


def close(app) -> None:
    reading: Reading | None = app.extensions.pop(EXTENSION, None)
    if reading is not None and reading.pid == os.getpid():
        reading.store.close()
