"""What a document about a thing contains, read from the store.

A record's document is its own named graph plus the labels of everything it points to (ASJC
names, the type label), so one download is self-sufficient. Any other thing (journal, person,
concept, type, topic, publisher) gets what is said about it, its hash parts, the labels of what
it points to, and one page of what links to it.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from urllib.parse import unquote

from pyoxigraph import Literal, NamedNode, Triple

from kgpub.graph import iris, lifecycle
from kgpub.graph.lifecycle import Tombstone
from kgpub.graph.namespaces import DCTERMS, FABIO, FOAF, PREFIXES, RDFS, SKOS, XSD
from kgpub.graph.store.base import Store

LABELS = frozenset((RDFS.label, SKOS.prefLabel, SKOS.notation, DCTERMS.title, FOAF.name))
# What names a thing that links here (a record's title, a volume's number).
OWNER_LABELS = frozenset((DCTERMS.title, FOAF.name, SKOS.prefLabel, RDFS.label, FABIO.hasSequenceIdentifier))
LABEL_CACHE_SIZE = 50_000
KGV_NAMESPACE = PREFIXES["kgv"]


@dataclass
class Document:
    thing: NamedNode
    triples: list[Triple]
    modified: dt.datetime | None
    links_total: int = 0  # things linking here (not for records)
    links: list[tuple[str, str]] = field(default_factory=list)  # this page of them: (iri, label)
    page: int = 1
    page_size: int = 0

    @property
    def has_next(self) -> bool:
        return self.page * self.page_size < self.links_total


class Documents:
    """Builds documents from one store view. Labels and tombstones are kept in `memory`, which
    belongs to the store's snapshot (snapshot_view.SnapshotMemory): labels are few (ASJC, types,
    journals) and shared by many records."""

    def __init__(self, store: Store, base: str, page_size: int, memory):
        self.store = store
        self.base = base
        self.page_size = page_size
        self.memory = memory
        self.labelled_prefixes = (base, KGV_NAMESPACE)

    def tombstone(self, thing: NamedNode) -> Tombstone | None:
        """A withdrawn or merged record's tombstone (all of them read once per snapshot)."""
        if self.memory.tombstones is None:
            self.memory.tombstones = lifecycle.tombstones(self.store, self.base)
        return self.memory.tombstones.get(thing.value)

    def output(self, key: str, doc: NamedNode, snapshot_time: dt.datetime | None) -> Document | None:
        graph = iris.record_graph(self.base, key)
        stored = self.store.graph_triples(graph)
        own = [t for t in stored if t.subject != graph]
        if not own:
            return None
        thing = iris.output(self.base, key)
        stamps = [t.object.value for t in stored if t.subject == graph and t.predicate == DCTERMS.modified]
        modified = dt.datetime.fromisoformat(stamps[0]) if stamps else snapshot_time
        triples = own + self.labels_for(own) + self.about(doc, thing, modified)
        return Document(thing, triples, modified)

    def thing(self, thing: NamedNode, doc: NamedNode, page: int, snapshot_time: dt.datetime | None) -> Document | None:
        described = list(self.store.triples(thing))
        if not described:
            return None
        described += self.hash_parts(thing, described)
        total, subjects = self.linking_subjects(thing, page)
        incoming = self.incoming(thing, subjects)
        shown = list(incoming)
        triples = described + [t for owner in shown for t in self.links_from(owner, incoming[owner])]
        triples += self.labels_for(triples) + self.about(doc, thing, snapshot_time)
        triples += [t for owner in shown for t in self.store.triples(owner) if t.predicate in OWNER_LABELS]
        links = [(owner.value, self.label_of(owner, triples)) for owner in shown]
        return Document(thing, _unique(triples), snapshot_time, total, links, page, self.page_size)

    def hash_parts(self, thing: NamedNode, triples: list[Triple]) -> list[Triple]:
        """What is said about the thing's own hash IRIs it points to (a journal's #issn)."""
        parts = {t.object for t in triples if isinstance(t.object, NamedNode)
                 and t.object.value.startswith(thing.value + "#")}
        return [t for part in sorted(parts, key=str) for t in self.store.triples(part)]

    def linking_subjects(self, thing: NamedNode, page: int) -> tuple[int, list[NamedNode]]:
        """How many subjects have a triple pointing here, and this page of them. In the order of
        the store's index, not sorted: a sort needs every one of them spelled out (seconds for a
        type that 100k records have), counting and paging on the index takes milliseconds."""
        pattern = f"?s ?p {thing}"  # (a FILTER(isIRI(?s)) here costs 5×: it spells out every ?s)
        count = next(iter(self.store.query(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {pattern} }}")))
        rows = self.store.query(f"SELECT DISTINCT ?s WHERE {{ {pattern} }} "
                                f"LIMIT {self.page_size} OFFSET {(page - 1) * self.page_size}")
        return int(count["n"].value), [row["s"] for row in rows if isinstance(row["s"], NamedNode)]

    def incoming(self, thing: NamedNode, subjects: list[NamedNode]) -> dict[NamedNode, list[Triple]]:
        """The triples from these subjects to the thing, by the thing that says them: a record's
        hash part (its #author-1 role pointing at a person) stands for its record."""
        by_owner: dict[NamedNode, list[Triple]] = {}
        for subject in subjects:
            owner = _without_fragment(subject)
            if owner != thing:
                by_owner.setdefault(owner, []).extend(self.store.triples(subject, None, thing))
        return by_owner

    def links_from(self, owner: NamedNode, incoming: list[Triple]) -> list[Triple]:
        """The incoming triples, and how the owner reaches the hash parts among their subjects."""
        parts = {t.subject for t in incoming if t.subject != owner}
        return incoming + [t for part in sorted(parts, key=str) for t in self.store.triples(owner, None, part)]

    def labels_for(self, triples: list[Triple]) -> list[Triple]:
        """Labels of the things these triples point to and do not describe. Only our own IRIs
        and our vocabulary's can have labels in the store (a DOI or language IRI cannot)."""
        described = {t.subject for t in triples}
        targets = {t.object for t in triples if isinstance(t.object, NamedNode)
                   and t.object.value.startswith(self.labelled_prefixes)} - described
        return [label for target in sorted(targets, key=str) for label in self.labels(target)]

    def labels(self, target: NamedNode) -> list[Triple]:
        cached = self.memory.labels.get(target)
        if cached is None:
            cached = [t for t in self.store.triples(target) if t.predicate in LABELS]
            self.memory.labels.put(target, cached)
        return cached

    @staticmethod
    def label_of(subject: NamedNode, triples: list[Triple]) -> str:
        """Its title or name; for a journal volume or issue (which have none) the tail of its IRI
        as words ("Volume 42, Issue 1"); else the IRI."""
        for predicate in (DCTERMS.title, FOAF.name, SKOS.prefLabel, RDFS.label):
            for t in triples:
                if t.subject == subject and t.predicate == predicate:
                    return t.object.value
        parts = re.search(r"/((?:volume|issue)/[^#]+)$", subject.value)
        if parts:
            words = unquote(parts.group(1)).split("/")
            return ", ".join(f"{kind.title()} {number}" for kind, number in zip(words[::2], words[1::2]))
        return subject.value

    @staticmethod
    def about(doc: NamedNode, thing: NamedNode, modified: dt.datetime | None) -> list[Triple]:
        triples = [Triple(doc, FOAF.primaryTopic, thing)]
        if modified is not None:
            stamp = modified.astimezone(dt.timezone.utc).replace(microsecond=0).isoformat()
            triples.append(Triple(doc, DCTERMS.modified, Literal(stamp, datatype=XSD.dateTime)))
        return triples


def _without_fragment(node: NamedNode) -> NamedNode:
    return NamedNode(node.value.split("#", 1)[0]) if "#" in node.value else node


def _unique(triples: list[Triple]) -> list[Triple]:
    return list(dict.fromkeys(triples))
