"""The store interface: where record graphs live. Nothing outside graph/store/ knows which one runs.

One named graph per record. A write is a batch of whole graphs: each graph in it is either
written completely or not at all, and a graph that already exists is replaced, never merged.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import BinaryIO, Iterable, Mapping

from pyoxigraph import Literal, NamedNode, Triple

from kgpub.graph.namespaces import PREFIXES

EXPORT_FORMATS = ("nquads", "trig", "turtle", "jsonld", "ntriples")
RESULT_FORMATS = ("json", "xml", "csv", "tsv", "turtle", "ntriples")
SPARQL_PREFIXES = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())

# How a stored output carries each kind of identity claim (graph/keys.py), with ?value bound.
CLAIM_PATTERNS = {
    "doi": "?output datacite:hasIdentifier ?id . ?id datacite:usesIdentifierScheme datacite:doi ; "
           "literal:hasLiteralValue ?value .",
    "pure": "?output datacite:hasIdentifier ?id . ?id kgv:identifierSource 'Pure' ; "
            "literal:hasLiteralValue ?value .",
    "content": "?output kgv:contentKey ?value .",
}


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

    def find_outputs(self, claims: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """For each identity claim that names a stored output, that output's key.

        claims are graph.keys.identity_claims(): ("doi", …), ("pure", …), ("content", …). One
        query per scheme for a whole batch, since ingest asks this for every record.
        """
        wanted = sorted(set(claims))
        found = {}
        for scheme, pattern in CLAIM_PATTERNS.items():
            values = " ".join(str(Literal(v)) for s, v in wanted if s == scheme)
            if not values:
                continue
            rows = self.query(f"{SPARQL_PREFIXES}SELECT ?value ?output WHERE {{ VALUES ?value {{ {values} }} "
                              f"?output dcterms:type ?type . {pattern} }}")
            for row in rows:
                found[(scheme, row["value"].value)] = row["output"].value.rsplit("/", 1)[-1]
        return found
