"""`kgpub ingest …` that dies, as in a power cut (SIGKILL: no cleanup of any kind), at one chosen
moment of writing its second batch of records. Usage: python crash_ingest.py MOMENT INGEST-ARGS…

The moments, in the order the embedded store passes them (graph/store/oxigraph.py, write_graphs):
  journaled   the journal (graph names, old content) is on disk, nothing else has changed
  removing    half of the graphs the batch replaces are removed
  loading     half of the batch's quads are in the database, flushed to disk
  indexing    every quad is in, the search index and the record copies are not yet updated
  committing  everything is written, the journal is not yet deleted
and one that kills a worker process instead (graph/ingest_workers.py), the writer living on:
  worker      a worker mapping and validating the second batch sent to the workers dies
  reader      the process reading the files dies after reading one and a half batches (of 300)
Only the database handle and these methods are wrapped; everything else is the product's code.
The worker processes import this file again (multiprocessing's spawn): it does nothing on import.
"""
from __future__ import annotations

import os
import signal
import sys

from kgpub.cli import main
from kgpub.graph import ingest_workers, iris, pipeline
from kgpub.graph.search import SearchIndex
from kgpub.graph.store.oxigraph import OxigraphStore

MOMENT = sys.argv[1] if __name__ == "__main__" else None
record_batches = 0
worker_batches = 0


def die_at(moment: str) -> None:
    if moment == MOMENT and record_batches == 2:
        os.kill(os.getpid(), signal.SIGKILL)


class DyingDatabase:
    """The pyoxigraph database handle, dying halfway through removing or loading."""

    def __init__(self, db, replaced: int):
        self._db, self.to_remove = db, max(1, replaced // 2)

    def __getattr__(self, name):
        return getattr(self._db, name)

    def remove_graph(self, graph) -> None:
        self._db.remove_graph(graph)
        self.to_remove -= 1
        if self.to_remove == 0:
            die_at("removing")

    def bulk_extend(self, quads) -> None:
        quads = list(quads)
        if MOMENT == "loading" and record_batches == 2:
            self._db.bulk_extend(quads[:len(quads) // 2])
            self._db.flush()
            die_at("loading")
        self._db.bulk_extend(quads)


def dying_before(method, moment: str):
    def wrapped(self, *args, **kwargs):
        die_at(moment)
        return method(self, *args, **kwargs)
    return wrapped


def dying_after(method, moment: str):
    def wrapped(self, *args, **kwargs):
        result = method(self, *args, **kwargs)
        die_at(moment)
        return result
    return wrapped


def write_graphs(self, graphs, stamp: bool = True):
    global record_batches
    graphs = dict(graphs)
    if any(iris.is_record_graph(graph) for graph in graphs):
        record_batches += 1
        if record_batches == 2:
            replaced = sum(self._store.contains_named_graph(g) for g in graphs)
            self._store = DyingDatabase(self._store, replaced)
    return original_write_graphs(self, graphs, stamp)


def die_in_worker(*args):
    """Sent to a worker in place of its work (it is pickled by name, and found in this file)."""
    os.kill(os.getpid(), signal.SIGKILL)


def map_and_validate(self, records, *args):
    global worker_batches
    if self.jobs > 1 and len(records) >= 2 * ingest_workers.MIN_RECORDS_PER_WORKER:
        worker_batches += 1
        ingest_workers.check_chunk = die_in_worker if worker_batches == 2 else original_check_chunk
    return original_map_and_validate(self, records, *args)


def dying_read(path, format):
    """pipeline.read_file in the reader process, which dies after 450 records."""
    for n, item in enumerate(original_read_file(path, format)):
        if n == 450:
            os.kill(os.getpid(), signal.SIGKILL)
        yield item


original_read_file = pipeline.read_file
original_check_chunk = ingest_workers.check_chunk
original_map_and_validate = ingest_workers.Workers.map_and_validate
original_write_graphs = OxigraphStore.write_graphs

if __name__ == "__main__":
    sys.argv.pop(1)
    if MOMENT == "worker":
        ingest_workers.Workers.map_and_validate = map_and_validate
    elif MOMENT == "reader":
        pipeline.read_file = dying_read
    else:
        OxigraphStore.write_graphs = write_graphs
        OxigraphStore._write_journal = dying_after(OxigraphStore._write_journal, "journaled")
        SearchIndex.update = dying_before(SearchIndex.update, "indexing")
        OxigraphStore._commit = dying_before(OxigraphStore._commit, "committing")
    sys.argv[0] = "kgpub"
    main()
