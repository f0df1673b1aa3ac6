"""The entities the reconciliation service matches, previews and extends, as it reads them from the
store port: research outputs (read whole through graph/record_reader.py), persons and journals
(their own triples and identifiers, read with the same label rules), ASJC subjects (the vocabulary
the store's `graph/asjc` is built from).

An entity's id is its thing IRI's path below `{base}id/` (graph/iris.py), so ids and IRIs convert
both ways here and nowhere else in the service.

Journals are few (about one per ten outputs) and have no search index of their own, so each
server process keeps the list of them per store version, read through the port the first time a
journal is asked for after a write (about 0.4 s per 1,000 journals on the embedded store).
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache

from flask import current_app, g
from pyoxigraph import NamedNode

from kgpub import ontology
from kgpub.graph import iris
from kgpub.graph.keys import normalise
from kgpub.graph.namespaces import DATACITE, FABIO, RDF
from kgpub.graph.record_reader import StoredRecord, TripleIndex, identifiers, read_record
from kgpub.graph.store import Store
from kgpub.server import snapshot_view

ENTITY_KINDS = ("output", "person", "journal", "asjc", "type")  # what an id may name (types: in extension values)
KEPT_JOURNAL_LISTS = 4  # store versions (and, in tests, stores) whose journal list a process keeps


@dataclass(frozen=True)
class Thing:
    """A person or journal: its name and identifiers ("orcid", "issn", "eissn" → values)."""
    iri: str
    name: str | None
    identifiers: tuple[tuple[str, str], ...] = ()

    def values(self, *schemes: str) -> tuple[str, ...]:
        return tuple(value for scheme, value in self.identifiers if scheme in schemes)


@dataclass(frozen=True)
class Subject:
    code: str
    label: str
    area: str  # the two-digit subject area's label
    normalised: str


@dataclass(frozen=True)
class JournalList:
    journals: tuple[Thing, ...]
    normalised_titles: tuple[str, ...]  # in the same order, for the fuzzy matcher
    by_issn: dict  # ISSN (either kind) -> the journals that have it


def base() -> str:
    return current_app.config["BASE"]


def store() -> Store:
    """The store version this request reads, the same for all of it (one snapshot per request)."""
    if "reconcile_view" not in g:
        g.reconcile_view = snapshot_view.current()
    return g.reconcile_view.store


def entity_id(iri: str) -> str | None:
    """A thing IRI -> its path below `{base}id/` (`output/K`); None for an IRI not of our things."""
    return iris.stem_of(base(), iri)


def entity_iri(entity: str) -> NamedNode | None:
    """The IRI an entity id names; None when the id is not of a kind this service knows."""
    found = iris.kind_and_key(entity) if isinstance(entity, str) else None
    if found is None or found[0] not in ENTITY_KINDS:
        return None
    try:
        return iris.thing(base(), *found)
    except ValueError:  # characters an IRI cannot hold
        return None


def kind_of(entity: str) -> str | None:
    found = iris.kind_and_key(entity)
    return found[0] if found else None


def read_output(iri: str) -> StoredRecord | None:
    """The research output as its record graph says; None when there is no such record."""
    triples = store().graph_triples(iris.graph_of_output(iri))
    return read_record(triples, iri) if triples else None


def read_thing(iri: str) -> Thing | None:
    """A person or journal from its own triples and those of its identifier nodes; None when the
    store says nothing about it."""
    node = NamedNode(iri)
    triples = list(store().triples(node))
    if not triples:
        return None
    for t in list(triples):
        if t.predicate == DATACITE.hasIdentifier and isinstance(t.object, NamedNode):
            triples += store().triples(t.object)
    g = TripleIndex(triples)
    return Thing(iri, g.label(node), tuple((i.scheme, i.value) for i in identifiers(g, node)))


def journal_list() -> JournalList:
    """Every journal of this store version, read once per version in each process."""
    store()
    key = (current_app.config["STORE"], g.reconcile_view.snapshot)
    with _journal_lock:
        found = _journal_lists.get(key)
    if found is None:
        found = read_journal_list()
        with _journal_lock:
            _journal_lists[key] = found
            while len(_journal_lists) > KEPT_JOURNAL_LISTS:
                _journal_lists.pop(next(iter(_journal_lists)))
    return found


_journal_lists: dict[tuple[str, str], JournalList] = {}
_journal_lock = threading.Lock()


def read_journal_list() -> JournalList:
    journals = tuple(sorted((j for iri in store().subjects(RDF.type, FABIO.Journal)
                             if (j := read_thing(iri.value)) is not None), key=lambda j: j.iri))
    by_issn: dict[str, list[Thing]] = {}
    for journal in journals:
        for issn in journal.values("issn", "eissn"):
            by_issn.setdefault(issn.upper(), []).append(journal)
    return JournalList(journals, tuple(normalise(j.name or "") for j in journals), by_issn)


@lru_cache(maxsize=1)
def subjects() -> tuple[Subject, ...]:
    """The 334 four-digit ASJC subjects."""
    return tuple(Subject(e.code, e.label, e.subject_area_label, normalise(e.label))
                 for e in ontology.asjc_codes().values())


def subject(code: str) -> Subject | None:
    return next((s for s in subjects() if s.code == code), None)


def subject_iri(code: str) -> str:
    return iris.thing(base(), "asjc", code).value


def type_iri(pure_key: str) -> str:
    return iris.thing(base(), "type", pure_key).value
