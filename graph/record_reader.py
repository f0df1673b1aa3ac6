"""How a stored record reads: one typed view of a research output's triples (docs/modelling.md).

The record page, its citations and exports, the search index and every later reader (OAI-PMH,
reconciliation) read records through `read_record` and nowhere else, so they cannot disagree on
who the authors are, in which order, or which journal an issue is part of. It reads pyoxigraph
triples (a record graph, or a record's document with the labels of what it points to) and gives
plain values: strings, numbers, small frozen dataclasses; odd data (a broken author chain, a cycle
of containers, a thing with no label) reads as less, never as an error.

Rules, each in one place here:
- **Authors** follow the `oco:hasNext` chain from its one head when that chain holds every author
  role exactly once; otherwise (two heads, a cycle, a chain that misses roles) they are in the order
  of the position the mapping writes into each role's IRI (`#author-3`), then by IRI.
- **Labels**: `skos:prefLabel`, `dcterms:title`, `foaf:name`, `rdfs:label`, `schema:name`, the
  first of these that the thing has; among its values English or untagged first, then the first
  in code point order.
- **Containers** are found by walking `frbr:partOf` upwards from the output (each node once): the
  nearest issue, volume, journal, host book or proceedings; series hang on the host, or on the
  output when it is a whole book.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from pyoxigraph import Literal, NamedNode, Triple

from kgpub.graph import iris
from kgpub.graph.namespaces import (C4O, DATACITE, DCTERMS, FABIO, FOAF, FRBR, KGV, LITERAL, OCO, PRISM, PRO, PROV,
                                    PSO, RDF, RDFS, SCHEMA, SKOS)

LABEL_PREDICATES = (SKOS.prefLabel, DCTERMS.title, FOAF.name, RDFS.label, SCHEMA.name)
HOST_CLASSES = {FABIO.Book: "book", FABIO.ConferenceProceedings: "proceedings"}
STATUS_NAMES = {PSO.published: "published", PSO["accepted-for-publication"]: "accepted", PSO["in-press"]: "in-press",
                PSO.submitted: "submitted", PSO.unpublished: "unpublished", KGV["early-online"]: "early-online"}
_NUMBER = re.compile(r"(\d+)")
_POSITION = re.compile(r"-(\d+)$")


class TripleIndex:
    """Triples looked up by subject and predicate, with the reading rules above."""

    def __init__(self, triples: Iterable[Triple]):
        self._by_pair: dict[tuple, list] = {}
        for t in triples:
            self._by_pair.setdefault((t.subject, t.predicate), []).append(t.object)

    def objects(self, subject, predicate) -> list:
        """Every value, in a stable order (numbers in IRIs counted as numbers: #author-2 < #author-10)."""
        return sorted(self._by_pair.get((subject, predicate), []), key=natural_key)

    def first(self, subject, predicate):
        found = self.objects(subject, predicate)
        return found[0] if found else None

    def text(self, subject, predicate) -> str | None:
        """One text value: English or untagged first, then the first in code point order."""
        values = [o for o in self._by_pair.get((subject, predicate), []) if isinstance(o, Literal) and o.value.strip()]
        if not values:
            return None
        return min(values, key=lambda v: (v.language not in (None, "en"), v.value)).value.strip()

    def has(self, subject, predicate, obj) -> bool:
        return obj in self._by_pair.get((subject, predicate), ())

    def label(self, node) -> str | None:
        for predicate in LABEL_PREDICATES:
            if (value := self.text(node, predicate)) is not None:
                return value
        return None

    def subjects(self) -> set:
        return {subject for subject, _ in self._by_pair}

    def pairs_of(self, subject) -> list[tuple]:
        """(predicate, object) of everything said about the subject."""
        return [(p, o) for (s, p), objects in self._by_pair.items() if s == subject for o in objects]


def natural_key(term) -> list:
    text = term.value if hasattr(term, "value") else str(term)
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in _NUMBER.split(text)]


# --- what a record holds ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Agent:
    iri: str
    name: str
    given_name: str | None = None
    family_name: str | None = None
    orcid: str | None = None


@dataclass(frozen=True)
class Concept:
    iri: str
    label: str | None
    code: str | None = None  # an ASJC subject's four digits


