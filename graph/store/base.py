"""The store interface: where record graphs live. Nothing outside graph/store/ knows which one runs.

One named graph per record. A write is a batch of whole graphs: each graph in it is either
written completely or not at all, and a graph that already exists is replaced, never merged.
The store stamps each graph it writes with `<graph> dcterms:modified` (the server's Last-Modified)
and `dcterms:created` (its first write), unless the writer asks it not to (a Graph Store PUT of a
graph that holds no record), and logs the record graphs it removes: with the tombstones, the change
log harvesters follow (OAI-PMH, ResourceSync).
"""
from __future__ import annotations

import errno
import sqlite3
from abc import ABC, abstractmethod
from typing import BinaryIO, Iterable, Iterator, Mapping, NamedTuple

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from kgpub.graph import iris
from kgpub.graph.namespaces import DATACITE, KGV, LITERAL

Term = NamedNode | BlankNode | Literal

EXPORT_FORMATS = ("nquads", "trig", "turtle", "jsonld", "ntriples")
RESULT_FORMATS = ("json", "xml", "csv", "tsv", "turtle", "ntriples")


class StoreError(Exception):
    """A store problem the user can act on (locked, missing, corrupt); the message says which."""


class StoreLocked(StoreError):
    """Another process holds the store's writer (a `kgpub ingest`, `withdraw`, `merge`, a write
    over HTTP): waiting and trying again helps."""


_FULL = (errno.ENOSPC, errno.EDQUOT)
_DENIED = (errno.EACCES, errno.EPERM, errno.EROFS)


def storage_problem(err: BaseException) -> str | None:
    """A full disk or a refused permission, said in words, for an error from the store, its side
    files or a report; None for anything else. (RocksDB and SQLite say so only in their messages.)"""
    if not isinstance(err, (OSError, sqlite3.Error)):
        return None
    text, code = str(err), getattr(err, "errno", None)
    if code in _FULL or "No space left" in text or "disk is full" in text or "Disk quota" in text:
        return "the disk is full"
    if code in _DENIED or "Permission denied" in text or "Read-only file system" in text or "readonly" in text:
        return "permission denied, or the file system is read-only"
    return None


class RecordStamp(NamedTuple):
    graph: NamedNode
    modified: str  # xsd:dateTime, as the backend writes it
    created: str | None  # None for a graph written before kgpub kept it


