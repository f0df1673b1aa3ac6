"""The embedded store: pyoxigraph on disk (RocksDB), the default.

Writes go through Oxigraph's bulk loader, several times faster than its transactions (and than
a SPARQL update) but not transactional. So each batch is journaled: before it, the names of the
graphs it writes and the current content of those it replaces go into a journal beside the
database (synced to disk); after it, the journal is deleted. If the process dies in between, the
next opening removes the batch's graphs and puts the replaced ones back as they were: nothing
stored before is lost, and no half-written record stays visible.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import BinaryIO, Iterable, Mapping

import pyoxigraph
from pyoxigraph import NamedNode, Quad, QueryResultsFormat, RdfFormat, Triple

from kgpub.graph.namespaces import KGV, PREFIXES
from kgpub.graph.store.base import Store, StoreError

RDF_FORMATS = {
    "nquads": RdfFormat.N_QUADS,
    "trig": RdfFormat.TRIG,
    "turtle": RdfFormat.TURTLE,
    "jsonld": RdfFormat.JSON_LD,
    "ntriples": RdfFormat.N_TRIPLES,
}
QUERY_RESULT_FORMATS = {
    "json": QueryResultsFormat.JSON,
    "xml": QueryResultsFormat.XML,
    "csv": QueryResultsFormat.CSV,
    "tsv": QueryResultsFormat.TSV,
}
JOURNAL_SUFFIX = ".kgpub-journal"  # {store}.kgpub-journal.json: the graphs; .nq: their old content
# Prefixes worth writing into Turtle/TriG exports (the ones our data uses).
EXPORT_PREFIXES = {p: iri for p, iri in PREFIXES.items() if p not in ("rdfs", "schema")}


class OxigraphStore(Store):
    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        try:
            self._store = pyoxigraph.Store(str(self.path))
        except OSError as err:
            raise StoreError(f"cannot open the store at {self.path}: {err}") from None
        self._recover_interrupted_write()

    def _journal(self, suffix: str) -> Path:
        return self.path.parent / f".{self.path.name}{JOURNAL_SUFFIX}{suffix}"

    def _recover_interrupted_write(self) -> None:
        names, old_content = self._journal(".json"), self._journal(".nq")
        if not names.exists():
            return
        for graph in json.loads(names.read_text() or "[]"):
            self._store.remove_graph(NamedNode(graph))
        if old_content.exists():
            self._store.bulk_load(path=str(old_content), format=RdfFormat.N_QUADS)
        self._store.flush()
        names.unlink()
        old_content.unlink(missing_ok=True)

    def graph_digest(self, graph: NamedNode) -> str | None:
        digests = self._store.quads_for_pattern(graph, KGV.contentDigest, None, graph)
        return next((q.object.value for q in digests), None)

    def subjects(self, predicate: NamedNode, obj) -> set[NamedNode]:
        return {q.subject for q in self._store.quads_for_pattern(None, predicate, obj, None)}

    def objects(self, subject: NamedNode, predicate: NamedNode) -> set:
        return {q.object for q in self._store.quads_for_pattern(subject, predicate, None, None)}

    def write_graphs(self, graphs: Mapping[NamedNode, Iterable[Triple]]) -> None:
        replaced = [g for g in graphs if self._store.contains_named_graph(g)]
        self._write_journal(graphs, replaced)
        for graph in replaced:
            self._store.remove_graph(graph)
        self._store.bulk_extend(
            Quad(t.subject, t.predicate, t.object, graph) for graph, triples in graphs.items() for t in triples
        )
        self._store.flush()
        self._journal(".json").unlink()
        self._journal(".nq").unlink(missing_ok=True)

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
        drops = " ;\n".join(f"DROP SILENT GRAPH {g}" for g in graphs)
        if drops:
            self._store.update(drops)

    def query(self, sparql: str):
        try:
            return self._store.query(sparql, use_default_graph_as_union=True)
        except SyntaxError as err:
            raise StoreError(f"the query is not valid SPARQL: {err}") from None
        except (OSError, RuntimeError, ValueError) as err:
            raise StoreError(f"the query failed: {err}") from None

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
        rdf_format = RDF_FORMATS[format]
        if rdf_format.supports_datasets:
            self._store.dump(output, rdf_format, prefixes=EXPORT_PREFIXES if format == "trig" else None)
            return
        # Formats without graphs get the triples of every graph, streamed. A triple that several
        # record graphs share (a journal's title) is written once per graph: still the same RDF
        # graph, and no set of every triple held in memory to drop the repeats.
        triples = (q.triple for q in self._store.quads_for_pattern(None, None, None, None))
        prefixes = EXPORT_PREFIXES if format == "turtle" else None
        pyoxigraph.serialize(triples, output, rdf_format, prefixes=prefixes)

    def close(self) -> None:
        self._store.flush()
        del self._store


def _sync(stream) -> None:
    stream.flush()
    os.fsync(stream.fileno())