@dataclass(frozen=True)
class Identifier:
    scheme: str  # datacite's local name: doi, issn, eissn, isbn, orcid, local-resource-identifier-scheme
    value: str
    source: str | None = None  # who issued a local identifier: "Pure", "Scopus"


@dataclass(frozen=True)
class Numbered:
    """A journal volume or issue: it has a number, no title."""
    iri: str
    number: str


@dataclass(frozen=True)
class Venue:
    """A journal, a book series, a publisher: a name and its identifiers."""
    iri: str
    title: str | None
    identifiers: tuple[Identifier, ...] = ()

    def values(self, *schemes: str) -> tuple[str, ...]:
        return tuple(i.value for i in self.identifiers if i.scheme in schemes)


@dataclass(frozen=True)
class Host:
    """The book a chapter is in, or the proceedings a paper is in."""
    iri: str
    kind: str  # "book" or "proceedings"
    title: str | None


@dataclass(frozen=True)
class Status:
    name: str  # published, accepted, in-press, submitted, unpublished, early-online
    date: str | None  # lexical, as precise as known: "2006", "2006-03", "2006-03-09"


@dataclass(frozen=True)
class CitationCount:
    count: int
    source_iri: str | None
    source: str | None  # its label: "Scopus"
    date: str | None


@dataclass(frozen=True)
class Topic:
    iri: str
    label: str | None
    weight: str | None = None  # percent: "100"
    domain: str | None = None


@dataclass(frozen=True)
class Event:
    name: str | None
    place: str | None
    start: str | None
    end: str | None


@dataclass(frozen=True)
class Derivation:
    format: str
    location: str | None
    imported: str | None


@dataclass(frozen=True)
class StoredRecord:
    iri: str
    title: str | None
    subtitle: str | None = None
    abstract: str | None = None
    language: str | None = None  # ISO 639-1 or -2, from the language IRI
    language_label: str | None = None  # as the source showed it: "English (US)"
    classes: tuple[str, ...] = ()  # FaBiO local names: "JournalArticle"
    type: Concept | None = None  # the Pure type, labelled when its vocabulary is in the triples
    authors: tuple[Agent, ...] = ()
    editors: tuple[Agent, ...] = ()
    issue: Numbered | None = None
    volume: Numbered | None = None
    journal: Venue | None = None
    host: Host | None = None
    series: tuple[Venue, ...] = ()
    series_volume: str | None = None  # the publication's number in its series
    publisher: Venue | None = None
    isbns: tuple[str, ...] = ()  # of the publication: the host, or the output when it is one
    identifiers: tuple[Identifier, ...] = ()  # of the output
    publication_date: str | None = None
    statuses: tuple[Status, ...] = ()
    peer_reviewed: bool = False
    start_page: str | None = None
    end_page: str | None = None
    page_count: str | None = None
    article_number: str | None = None
    keywords: tuple[str, ...] = ()
    subjects: tuple[Concept, ...] = ()  # ASJC subjects
    fingerprint: tuple[Topic, ...] = ()
    citations: tuple[CitationCount, ...] = ()
    event: Event | None = None
    urls: tuple[str, ...] = ()
    provenance: tuple[Derivation, ...] = ()

    @property
    def full_title(self) -> str | None:
        return f"{self.title}: {self.subtitle}" if self.title and self.subtitle else self.title or self.subtitle

    @property
    def doi(self) -> str | None:
        return next((i.value for i in self.identifiers if i.scheme == "doi"), None)

    def is_a(self, *classes: str) -> bool:
        return any(c in self.classes for c in classes)

    def status(self, name: str) -> Status | None:
        return next((s for s in self.statuses if s.name == name), None)