class Store(ABC):
    """The port every backend implements: reads of record graphs and triples, atomic writes of
    whole graphs, SPARQL, a version token (`snapshot`), the search index (`search`) and the
    source records of merged works (`sources`). Backends: oxigraph.py (embedded), remote.py."""

    @abstractmethod
    def graph_digest(self, graph: NamedNode) -> str | None:
        """The graph's `kgv:contentDigest` (graph/mapping.py), or None when it is not stored."""

    def graph_digests(self, graphs: list[NamedNode]) -> dict[NamedNode, str]:
        """The digests of those of these graphs that are stored, in as few reads as the backend can."""
        return {g: d for g in graphs if (d := self.graph_digest(g)) is not None}

    @abstractmethod
    def graph_triples(self, graph: NamedNode) -> list[Triple]:
        """Everything in one named graph (empty when there is no such graph)."""

    @abstractmethod
    def triples(self, subject: Term | None = None, predicate: NamedNode | None = None,
                obj: Term | None = None) -> Iterator[Triple]:
        """Triples matching the pattern in any graph, each once."""

    @abstractmethod
    def record_graph_names(self, limit: int | None = None) -> list[NamedNode]:
        """The names of the record graphs (iris.is_record_graph), all of them or the first `limit`."""

    def graphs_triples(self, graphs: list[NamedNode]) -> dict[NamedNode, list[Triple]]:
        """Several graphs' triples (those that are stored), in as few reads as the backend can."""
        return {g: self.graph_triples(g) for g in graphs if self.has_graph(g)}

    @abstractmethod
    def record_stamps(self) -> Iterator[RecordStamp]:
        """Every record graph with when it was last and first written, in the order of the graphs'
        IRIs: what sitemaps and harvesters list."""

    @abstractmethod
    def removed_since(self, since: str | None) -> list[tuple[NamedNode, str]]:
        """Record graphs removed at or after `since` (an xsd:dateTime in UTC; None: ever), with when.
        A graph written again since is listed too: callers go by what exists."""

    @abstractmethod
    def output_graphs(self) -> Iterator[tuple[NamedNode, list[Triple]]]:
        """Every research output's graph with its triples, streamed (to rebuild indexes)."""

    @abstractmethod
    def write_graphs(self, graphs: Mapping[NamedNode, Iterable[Triple]], stamp: bool = True) -> None:
        """Write these graphs as one batch: new ones added, existing ones replaced whole; with
        stamp, each gets `<graph> dcterms:modified` now."""

    @abstractmethod
    def remove_graphs(self, graphs: Iterable[NamedNode]) -> None: ...

    @abstractmethod
    def has_graph(self, graph: NamedNode) -> bool:
        """Whether this named graph is stored."""

    @abstractmethod
    def default_graph_triples(self) -> list[Triple]:
        """The store's own default graph (not the union the SPARQL endpoint queries)."""

    @abstractmethod
    def write_default_graph(self, triples: Iterable[Triple], replace: bool) -> None:
        """Add these triples to the default graph, or replace it with them, in one transaction."""

    @abstractmethod
    def update(self, sparql: str, using: Iterable[str] = (), using_named: Iterable[str] = (),
               base_iri: str | None = None) -> None:
        """A SPARQL 1.1 Update; using/using_named are the protocol's dataset (USING / USING NAMED).
        The search index, record copies and content digests of what it changes are kept right."""

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

    def optimize(self) -> None:
        """Reorganise storage for reading after a large load (where the store has such a thing)."""

    @property
    def snapshot(self) -> str:
        """The version token: a new one after every committed write (readers' caches are keyed by
        it; for the embedded store, the name of the published snapshot)."""
        raise NotImplementedError

    def refresh(self) -> None:
        """Move to the newest version (at the start of each request)."""

    def check(self, write: bool = False) -> None:
        """Read a little of everything a request reads (and with write, try a write that changes
        nothing); raises what a request would meet."""
        self.query("ASK { ?s ?p ?o }")

    def query_engine(self, timeout: float):
        """An object whose `query(text, base_iri=…, default_graph=…, named_graphs=…,
        use_default_graph_as_union=…)` answers like pyoxigraph.Store.query: a remote server's,
        giving up after timeout seconds; the embedded snapshot's, which no time stops (the server
        runs public queries in processes it can kill: server/query_process.py)."""
        raise NotImplementedError

    def publish_snapshot(self) -> None:
        """Make everything committed visible to the server's readers now (the embedded store's
        snapshots; a remote store needs nothing)."""

    @abstractmethod
    def subjects(self, predicate: NamedNode, obj: Term) -> set[NamedNode]:
        """Subjects of the triples with this predicate and object, in any graph (an index lookup)."""

    @abstractmethod
    def objects(self, subject: NamedNode, predicate: NamedNode) -> set[Term]:
        """Objects of the triples with this subject and predicate, in any graph (an index lookup)."""

    def find_outputs(self, claims: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """For each identity claim that names a stored research output, that output's key.

        claims are graph.keys.identity_claims(): ("doi", …), ("pure", …), ("content", …). A DOI
        or Pure UUID is found through the identifier node carrying it. A content key (title,
        year, first author) only finds outputs known by nothing stronger: two works with a DOI
        or UUID each are never merged because their titles match ("Editorial"). Index lookups
        only, since ingest asks this for every record.
        """
        found = {}
        for scheme, value in set(claims):
            if scheme == "content":
                owners = {o for o in self.subjects(KGV.contentKey, Literal(value))
                          if not self.objects(o, DATACITE.hasIdentifier)}
            else:
                identifiers = self.subjects(LITERAL.hasLiteralValue, Literal(value))
                owners = {o for i in identifiers for o in self.subjects(DATACITE.hasIdentifier, i)}
            if key := output_key(owners):
                found[(scheme, value)] = key
        return found

    def find_journals(self, claims: Iterable[tuple[str, str]]) -> dict[tuple[str, str], dict[str, int]]:
        """For each journal claim (graph/journals.py: ("issn", …) or ("name", …)), the stored
        journals it names, by key, with how many record graphs give it to them. A few queries per
        batch of claims, on every backend."""
        claims = set(claims)
        found: dict[tuple[str, str], dict[str, int]] = {}
        for scheme, pattern in JOURNAL_CLAIM_PATTERNS.items():
            values = sorted({v for s, v in claims if s == scheme})
            for start in range(0, len(values), CLAIM_CHUNK):
                literals = " ".join(str(Literal(v)) for v in values[start:start + CLAIM_CHUNK])
                for row in self.query(f"SELECT ?v ?j (COUNT(DISTINCT ?g) AS ?n) WHERE {{ VALUES ?v {{ {literals} }} "
                                      f"GRAPH ?g {{ {pattern} }} }} GROUP BY ?v ?j"):
                    if key := iris.journal_key(row["j"].value):
                        found.setdefault((scheme, row["v"].value), {})[key] = int(row["n"].value)
        return found

    def journals_with_issn(self, journals: Iterable[NamedNode]) -> set[NamedNode]:
        """Which of these stored journals have an ISSN (the only identifiers a journal has)."""
        journals, found = sorted(set(journals), key=lambda j: j.value), set()
        for start in range(0, len(journals), CLAIM_CHUNK):
            values = " ".join(str(j) for j in journals[start:start + CLAIM_CHUNK])
            rows = self.query(f"SELECT DISTINCT ?j WHERE {{ VALUES ?j {{ {values} }} "
                              f"GRAPH ?g {{ ?j {DATACITE.hasIdentifier} ?i }} }}")
            found.update(row["j"] for row in rows)
        return found


# What a journal claim matches in a record graph: an ISSN on the journal's identifier, or a name key.
JOURNAL_CLAIM_PATTERNS = {
    "issn": f"?j {DATACITE.hasIdentifier} ?i . ?i {LITERAL.hasLiteralValue} ?v",
    "name": f"?j {KGV.nameKey} ?v",
}
CLAIM_CHUNK = 200


def output_key(owners) -> str | None:
    """The key of the first research output among the things an identity claim names."""
    outputs = sorted(o.value for o in owners if iris.is_output(o.value))
    return outputs[0].rsplit("/", 1)[-1] if outputs else None
