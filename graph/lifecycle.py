"""Withdrawn and merged records: published IRIs never change, so a record taken
down leaves a tombstone, and a duplicate folded into another record points to it.

Tombstones live in one named graph, `{base}graph/lifecycle` (iris.py), about the outputs A, B, C:
    <A> prov:invalidatedAtTime "…"^^xsd:dateTime ; kgv:withdrawalReason "…" .
    <B> prov:invalidatedAtTime "…"^^xsd:dateTime ; dcterms:isReplacedBy <C> .
The record's own graph is removed, so it leaves SPARQL results, search and dumps; the server
answers 410 Gone (withdrawn) or 301 to the survivor (merged); ingest refuses to bring it back.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pyoxigraph import Literal, NamedNode, Triple

from kgpub.graph import iris
from kgpub.graph.mapping import with_digest
from kgpub.graph.namespaces import DCTERMS, KGV, PROV, XSD
from kgpub.graph.store import Store



class LifecycleError(ValueError):
    """The change cannot be made; the message says why."""


@dataclass(frozen=True)
class Tombstone:
    iri: str
    invalidated: dt.datetime
    reason: str | None = None
    replaced_by: str | None = None  # set when merged

    def triples(self) -> list[Triple]:
        subject = NamedNode(self.iri)
        stamp = Literal(self.invalidated.isoformat(), datatype=XSD.dateTime)
        triples = [Triple(subject, PROV.invalidatedAtTime, stamp)]
        if self.reason:
            triples.append(Triple(subject, KGV.withdrawalReason, Literal(self.reason)))
        if self.replaced_by:
            triples.append(Triple(subject, DCTERMS.isReplacedBy, NamedNode(self.replaced_by)))
        return triples


def tombstone(store: Store, iri: str) -> Tombstone | None:
    """The tombstone of a withdrawn or merged thing, None while it is published (index lookups)."""
    subject = NamedNode(iri)
    return _read_tombstone(iri, {p: [o.value for o in store.objects(subject, p)] for p in TOMBSTONE_FIELDS})


def tombstones(store: Store, base: str) -> dict[str, Tombstone]:
    """Every tombstone, by IRI: the whole lifecycle graph in one read (it holds one entry per
    withdrawn or merged record, so it stays small)."""
    about: dict[str, dict[NamedNode, list[str]]] = {}
    for t in _lifecycle_triples(store, iris.graph(base, iris.LIFECYCLE_GRAPH)):
        about.setdefault(t.subject.value, {}).setdefault(t.predicate, []).append(t.object.value)
    return {iri: stone for iri, fields in about.items() if (stone := _read_tombstone(iri, fields))}


TOMBSTONE_FIELDS = (PROV.invalidatedAtTime, KGV.withdrawalReason, DCTERMS.isReplacedBy)


def _read_tombstone(iri: str, fields: dict[NamedNode, list[str]]) -> Tombstone | None:
    """A tombstone from its fields' values (None without an invalidation time)."""
    if not fields.get(PROV.invalidatedAtTime):
        return None
    return Tombstone(iri, dt.datetime.fromisoformat(min(fields[PROV.invalidatedAtTime])),
                     next(iter(fields.get(KGV.withdrawalReason, [])), None),
                     next(iter(fields.get(DCTERMS.isReplacedBy, [])), None))


def withdraw(store: Store, base: str, key: str, reason: str) -> Tombstone:
    iri = iris.output(base, key)
    if tombstone(store, iri.value) is None and store.graph_digest(iris.record_graph(base, key)) is None:
        raise LifecycleError(f"there is no record {iri.value} to withdraw")
    return _bury(store, base, key, Tombstone(iri.value, _now(), reason=reason.strip() or None))


def merge(store: Store, base: str, duplicate_key: str, survivor_key: str) -> Tombstone:
    duplicate, survivor = iris.output(base, duplicate_key), iris.output(base, survivor_key)
    if duplicate == survivor:
        raise LifecycleError("a record cannot be merged into itself")
    if store.graph_digest(iris.record_graph(base, survivor_key)) is None:
        raise LifecycleError(f"there is no published record {survivor.value} to merge into")
    if store.graph_digest(iris.record_graph(base, duplicate_key)) is None and tombstone(store, duplicate.value) is None:
        raise LifecycleError(f"there is no record {duplicate.value} to merge")
    # Chains are followed when they are made, so a merged IRI always points at a published record.
    for earlier in _merged_into(store, duplicate):
        _bury(store, base, earlier.rsplit("/", 1)[-1], Tombstone(earlier, _now(), replaced_by=survivor.value))
    return _bury(store, base, duplicate_key, Tombstone(duplicate.value, _now(), replaced_by=survivor.value))


def _merged_into(store: Store, survivor: NamedNode) -> list[str]:
    return sorted(s.value for s in store.subjects(DCTERMS.isReplacedBy, survivor))


def _bury(store: Store, base: str, key: str, stone: Tombstone) -> Tombstone:
    """Tombstone first, then remove the record: a crash in between leaves both, and the
    tombstone wins, so the record is never visible again."""
    graph = iris.graph(base, iris.LIFECYCLE_GRAPH)
    subject = NamedNode(stone.iri)
    kept = [t for t in _lifecycle_triples(store, graph) if t.subject != subject]
    store.write_graphs({graph: with_digest(graph, kept + stone.triples())})
    store.remove_graphs([iris.record_graph(base, key)])
    return stone


def _lifecycle_triples(store: Store, graph: NamedNode) -> list[Triple]:
    return [t for t in store.graph_triples(graph) if t.subject != graph]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