def read_record(triples: Iterable[Triple], iri: str) -> StoredRecord:
    """The research output `iri` as its triples say it is."""
    g = triples if isinstance(triples, TripleIndex) else TripleIndex(triples)
    output = NamedNode(iri)
    containers = _containers(g, output)
    publication = containers.get("host") or output
    publisher = g.first(publication, DCTERMS.publisher)
    return StoredRecord(
        iri=iri,
        title=g.text(output, DCTERMS.title),
        subtitle=g.text(output, FABIO.hasSubtitle),
        abstract=g.text(output, DCTERMS.abstract),
        language=_tail(g.first(output, DCTERMS.language)),
        language_label=g.text(output, KGV.languageLabel),
        classes=tuple(c.value.removeprefix(FABIO.iri) for c in g.objects(output, RDF.type)
                      if c.value.startswith(FABIO.iri)),
        type=_concept(g, g.first(output, DCTERMS.type)),
        authors=_role_holders(g, output, PRO.author),
        editors=_role_holders(g, output, PRO.editor),
        issue=_numbered(g, containers.get("issue")),
        volume=_numbered(g, containers.get("volume")),
        journal=_venue(g, containers.get("journal")),
        host=_host(g, containers.get("host")),
        series=tuple(_venue(g, s) for s in g.objects(publication, FRBR.partOf) if g.has(s, RDF.type, FABIO.BookSeries)),
        series_volume=g.text(publication, FABIO.hasSequenceIdentifier),
        publisher=_venue(g, publisher) if isinstance(publisher, NamedNode) else None,
        isbns=tuple(i.value for i in identifiers(g, publication) if i.scheme == "isbn"),
        identifiers=identifiers(g, output),
        publication_date=g.text(output, PRISM.publicationDate),
        statuses=_statuses(g, output),
        peer_reviewed=any(g.has(node, PSO.withStatus, PSO["peer-reviewed"])
                          for node in g.objects(output, PSO.holdsStatusInTime)),
        start_page=g.text(output, PRISM.startingPage),
        end_page=g.text(output, PRISM.endingPage),
        page_count=g.text(output, FABIO.hasPageCount),
        article_number=g.text(output, FABIO.hasElectronicArticleIdentifier),
        keywords=tuple(sorted({k.value for k in g.objects(output, PRISM.keyword)}, key=str.casefold)),
        subjects=tuple(c for node in g.objects(output, DCTERMS.subject) if (c := _concept(g, node)) and c.code),
        fingerprint=_fingerprint(g, output),
        citations=_citations(g, output),
        event=_event(g, g.first(output, KGV.presentedAt)),
        urls=tuple(u.value for u in g.objects(output, FABIO.hasURL)),
        provenance=_provenance(g, iris.graph_of_output(output)),
    )


def date_parts(lexical: str | None) -> list[int] | None:
    """[2006, 3] from "2006-03": as precise as the date, never padded."""
    found = re.match(r"^(-?\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", lexical or "")
    return [int(part) for part in found.groups() if part] if found else None


def _tail(node) -> str | None:
    return node.value.rstrip("/").rsplit("/", 1)[-1] if isinstance(node, NamedNode) else None


def _concept(g: TripleIndex, node) -> Concept | None:
    if not isinstance(node, NamedNode):
        return None
    return Concept(node.value, g.label(node), iris.asjc_code(node.value))


def _role_holders(g: TripleIndex, output: NamedNode, role: NamedNode) -> tuple[Agent, ...]:
    roles = [r for r in g.objects(output, PRO.isDocumentContextFor) if g.has(r, PRO.withRole, role)]
    people = [g.first(r, PRO.isHeldBy) for r in in_order(g, roles)]
    return tuple(_agent(g, person) for person in people if isinstance(person, NamedNode))


def in_order(g: TripleIndex, roles: list) -> list:
    """The roles along their oco:hasNext chain when it holds each of them once, from one head;
    else by the position in their IRIs (`#author-3`), then by IRI (see the module's rules)."""
    following = {role: g.first(role, OCO.hasNext) for role in roles}
    heads = [role for role in roles if role not in following.values()]
    chain, role = [], heads[0] if len(heads) == 1 else None
    while role in following and role not in chain:
        chain.append(role)
        role = following[role]
    if len(chain) == len(roles) and role is None:
        return chain
    return sorted(roles, key=_position)


def _position(role) -> tuple[int, str]:
    found = _POSITION.search(role.value)
    return (int(found.group(1)) if found else 1 << 30, role.value)


def _agent(g: TripleIndex, person: NamedNode) -> Agent:
    given, family = g.text(person, FOAF.givenName), g.text(person, FOAF.familyName)
    name = g.label(person) or " ".join(filter(None, (given, family))) or person.value
    orcid = next((i.value for i in identifiers(g, person) if i.scheme == "orcid"), None)
    return Agent(person.value, name, given, family, orcid)


