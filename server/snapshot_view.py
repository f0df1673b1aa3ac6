"""Each request thread's view of the store: the newest snapshot (the store's version), checked at
every request, with the documents built from it and a cache of the responses it gave.

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
from kgpub.server.rdf_documents import Documents

EXTENSION = "kgpub.snapshot_views"  # app.extensions[EXTENSION]: {(pid, thread): SnapshotView}
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
class SnapshotView:
    pid: int
    store: Store
    documents: Documents
    snapshot: str
    responses: ResponseCache = field(default_factory=ResponseCache)

    @property
    def snapshot_time(self) -> dt.datetime:
        """When the snapshot was published (its name is the time in nanoseconds)."""
        return dt.datetime.fromtimestamp(int(self.snapshot) / 1e9, dt.timezone.utc).replace(microsecond=0)


def current() -> SnapshotView:
    """This thread's view: a snapshot store is not for several threads at once, so each request
    thread of a worker keeps its own (opened on its first request)."""
    views = current_app.extensions.setdefault(EXTENSION, {})
    me = (os.getpid(), threading.get_ident())
    view: SnapshotView | None = views.get(me)
    if view is None:
        store = open_reader(current_app.config["STORE"])
        documents = Documents(store, current_app.config["BASE"], current_app.config["PAGE_SIZE"])
        view = SnapshotView(os.getpid(), store, documents, store.snapshot)
        with _lock:
            views[me] = view
    view.store.refresh()
    if view.store.snapshot != view.snapshot:
        view.documents.forget()
        view.responses.clear()
        view.snapshot = view.store.snapshot
    return view


def close(app) -> None:
    """Close every view this process opened (at worker exit)."""
    with _lock:
        views = app.extensions.pop(EXTENSION, {})
    for (pid, _thread), view in views.items():
        if pid == os.getpid():
            view.store.close()
