"""The embedded store: pyoxigraph on disk (RocksDB), the default.

Writes go through Oxigraph's bulk loader, several times faster than its transactions (and than
a SPARQL update) but not transactional. So each batch is journaled: before it, the names of the
graphs it writes and the current content of those it replaces go into a journal beside the
database (synced to disk); after it, the journal is deleted. If the process dies in between, the
next opening removes the batch's graphs and puts the replaced ones back as they were: nothing
stored before is lost, and no half-written record stays visible. Removals are journaled the same way.

Server processes never open the database itself: they read published snapshots (SnapshotStore,
see snapshots.py and docs/serving.md).
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator, Mapping

import pyoxigraph
from pyoxigraph import DefaultGraph, NamedNode, Quad, QueryResultsFormat, RdfFormat, Triple

from kgpub.graph import iris
from kgpub.graph.namespaces import DCTERMS, EXPORT_PREFIXES, KGV
from kgpub.graph.search import SearchIndex
from kgpub.graph.sources import SourceRecords
from kgpub.graph.store import snapshots
from kgpub.graph.store.updates import UpdateError, plan_update
from kgpub.graph.store.record_copies import RecordCopies
from kgpub.graph.store.removal_log import RemovalLog
from kgpub.graph.store.shared_opens import SharedOpens
from kgpub.graph.store.base import RecordStamp, Store, StoreError, StoreLocked, storage_problem
from kgpub.graph.store.formats import RDF_FORMATS, write_quads
from kgpub.graph.store.record_updates import settle_after_update, stamped

QUERY_RESULT_FORMATS = {
    "json": QueryResultsFormat.JSON,
    "xml": QueryResultsFormat.XML,
    "csv": QueryResultsFormat.CSV,
    "tsv": QueryResultsFormat.TSV,
}
SEARCH_FILE = "search.sqlite"  # in {store}/kgpub/, beside the snapshots
COPIES_FILE = "records.sqlite"
REMOVED_FILE = "removed.sqlite"  # record graphs removed, with when (removal_log.py)
SOURCES_FILE = "sources.sqlite"  # the source records each work was merged from (graph/sources.py)
JOURNAL_SUFFIX = ".kgpub-journal"  # {store}.kgpub-journal.json: the graphs; .nq: their old content


class OxigraphReads(Store):
    """Everything that reads: shared by the writer's store and the readers' snapshots."""

    @property
    def db(self) -> pyoxigraph.Store:
        raise NotImplementedError

    def graph_digest(self, graph: NamedNode) -> str | None:
        digests = self.db.quads_for_pattern(graph, KGV.contentDigest, None, graph)
        return next((q.object.value for q in digests), None)

    def graph_triples(self, graph: NamedNode) -> list[Triple]:
        return [q.triple for q in self.db.quads_for_pattern(None, None, None, graph)]

    def has_graph(self, graph: NamedNode) -> bool:
        return self.db.contains_named_graph(graph)

    def default_graph_triples(self) -> list[Triple]:
        return [q.triple for q in self.db.quads_for_pattern(None, None, None, DefaultGraph())]

    def triples(self, subject=None, predicate=None, obj=None) -> Iterator[Triple]:
        seen = set()
        for quad in self.db.quads_for_pattern(subject, predicate, obj, None):
            if quad.triple not in seen:
                seen.add(quad.triple)
                yield quad.triple

    def subjects(self, predicate: NamedNode, obj) -> set[NamedNode]:
        return {q.subject for q in self.db.quads_for_pattern(None, predicate, obj, None)}

    def objects(self, subject: NamedNode, predicate: NamedNode) -> set:
        return {q.object for q in self.db.quads_for_pattern(subject, predicate, None, None)}

    def record_stamps(self) -> Iterator[RecordStamp]:
        created = dict(self._stamps(DCTERMS.created))
        stamps = (RecordStamp(graph, modified, created.get(graph)) for graph, modified in self._stamps(DCTERMS.modified))
        return iter(sorted(stamps, key=lambda stamp: stamp.graph.value))

    def _stamps(self, predicate: NamedNode) -> Iterator[tuple[NamedNode, str]]:
        return ((q.graph_name, q.object.value) for q in self.db.quads_for_pattern(None, predicate, None, None)
                if q.subject == q.graph_name and iris.is_record_graph(q.subject))

    def output_graphs(self) -> Iterator[tuple[NamedNode, list[Triple]]]:
        for graph in self.db.named_graphs():
            if isinstance(graph, NamedNode) and iris.is_record_graph(graph):
                yield graph, self.graph_triples(graph)

    def query(self, sparql: str):
        try:
            return self.db.query(sparql, use_default_graph_as_union=True)
        except SyntaxError as err:
            raise StoreError(f"the query is not valid SPARQL: {err}") from None
        except (OSError, RuntimeError, ValueError) as err:
            raise StoreError(f"the query failed: {err}") from None

    def query_engine(self, timeout: float | None) -> pyoxigraph.Store:
        """Without a limit: pyoxigraph cannot stop a query (server/query_process.py can)."""
        return self.db

    def query_to(self, sparql: str, output: BinaryIO, format: str | None) -> None:
        result = self.query(sparql)
        try:  # results are computed while they are written, so evaluation errors surface here
            if isinstance(result, pyoxigraph.QueryTriples):
                rdf_format = RDF_FORMATS.get(format or "turtle")
                if rdf_format is None:
                    raise StoreError(f"a CONSTRUCT or DESCRIBE result cannot be written as {format}; "
                                     "use turtle or ntriples")
                pyoxigraph.serialize(result, output, rdf_format, prefixes=EXPORT_PREFIXES)
                return
            results_format = QUERY_RESULT_FORMATS.get(format or "json")
            if results_format is None:
                raise StoreError(f"a SELECT or ASK result cannot be written as {format}; use json, xml, csv or tsv")
            result.serialize(output, results_format)
        except (OSError, RuntimeError, ValueError) as err:
            raise StoreError(f"the query failed: {err}") from None

    def export(self, output: BinaryIO, format: str) -> None:
        if RDF_FORMATS[format].supports_datasets:  # Oxigraph's own dump, the fastest
            prefixes = EXPORT_PREFIXES if format == "trig" else None
            self.db.dump(output, RDF_FORMATS[format], prefixes=prefixes)
            return
        write_quads(self.db.quads_for_pattern(None, None, None, None), output, format)

    def record_graph_names(self, limit: int | None = None) -> list[NamedNode]:
        graphs = (g for g in self.db.named_graphs() if isinstance(g, NamedNode) and iris.is_record_graph(g))
        return list(islice(graphs, limit))

    def graphs_triples(self, graphs: list[NamedNode]) -> dict[NamedNode, list[Triple]]:
        return {g: self.graph_triples(g) for g in graphs if self.db.contains_named_graph(g)}


class OxigraphStore(OxigraphReads):
    """The one writer of a store folder. Every committed write also updates the search index
    (graph/search.py) and the record copies (record_copies.py) and publishes a snapshot for the
    readers (snapshots.py); a missing side file is rebuilt from the records when opened."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            self._store = pyoxigraph.Store(str(self.path))
        except OSError as err:
            if "lock" in str(err).lower():
                raise StoreLocked(f"cannot open the store at {self.path}: another process is writing it") from None
            problem = storage_problem(err) or err
            raise StoreError(f"cannot open the store at {self.path}: {problem}") from None
        missing = [name for name in (SEARCH_FILE, COPIES_FILE) if not (self.path / "kgpub" / name).exists()]
        self.search = SearchIndex(self.path / "kgpub" / SEARCH_FILE)
        self.copies = RecordCopies(self.path / "kgpub" / COPIES_FILE)
        self.sources = SourceRecords(self.path / "kgpub" / SOURCES_FILE)
        self.removals = RemovalLog(self.path / "kgpub" / REMOVED_FILE)
        recovered = self._recover_interrupted_write()
        if recovered:
            self._reindex(recovered)
        if SEARCH_FILE in missing:  # a store from before the index, or the file was deleted
            self.search.rebuild(self.output_graphs())
        if COPIES_FILE in missing:
            self.copies.rebuild(self.output_graphs())
        if recovered or not (snapshots.snapshot_root(self.path) / snapshots.CURRENT).exists():
            snapshots.publish(self._store, self.path)

    @property
    def db(self) -> pyoxigraph.Store:
        return self._store

    def _journal(self, suffix: str) -> Path:
        return self.path.parent / f".{self.path.name}{JOURNAL_SUFFIX}{suffix}"

    def _recover_interrupted_write(self) -> list[NamedNode]:
        """Undo a batch that did not finish; the graphs it touched."""
        names, old_content = self._journal(".json"), self._journal(".nq")
        if not names.exists():
            return []
        graphs = [NamedNode(g) for g in json.loads(names.read_text() or "[]")]
        for graph in graphs:
            self._store.remove_graph(graph)
        if old_content.exists():
            self._store.bulk_load(path=str(old_content), format=RdfFormat.N_QUADS)
        self._store.flush()
        names.unlink()
        old_content.unlink(missing_ok=True)
        return graphs

    def _reindex(self, graphs: list[NamedNode]) -> None:
        present = {g: self.graph_triples(g) for g in graphs if self._store.contains_named_graph(g)}
        for derived in (self.search, self.copies):
            derived.remove(graphs)
            derived.update(present)

    def write_graphs(self, graphs: Mapping[NamedNode, Iterable[Triple]], stamp: bool = True) -> None:
        graphs = {graph: list(triples) for graph, triples in graphs.items()}
        replaced = [g for g in graphs if self._store.contains_named_graph(g)]
        self._write_journal(graphs, replaced)
        created = {q.graph_name: q.object for g in replaced for q in self._store.quads_for_pattern(g, DCTERMS.created, None, g)}
        for graph in replaced:
            self._store.remove_graph(graph)
        stamped_graphs = stamped(graphs, created) if stamp else graphs
        self._store.bulk_extend(Quad(t.subject, t.predicate, t.object, g) for g, ts in stamped_graphs.items() for t in ts)
        self._store.flush()
        self.search.update(graphs)
        self.copies.update(stamped_graphs)
        self._commit()

    def removed_since(self, since: str | None) -> list[tuple[NamedNode, str]]:
        return self.removals.since(since)

    def _write_journal(self, graphs: Iterable[NamedNode], replaced: list[NamedNode]) -> None:
        """The old content first, then the list of graphs, which is what makes the journal count
        (a leftover .nq without its .json is from a batch that never started, and is dropped)."""
        self._journal(".nq").unlink(missing_ok=True)
        if replaced:
            old = (q for graph in replaced for q in self._store.quads_for_pattern(None, None, None, graph))
            with self._journal(".nq").open("wb") as out:
                pyoxigraph.serialize(old, out, RdfFormat.N_QUADS)
                _sync(out)
        # Written aside and renamed: the list is there whole or not at all.
        pending = self._journal(".json.tmp")
        with pending.open("w") as out:
            json.dump([g.value for g in graphs], out)
            _sync(out)
        os.replace(pending, self._journal(".json"))

    def remove_graphs(self, graphs: Iterable[NamedNode]) -> None:
        """Journaled like a write: after a crash the graphs are all back, and so are their
        search entries and copies (recovery re-indexes what it restores)."""
        graphs = [g for g in graphs if self._store.contains_named_graph(g)]
        if not graphs:
            return
        self._write_journal(graphs, graphs)
        for graph in graphs:
            self._store.remove_graph(graph)
        self._store.flush()
        self.search.remove(graphs)
        self.copies.remove(graphs)
        self.removals.note(g for g in graphs if iris.is_record_graph(g))
        self._commit()

    def write_default_graph(self, triples: Iterable[Triple], replace: bool) -> None:
        """One SPARQL update, so one transaction: readers never see the graph half replaced."""
        data = pyoxigraph.serialize(list(triples), format=RdfFormat.N_TRIPLES).decode("utf-8")
        self._store.update(("DROP SILENT DEFAULT ;\n" if replace else "") + f"INSERT DATA {{\n{data}}}")
        self.publish_snapshot()

    def update(self, sparql: str, using: Iterable[str] = (), using_named: Iterable[str] = (),
               base_iri: str | None = None) -> None:
        """A SPARQL 1.1 Update (transactional in Oxigraph), then the derived data of the record
        graphs it may have changed put right: digests, search entries, copies (updates.py)."""
        plan = plan_update(sparql, using, using_named, base_iri)
        records = None if plan.graphs is None else [NamedNode(g) for g in plan.graphs if iris.is_record_graph(g)]
        # Readers trust a copy whose digest matches the graph's: drop the copies the update may
        # make stale before it runs, so that a crash in between cannot leave one trusted.
        if records is None:
            self.copies.rebuild(())
        else:
            self.copies.remove(records)
        try:
            self._store.update(plan.text, base_iri=base_iri)
        except SyntaxError as err:
            raise UpdateError(f"the update is not valid SPARQL: {err}") from None
        except (OSError, RuntimeError, ValueError) as err:
            raise UpdateError(f"the update failed: {err}") from None
        finally:
            self._settle_after_update(records)

    def _settle_after_update(self, records: list[NamedNode] | None) -> None:
        """Digests put right (record_updates.py; write_graphs keeps search and copies in step for
        the graphs it rewrites), the other derived data after them, a snapshot published."""
        changed, unchanged, gone = settle_after_update(self, records)
        self.search.remove(gone)
        self.copies.remove(gone)
        self.removals.note(gone)
        if records is None:
            self.search.rebuild(self.output_graphs())
            self.copies.rebuild(self.output_graphs())
        else:
            self.copies.update(unchanged)
        if not changed:
            self.publish_snapshot()

    def _commit(self) -> None:
        """The batch is on disk with its index entries: drop its journal, show it to readers."""
        self._journal(".json").unlink()
        self._journal(".nq").unlink(missing_ok=True)
        self.publish_snapshot()

    def publish_snapshot(self) -> None:
        snapshots.publish(self._store, self.path)

    @property
    def snapshot(self) -> str:
        return (snapshots.snapshot_root(self.path) / snapshots.CURRENT).read_text().strip()

    def optimize(self) -> None:
        self._store.optimize()
        self.publish_snapshot()

    def close(self) -> None:
        self._store.flush()
        self.search.close()
        self.copies.close()
        self.sources.close()
        self.removals.close()
        del self._store