def _containers(g: TripleIndex, output: NamedNode) -> dict[str, NamedNode]:
    """The nearest issue, volume, journal and host up the frbr:partOf chain, each node once."""
    found: dict[str, NamedNode] = {}
    seen, level = {output}, [output]
    while level:
        parents = [p for node in level for p in g.objects(node, FRBR.partOf) if isinstance(p, NamedNode)]
        level = []
        for node in parents:
            if node in seen:
                continue
            seen.add(node)
            level.append(node)
            for cls, kind in ((FABIO.JournalIssue, "issue"), (FABIO.JournalVolume, "volume"),
                              (FABIO.Journal, "journal"), (FABIO.Book, "host"), (FABIO.ConferenceProceedings, "host")):
                if g.has(node, RDF.type, cls):
                    found.setdefault(kind, node)
    return found


def _numbered(g: TripleIndex, node) -> Numbered | None:
    number = g.text(node, FABIO.hasSequenceIdentifier) if node is not None else None
    return Numbered(node.value, number) if number else None


def _venue(g: TripleIndex, node) -> Venue | None:
    return Venue(node.value, g.label(node), identifiers(g, node)) if node is not None else None


def _host(g: TripleIndex, node) -> Host | None:
    if node is None:
        return None
    kind = next(kind for cls, kind in HOST_CLASSES.items() if g.has(node, RDF.type, cls))
    return Host(node.value, kind, g.label(node))


def identifiers(g: TripleIndex, owner) -> tuple[Identifier, ...]:
    """The datacite identifiers of anything: an output, a journal, a person."""
    found = []
    for node in g.objects(owner, DATACITE.hasIdentifier):
        scheme, value = g.first(node, DATACITE.usesIdentifierScheme), g.text(node, LITERAL.hasLiteralValue)
        if isinstance(scheme, NamedNode) and value:
            found.append(Identifier(scheme.value.removeprefix(DATACITE.iri), value, g.text(node, KGV.identifierSource)))
    return tuple(found)


def _statuses(g: TripleIndex, output: NamedNode) -> tuple[Status, ...]:
    found = [(g.first(node, PSO.withStatus), g.text(node, DCTERMS.date)) for node in g.objects(output, PSO.holdsStatusInTime)]
    return tuple(Status(STATUS_NAMES[status], date) for status, date in found if status in STATUS_NAMES)


def _fingerprint(g: TripleIndex, output: NamedNode) -> tuple[Topic, ...]:
    topics = []
    for entry in g.objects(output, KGV.hasFingerprintEntry):
        concept = g.first(entry, KGV.topic)
        if isinstance(concept, NamedNode):
            topics.append(Topic(concept.value, g.label(concept), g.text(entry, KGV.weight),
                                g.text(concept, KGV.topicDomain)))
    return tuple(topics)


def _citations(g: TripleIndex, output: NamedNode) -> tuple[CitationCount, ...]:
    counts = []
    for node in g.objects(output, C4O.hasGlobalCitationFrequency):
        value, source = g.text(node, C4O.hasGlobalCountValue), g.first(node, C4O.hasGlobalCountSource)
        if value is None or not value.isdigit():
            continue  # a count that is not a number is no count
        source_iri = source.value if isinstance(source, NamedNode) else None
        label = g.label(source) if source_iri else (source.value if isinstance(source, Literal) else None)
        counts.append(CitationCount(int(value), source_iri, label, g.text(node, C4O.hasGlobalCountDate)))
    return tuple(counts)


def _event(g: TripleIndex, node) -> Event | None:
    if node is None:
        return None
    return Event(g.text(node, SCHEMA.name), g.text(node, SCHEMA.location), g.text(node, SCHEMA.startDate),
                 g.text(node, SCHEMA.endDate))


def _provenance(g: TripleIndex, graph: NamedNode) -> tuple[Derivation, ...]:
    return tuple(Derivation(g.text(source, DCTERMS["format"]) or "", g.text(source, DCTERMS.source),
                            g.text(source, PROV.generatedAtTime))
                 for source in g.objects(graph, PROV.wasDerivedFrom))
