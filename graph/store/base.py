"""The store interface: where record graphs live. Nothing outside graph/store/ knows which one runs.

One named graph per record. A write is a batch of whole graphs: each graph in it is either
written completely or not at all, and a graph that already exists is replaced, never merged.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import BinaryIO, Iterable, Mapping

from pyoxigraph import NamedNode, Triple

from kgpub.graph.namespaces import PREFIXES

EXPORT_FORMATS = ("nquads", "trig", "turtle", "jsonld", "ntriples")
RESULT_FORMATS = ("json", "xml", "csv", "tsv", "turtle", "ntriples")


class StoreError(Exception):
    """A store problem the user can act on (locked, missing, corrupt); the message says which."""


class Store(ABC):
    @abstractmethod
    def graph_triples(self, graph: NamedNode) -> set[Triple]:
        """The triples of one named graph (empty when it does not exist)."""

    @abstractmethod
    def has_graph(self, graph: NamedNode) -> bool: ...

    @abstractmethod
    def write_graphs(self, graphs: Mapping[NamedNode, Iterable[Triple]]) -> None:
        """Write these graphs as one batch: new ones added, existing ones replaced whole."""

    @abstractmethod
    def remove_graphs(self, graphs: Iterable[NamedNode]) -> None: ...

    @abstractmethod
    def query(self, sparql: str):
        """A SPARQL query over the union of all graphs; pyoxigraph result objects."""

    @abstractmethod
    def export(self, output: BinaryIO, format: str) -> None:
        """Stream everything (vocabularies included) in one of EXPORT_FORMATS."""

    @abstractmethod
    def query_to(self, sparql: str, output: BinaryIO, format: str | None) -> None:
        """Run a query and stream its results in one of RESULT_FORMATS (None: JSON or Turtle)."""

    def close(self) -> None:
        """Release the store (locks, files)."""

    def find_output(self, claims: list[tuple[str, str]]) -> str | None:
        """The key of a stored output that shares an identifier with these claims, strongest first.

        claims are graph.keys.identity_claims(): ("doi", …), ("pure", …), ("content", …).
        """
        for scheme, value in claims:
            key = self._find_output_by(scheme, value)
            if key:
                return key
        return None

    def _find_output_by(self, scheme: str, value: str) -> str | None:
        literal = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
        if scheme == "content":
            pattern = f"?output kgv:contentKey {literal} ."
        else:
            scheme_iri = "datacite:doi" if scheme == "doi" else "datacite:local-resource-identifier-scheme"
            pattern = (f"?output datacite:hasIdentifier ?id . ?id literal:hasLiteralValue {literal} ; "
                       f"datacite:usesIdentifierScheme {scheme_iri} .")
        prefixes = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
        rows = list(self.query(f"{prefixes}SELECT ?output WHERE {{ {pattern} }} LIMIT 1"))
        if not rows:
            return None
        return rows[0]["output"].value.rsplit("/", 1)[-1]