class SnapshotStore(OxigraphReads):
    """A reader's view of a store folder another process may be writing: the newest published
    snapshot, followed as it moves. Call `refresh()` at the start of each request."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._reader = snapshots.SnapshotReader(self.path)
        self._db = self._reader.current()
        self._side_key = self.path.resolve()
        try:
            side = _side_files.hold(self._side_key, lambda: _SideFiles.of(self.path))
        except BaseException:
            self._reader.close()  # let go of the snapshot held above
            raise
        self.search, self.copies = side.search, side.copies
        self._removals = None

    def graph_triples(self, graph: NamedNode) -> list[Triple]:
        """From the record's copy when it is the snapshot's version (record_copies.py)."""
        copy = self.copies.get(graph) if self.copies else None
        if copy is not None and copy[0] == self.graph_digest(graph):
            return copy[1]
        return super().graph_triples(graph)

    def refresh(self) -> None:
        self._db = self._reader.current()

    def removed_since(self, since: str | None) -> list[tuple[NamedNode, str]]:
        """(The log is made by the store's first write since kgpub kept one: until then, nothing.)"""
        if self._removals is None and (self.path / "kgpub" / REMOVED_FILE).exists():
            self._removals = RemovalLog(self.path / "kgpub" / REMOVED_FILE, read_only=True)
        return self._removals.since(since) if self._removals else []

    def check(self, write: bool = False) -> None:
        """Read a little of every file a request reads; raises what a request would meet (a
        snapshot is never written)."""
        self._db.query("ASK { ?s ?p ?o }")
        self.search.check()
        if self.copies:
            self.copies.check()

    @property
    def snapshot(self) -> str:
        return self._reader.name

    @property
    def db(self) -> pyoxigraph.Store:
        return self._db

    def write_graphs(self, graphs, stamp: bool = True) -> None:
        raise StoreError("this is a read-only view of the store; write through `kgpub ingest`")

    def remove_graphs(self, graphs) -> None:
        raise StoreError("this is a read-only view of the store; write through `kgpub ingest`")

    def write_default_graph(self, triples, replace: bool) -> None:
        raise StoreError("this is a read-only view of the store; write through `kgpub ingest`")

    def update(self, sparql: str, using=(), using_named=(), base_iri=None) -> None:
        raise StoreError("this is a read-only view of the store; write through `kgpub ingest`")

    def close(self) -> None:
        _side_files.let_go(self._side_key)
        if self._removals:
            self._removals.close()
        self._db = None
        self._reader.close()


@dataclass
class _SideFiles:
    """A reader's side files, opened once per process (shared_opens.py): the search index, and the
    record copies, or None without them (a store opened by an older kgpub and held by an ingest
    now: records are then read from the store)."""
    search: SearchIndex
    copies: RecordCopies | None

    @classmethod
    def of(cls, store_path: Path) -> _SideFiles:
        copies = store_path / "kgpub" / COPIES_FILE
        return cls(SearchIndex(store_path / "kgpub" / SEARCH_FILE, read_only=True),
                   RecordCopies(copies, read_only=True) if copies.exists() else None)

    def close(self) -> None:
        self.search.close()
        if self.copies:
            self.copies.close()


_side_files = SharedOpens(close=_SideFiles.close)


def _sync(stream) -> None:
    stream.flush()
    os.fsync(stream.fileno())
