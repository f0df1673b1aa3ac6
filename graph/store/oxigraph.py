"""The embedded store: pyoxigraph on disk (RocksDB), the default.

Writes are crash-safe per record:
- graphs that replace stored ones go through one SPARQL update (DROP + INSERT DATA), which
  Oxigraph applies in a single transaction;
- new graphs go through the bulk loader, which is fast but not transactional. Before a bulk
  batch the graph names are written to an intent file beside the database, and removed after.
  If the process dies in between, the next opening removes those graphs: they were new, so
  nothing that was stored before is lost, and no half-written record stays visible.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import BinaryIO, Iterable, Mapping

import pyoxigraph
from pyoxigraph import NamedNode, Quad, QueryResultsFormat, RdfFormat, Triple

from kgpub.graph.namespaces import PREFIXES
from kgpub.graph.store.base import Store, StoreError

RDF_FORMATS = {
    "nquads": RdfFormat.N_QUADS,
    "trig": RdfFormat.TRIG,
    "turtle": RdfFormat.TURTLE,
    "jsonld": RdfFormat.JSON_LD,
    "ntriples": RdfFormat.N_TRIPLES,
}
RESULT_FORMATS = {
    "json": QueryResultsFormat.JSON,
    "xml": QueryResultsFormat.XML,
    "csv": QueryResultsFormat.CSV,
    "tsv": QueryResultsFormat.TSV,
}
INTENT_FILE = "kgpub-bulk-intent.json"
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
        self._recover_interrupted_bulk_load()

    @property
    def _intent_path(self) -> Path:
        return self.path.parent / f".{self.path.name}.{INTENT_FILE}"

    def _recover_interrupted_bulk_load(self) -> None:
        if not self._intent_path.exists():
            return
        pending = json.loads(self._intent_path.read_text() or "[]")
        for graph in pending:
            self._store.remove_graph(NamedNode(graph))
        self._store.flush()
        self._intent_path.unlink()

    def graph_triples(self, graph: NamedNode) -> set[Triple]:
        return {q.triple for q in self._store.quads_for_pattern(None, None, None, graph)}

    def has_graph(self, graph: NamedNode) -> bool:
        return self._store.contains_named_graph(graph)

    def write_graphs(self, graphs: Mapping[NamedNode, Iterable[Triple]]) -> None:
        new = {g: t for g, t in graphs.items() if not self._store.contains_named_graph(g)}
        existing = {g: t for g, t in graphs.items() if g not in new}
        if existing:
            self._replace(existing)
        if new:
            self._bulk_add(new)

    def _replace(self, graphs: Mapping[NamedNode, Iterable[Triple]]) -> None:
        operations = []
        for graph, triples in graphs.items():
            body = " .\n".join(str(t) for t in triples)
            operations.append(f"DROP SILENT GRAPH {graph} ;\nINSERT DATA {{ GRAPH {graph} {{\n{body} }} }}")
        self._store.update(" ;\n".join(operations))

    def _bulk_add(self, graphs: Mapping[NamedNode, Iterable[Triple]]) -> None:
        self._intent_path.write_text(json.dumps([g.value for g in graphs]))
        self._store.bulk_extend(
            Quad(t.subject, t.predicate, t.object, graph) for graph, triples in graphs.items() for t in triples
        )
        self._store.flush()
        self._intent_path.unlink()

    def remove_graphs(self, graphs: Iterable[NamedNode]) -> None:
        drops = " ;\n".join(f"DROP SILENT GRAPH {g}" for g in graphs)
        if drops:
            self._store.update(drops)

    def query(self, sparql: str):
        try:
            return self._store.query(sparql, use_default_graph_as_union=True)
        except SyntaxError as err:
            raise StoreError(f"the query is not valid SPARQL: {err}") from None

    def query_to(self, sparql: str, output: BinaryIO, format: str | None) -> None:
        result = self.query(sparql)
        if isinstance(result, pyoxigraph.QueryTriples):
            rdf_format = RDF_FORMATS.get(format or "turtle")
            if rdf_format is None:
                raise StoreError(f"a CONSTRUCT or DESCRIBE result cannot be written as {format}; "
                                 "use turtle or ntriples")
            pyoxigraph.serialize(result, output, rdf_format, prefixes=EXPORT_PREFIXES)
            return
        results_format = RESULT_FORMATS.get(format or "json")
        if results_format is None:
            raise StoreError(f"a SELECT or ASK result cannot be written as {format}; use json, xml, csv or tsv")
        result.serialize(output, results_format)

    def export(self, output: BinaryIO, format: str) -> None:
        rdf_format = RDF_FORMATS[format]
        if rdf_format.supports_datasets:
            self._store.dump(output, rdf_format, prefixes=EXPORT_PREFIXES if format == "trig" else None)
            return
        # Formats without graphs get the union of all graphs, each triple once.
        union = self._store.query("SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
        triples = (Triple(row[0], row[1], row[2]) for row in union)
        prefixes = EXPORT_PREFIXES if format == "turtle" else None
        pyoxigraph.serialize(triples, output, rdf_format, prefixes=prefixes)

    def count_graphs(self) -> int:
        return sum(1 for _ in self._store.named_graphs())

    def close(self) -> None:
        self._store.flush()
        del self._store
