"""A copy of each record graph as compressed N-Triples in SQLite, for the server's readers.

Reading a record's hundred quads from Oxigraph costs a dictionary lookup per term: 0.6–1.3 ms a
record in a store of 100k records, most of the time a Turtle response takes. Here it is one row.
Each row carries its graph's content digest, and a reader uses a copy only when that digest is the
one its snapshot holds, so it serves exactly its snapshot's record; a copy that is missing or from
another commit is simply not used (the reader asks the store). The writer keeps the copies in step
with every write, like the search index; `{store}/kgpub/records.sqlite`.
"""
from __future__ import annotations

import threading
import zlib
from itertools import islice
from pathlib import Path
from typing import Iterable, Mapping

import pyoxigraph
from pyoxigraph import NamedNode, RdfFormat, Triple

from kgpub.graph.namespaces import KGV
from kgpub.graph.sqlite import Transaction, check_readable, open_database
from kgpub.graph import iris

SCHEMA = "CREATE TABLE IF NOT EXISTS records (graph TEXT PRIMARY KEY, digest TEXT NOT NULL, ntriples BLOB NOT NULL)"
REBUILD_BATCH = 1000


class RecordCopies:
    def __init__(self, path: str | Path, read_only: bool = False):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._db = open_database(self.path, read_only)
        if not read_only:
            self._db.execute(SCHEMA)

    def check(self) -> None:
        check_readable(self._db, self._lock)

    def get(self, graph: NamedNode) -> tuple[str, list[Triple]] | None:
        """(content digest, triples) of the copy, or None."""
        with self._lock:
            row = self._db.execute("SELECT digest, ntriples FROM records WHERE graph = ?", (graph.value,)).fetchone()
        if row is None:
            return None
        # Lenient: pyoxigraph wrote this text from terms it had checked, and checking every IRI
        # again would double the cost of reading a record.
        quads = pyoxigraph.parse(zlib.decompress(row[1]), format=RdfFormat.N_TRIPLES, lenient=True)
        return row[0], [q.triple for q in quads]

    def update(self, graphs: Mapping[NamedNode, list[Triple]]) -> None:
        """Copy these graphs (replacing older copies) in one transaction; non-record graphs are skipped."""
        rows = [_row(graph, triples) for graph, triples in graphs.items() if iris.is_record_graph(graph)]
        with self._transaction():
            self._db.executemany("INSERT OR REPLACE INTO records VALUES (?, ?, ?)", (r for r in rows if r))

    def remove(self, graphs: Iterable[NamedNode]) -> None:
        with self._transaction():
            self._db.executemany("DELETE FROM records WHERE graph = ?", ((g.value,) for g in graphs))

    def rebuild(self, graphs: Iterable[tuple[NamedNode, list[Triple]]]) -> int:
        """Copy a whole store again, in batches (never all of it in memory); the number copied."""
        count, stream = 0, iter(graphs)
        with self._transaction():
            self._db.execute("DELETE FROM records")
            while batch := list(islice(stream, REBUILD_BATCH)):
                rows = [_row(g, t) for g, t in batch if iris.is_record_graph(g)]
                self._db.executemany("INSERT OR REPLACE INTO records VALUES (?, ?, ?)", (r for r in rows if r))
                count += len(rows)
        return count

    def close(self) -> None:
        self._db.close()

    def _transaction(self) -> Transaction:
        return Transaction(self._db, self._lock, "BEGIN IMMEDIATE")


def _row(graph: NamedNode, triples: list[Triple]) -> tuple[str, str, bytes] | None:
    digest = next((t.object.value for t in triples if t.subject == graph and t.predicate == KGV.contentDigest), None)
    if digest is None:
        return None  # not a mapped record graph: readers always ask the store for it
    return graph.value, digest, zlib.compress(pyoxigraph.serialize(triples, format=RdfFormat.N_TRIPLES))
