"""Record graphs removed from an embedded store, with when: what OAI-PMH and ResourceSync report as
deleted when no tombstone says more (a record graph dropped over the Graph Store protocol or by a
SPARQL Update). Unlike the search index it cannot be made again from the store, so it is a file of
its own, `{store}/kgpub/removed.sqlite`; the remote store keeps the same log in `urn:kgpub:removed`.
A graph written again after its removal is published again: readers go by what exists."""
from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Iterable

from pyoxigraph import NamedNode

from kgpub.graph.sqlite import Transaction, check_readable, open_database

SCHEMA = "CREATE TABLE IF NOT EXISTS removed (graph TEXT PRIMARY KEY, removed TEXT NOT NULL)"


class RemovalLog:
    def __init__(self, path: str | Path, read_only: bool = False):
        self._lock = threading.Lock()
        self._db = open_database(Path(path), read_only)
        if not read_only:
            self._db.execute(SCHEMA)

    def check(self) -> None:
        check_readable(self._db, self._lock)

    def note(self, graphs: Iterable[NamedNode]) -> None:
        now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
        with Transaction(self._db, self._lock, "BEGIN IMMEDIATE"):
            self._db.executemany("INSERT OR REPLACE INTO removed VALUES (?, ?)", ((g.value, now) for g in graphs))

    def since(self, since: str | None) -> list[tuple[NamedNode, str]]:
        """(graph, when) of every removal at or after `since` (an xsd:dateTime; None: all)."""
        with Transaction(self._db, self._lock, "BEGIN"):
            rows = self._db.execute("SELECT graph, removed FROM removed WHERE removed >= ?",
                                    (since or "",)).fetchall()
        return [(NamedNode(graph), when) for graph, when in rows]

    def close(self) -> None:
        with self._lock:
            self._db.close()
