"""Each request thread's view of the store: the newest snapshot (the store's version), checked at
every request, with the documents built from it and what the process remembers of that snapshot
(labels, tombstones, the responses it gave).

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

from kgpub.graph.store import Store, open_reader
from kgpub.server.rdf_documents import LABEL_CACHE_SIZE, Documents

EXTENSION = "kgpub.snapshot_views"  # app.extensions[EXTENSION]: {(pid, thread): SnapshotView}
MEMORY = "kgpub.snapshot_memory"  # app.extensions[MEMORY]: {pid: the newest snapshot's SnapshotMemory}
_lock = threading.Lock()


class Lru:
    """The most recently put entries, up to `size`, for several threads at once."""

    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key, entry) -> None:
        with self._lock:
            self._entries[key] = entry
            if len(self._entries) > self.size:
                self._entries.popitem(last=False)


RESPONSE_CACHE_SIZE = 512


@dataclass
class SnapshotMemory:
    """What a process remembers of one snapshot, shared by its request threads: the labels of the
    things records point to, its tombstones, and the last responses built from it (popular
    documents, a record being shared, a crawler's retries, are served without reading or
    serializing again). Per process, not per thread: 16 threads' copies made a worker 1 GB."""
    snapshot: str
    labels: Lru = field(default_factory=lambda: Lru(LABEL_CACHE_SIZE))
    responses: Lru = field(default_factory=lambda: Lru(RESPONSE_CACHE_SIZE))
    tombstones: dict | None = None


@dataclass
class SnapshotView:
    store: Store
    documents: Documents

    @property
    def snapshot(self) -> str:
        return self.documents.memory.snapshot

    @property
    def responses(self) -> Lru:
        return self.documents.memory.responses

    @property
    def snapshot_time(self) -> dt.datetime:
        """When the snapshot was published (its name is the time in nanoseconds)."""
        return dt.datetime.fromtimestamp(int(self.snapshot) / 1e9, dt.timezone.utc).replace(microsecond=0)


def current() -> SnapshotView:
    """This thread's view, moved to the newest snapshot. Each request thread of a worker keeps its
    own store object (opened on its first request): its hold on the snapshot it reads. The open
    database, the side files' connections and what is remembered of the snapshot are the
    process's (graph/store/shared_opens.py, SnapshotMemory)."""
    views = current_app.extensions.setdefault(EXTENSION, {})
    me = (os.getpid(), threading.get_ident())
    view: SnapshotView | None = views.get(me)
    if view is None:
        store = open_reader(current_app.config["STORE"])
        documents = Documents(store, current_app.config["BASE"], current_app.config["PAGE_SIZE"],
                              _memory_of(store.snapshot))
        view = SnapshotView(store, documents)
        with _lock:
            views[me] = view
    view.store.refresh()
    if view.store.snapshot != view.snapshot:
        view.documents.memory = _memory_of(view.store.snapshot)
    return view


def _memory_of(snapshot: str) -> SnapshotMemory:
    """The process's memory of this snapshot; of an older one, a memory of its own (a thread still
    on it finishes its request; the next one moves it to the newest)."""
    memories = current_app.extensions.setdefault(MEMORY, {})
    with _lock:
        newest = memories.get(os.getpid())
        if newest is None or int(snapshot) > int(newest.snapshot):  # versions are times in ns
            newest = memories[os.getpid()] = SnapshotMemory(snapshot)
        return newest if newest.snapshot == snapshot else SnapshotMemory(snapshot)


def close(app) -> None:
    """Close every view this process opened (at worker exit)."""
    with _lock:
        views = app.extensions.pop(EXTENSION, {})
        app.extensions.get(MEMORY, {}).pop(os.getpid(), None)
    for (pid, _thread), view in views.items():
        if pid == os.getpid():
            view.store.close()
