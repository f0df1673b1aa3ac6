"""View models for the HTML pages: a record or another thing, read from its RDF document.

Templates never see RDF: everything here is a label, a date as the portal shows it, or an IRI to
link to. The record page follows the Pure portal's order (../shared/data/seed-record.txt and the
pages in examples/), so a Pure user finds each field where they expect it. A field the graph does
not have is simply absent; odd data (a broken author chain, a label-less concept) degrades to
less text, never to an error.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import rdflib
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, SKOS

from kgpub.graph.mapping import DOI_RESOLVER
from kgpub.graph.namespaces import PREFIXES, rdflib_namespaces

FABIO, FRBR, PRISM, C4O, PSO, PRO, DATACITE, LITERAL, OCO, SCHEMA, KGV = rdflib_namespaces(
    "fabio", "frbr", "prism", "c4o", "pso", "pro", "datacite", "literal", "oco", "schema", "kgv")

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")
LABEL_PREDICATES = (SKOS.prefLabel, DCTERMS.title, FOAF.name, RDFS.label, SCHEMA.name)

# Pure's wording of each status, in the order the portal lists them.
STATUS_LABELS = {
    PSO.published: "Published", PSO["accepted-for-publication"]: "Accepted/In press",
    PSO["in-press"]: "In press", PSO.submitted: "Submitted", PSO.unpublished: "Unpublished",
    KGV["early-online"]: "E-pub ahead of print",
}
IDENTIFIER_LABELS = {"doi": "DOI", "issn": "ISSN", "eissn": "ISSN (electronic)", "isbn": "ISBN",
                     "orcid": "ORCID"}
LOCAL_ID_LABELS = {"Pure": "Pure UUID", "Scopus": "Scopus EID"}
IDENTIFIER_URLS = {"doi": DOI_RESOLVER, "orcid": "https://orcid.org/"}


@dataclass(frozen=True)
class Link:
    """A value on a page. `iri`: a thing of ours (templates pass it through `href`); `url`: a page
    elsewhere (the DOI resolver, ORCID), linked as it is; neither: plain text."""

    text: str
    iri: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Row:
    label: str
    values: tuple[Link, ...]


@dataclass(frozen=True)
class Author:
    name: str
    iri: str
    given_name: str | None = None
    family_name: str | None = None

    @property
    def citation_name(self) -> str:
        """"Family, Given": the form Google Scholar reads without guessing."""
        if self.family_name and self.given_name:
            return f"{self.family_name}, {self.given_name}"
        return self.name


@dataclass(frozen=True)
class CitationCount:
    count: int
    source: str
    date: str | None = None  # when it was harvested, as shown


@dataclass(frozen=True)
class Subject:
    code: str
    name: str
    iri: str


@dataclass(frozen=True)
class Topic:
    label: str
    iri: str
    weight: str | None = None  # percent, "100"
    domain: str | None = None


@dataclass
class RecordView:
    """Everything the record page shows, in the portal's order; also what the metadata needs."""

    iri: str
    title: str
    subtitle: str | None = None
    authors: list[Author] = field(default_factory=list)
    type_label: str | None = None
    type_iri: str | None = None
    classes: list[str] = field(default_factory=list)  # FaBiO local names: "JournalArticle"
    peer_reviewed: bool = False
    citations: list[CitationCount] = field(default_factory=list)
    abstract: str | None = None
    details: list[Row] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    subjects: list[Subject] = field(default_factory=list)
    fingerprint: list[Topic] = field(default_factory=list)
    identifiers: list[Row] = field(default_factory=list)
    # The bibliographic facts behind the details, for Highwire tags and schema.org.
    language: str | None = None  # ISO 639-1
    journal: Link | None = None
    issns: list[str] = field(default_factory=list)
    volume: Link | None = None
    issue: Link | None = None
    start_page: str | None = None
    end_page: str | None = None
    page_count: str | None = None
    publication_date: str | None = None  # lexical: "2006-03"
    doi: str | None = None
    publisher: Link | None = None
    host_title: str | None = None
    isbns: list[str] = field(default_factory=list)
    event: str | None = None

    @property
    def full_title(self) -> str:
        return f"{self.title}: {self.subtitle}" if self.subtitle else self.title

    @property
    def doi_url(self) -> str | None:
        return DOI_RESOLVER + self.doi if self.doi else None

    @property
    def abstract_paragraphs(self) -> list[str]:
        return [p.strip() for p in (self.abstract or "").split("\n") if p.strip()]

    def is_a(self, *classes: str) -> bool:
        return any(c in self.classes for c in classes)


# --- reading the graph -------------------------------------------------------------------------


def objects(graph: rdflib.Graph, subject, predicate) -> list:
    return sorted(graph.objects(subject, predicate), key=natural_key)


def first(graph: rdflib.Graph, subject, predicate):
    found = objects(graph, subject, predicate)
    return found[0] if found else None


def text(graph: rdflib.Graph, subject, predicate) -> str | None:
    value = first(graph, subject, predicate)
    return str(value) if value is not None else None


def natural_key(term) -> list:
    """"#author-2" before "#author-10"."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", str(term))]


def label_of(graph: rdflib.Graph, node) -> str | None:
    """The node's name: English or untagged first, from the usual label predicates."""
    for predicate in LABEL_PREDICATES:
        names = list(graph.objects(node, predicate))
        if names:
            names.sort(key=lambda n: (getattr(n, "language", None) not in (None, "en"), str(n)))
            return str(names[0])
    return None


def shown_date(lexical: str | None) -> str | None:
    """"2006-03" -> "Mar 2006", "2019-06-03" -> "3 Jun 2019", "2006" -> "2006": as precise as known."""
    if not lexical:
        return None
    match = PARTIAL_DATE.match(lexical)
    if not match:
        return lexical
    year, month, day = match.groups()
    if month is None or not 1 <= int(month) <= 12:
        return year
    name = MONTHS[int(month) - 1]
    return f"{int(day)} {name} {year}" if day else f"{name} {year}"


def highwire_date(lexical: str | None) -> str | None:
    match = PARTIAL_DATE.match(lexical or "")
    return "/".join(part for part in match.groups() if part) if match else None


def base_of(iri: str) -> str | None:
    """The installation's base, from one of its thing IRIs ("{base}id/…")."""
    match = re.match(r"^(.+?/)id/", iri)
    return match.group(1) if match else None


def link_to(graph: rdflib.Graph, node, base: str | None, text_: str | None = None) -> Link:
    if isinstance(node, Literal):
        return Link(text_ or str(node))
    shown = text_ or label_of(graph, node) or part_label(graph, node) or compact(str(node))
    if base and str(node).startswith(base):
        return Link(shown, iri=str(node))
    return Link(shown, url=str(node))


def part_label(graph: rdflib.Graph, thing) -> str | None:
    """"Europe - Asia Studies, Volume 117, Issue 2" for a volume or issue (they have no title)."""
    parts, node, seen = [], thing, set()
    while node is not None and node not in seen:
        seen.add(node)
        number = text(graph, node, FABIO.hasSequenceIdentifier)
        if (node, RDF.type, FABIO.JournalIssue) in graph and number:
            parts.insert(0, f"Issue {number}")
        elif (node, RDF.type, FABIO.JournalVolume) in graph and number:
            parts.insert(0, f"Volume {number}")
        elif node != thing and label_of(graph, node):
            parts.insert(0, label_of(graph, node))
        node = first(graph, node, FRBR.partOf)
    return ", ".join(parts) or None


def compact(iri: str) -> str:
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and iri != namespace:
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def identifiers(graph: rdflib.Graph, owner) -> list[tuple[str, str, str | None]]:
    """(scheme local name, value, issuing source) of the owner's datacite identifiers."""
    found = []
    for node in objects(graph, owner, DATACITE.hasIdentifier):
        scheme, value = first(graph, node, DATACITE.usesIdentifierScheme), text(graph, node, LITERAL.hasLiteralValue)
        if scheme is not None and value:
            found.append((str(scheme).removeprefix(str(DATACITE)), value, text(graph, node, KGV.identifierSource)))
    return found


def identifier_link(scheme: str, value: str, source: str | None) -> Row:
    label = IDENTIFIER_LABELS.get(scheme) or LOCAL_ID_LABELS.get(source or "", f"{source} ID" if source else scheme)
    url = IDENTIFIER_URLS.get(scheme)
    return Row(label, (Link(value, url=url + value if url else None),))


# --- the record ----------------------------------------------------------------------------------


def record_view(graph: rdflib.Graph, iri: str) -> RecordView:
    """The record page's content for the output `iri`, from its document graph."""
    output, base = URIRef(iri), base_of(iri)
    type_node = next((t for t in objects(graph, output, DCTERMS.type) if label_of(graph, t)), None)
    language = first(graph, output, DCTERMS.language)
    view = RecordView(
        iri=iri,
        title=label_text(graph, output, DCTERMS.title) or "(untitled)",
        subtitle=text(graph, output, FABIO.hasSubtitle),
        authors=authors(graph, output),
        type_label=label_of(graph, type_node) if type_node is not None else None,
        type_iri=str(type_node) if type_node is not None else None,
        classes=[str(c).removeprefix(str(FABIO)) for c in objects(graph, output, RDF.type) if str(c).startswith(str(FABIO))],
        peer_reviewed=any((node, PSO.withStatus, PSO["peer-reviewed"]) in graph
                          for node in graph.objects(output, PSO.holdsStatusInTime)),
        citations=citation_counts(graph, output),
        abstract=label_text(graph, output, DCTERMS.abstract),
        keywords=sorted({str(k) for k in graph.objects(output, PRISM.keyword)}, key=str.casefold),
        subjects=asjc_subjects(graph, output),
        fingerprint=fingerprint(graph, output),
        language=str(language).rsplit("/", 1)[-1] if language is not None else None,
        start_page=text(graph, output, PRISM.startingPage),
        end_page=text(graph, output, PRISM.endingPage),
        page_count=text(graph, output, FABIO.hasPageCount),
        publication_date=text(graph, output, PRISM.publicationDate),
        doi=next((v for s, v, _ in identifiers(graph, output) if s == "doi"), None),
    )
    add_containers(view, graph, output, base)
    view.details = detail_rows(view, graph, output, base)
    view.identifiers = [Row("IRI", (Link(iri, url=iri),))] + [
        identifier_link(*found) for found in identifiers(graph, output)]
    return view


def label_text(graph: rdflib.Graph, subject, predicate) -> str | None:
    values = sorted(graph.objects(subject, predicate), key=lambda v: (getattr(v, "language", None) not in (None, "en"), str(v)))
    return str(values[0]) if values else None


def authors(graph: rdflib.Graph, output) -> list[Author]:
    """Authors in the order the oco:hasNext chain gives; roles the chain misses come last."""
    roles = [r for r in objects(graph, output, PRO.isDocumentContextFor) if (r, PRO.withRole, PRO.author) in graph]
    following = {r: first(graph, r, OCO.hasNext) for r in roles}
    heads = [r for r in roles if r not in following.values()]
    ordered: list = []
    for role in heads:
        while role in following and role not in ordered:
            ordered.append(role)
            role = following[role]
    ordered += [r for r in roles if r not in ordered]
    people = [first(graph, role, PRO.isHeldBy) for role in ordered]
    return [Author(label_of(graph, p) or str(p), str(p), text(graph, p, FOAF.givenName), text(graph, p, FOAF.familyName))
            for p in people if p is not None]


def statuses(graph: rdflib.Graph, output) -> list[tuple[URIRef, str | None]]:
    """(status, date lexical) in the portal's order; peer review is not a publication status."""
    found = [(first(graph, node, PSO.withStatus), text(graph, node, DCTERMS.date))
             for node in graph.objects(output, PSO.holdsStatusInTime)]
    order = list(STATUS_LABELS)
    return sorted(((s, d) for s, d in found if s in STATUS_LABELS), key=lambda sd: order.index(sd[0]))


def citation_counts(graph: rdflib.Graph, output) -> list[CitationCount]:
    counts = []
    for node in objects(graph, output, C4O.hasGlobalCitationFrequency):
        value, source = first(graph, node, C4O.hasGlobalCountValue), first(graph, node, C4O.hasGlobalCountSource)
        try:
            count = int(str(value))
        except ValueError:
            continue  # a count that is not a number is no count to show
        name = label_of(graph, source) if isinstance(source, URIRef) else None
        counts.append(CitationCount(count, name or (str(source) if source is not None else "citations"),
                                    shown_date(text(graph, node, C4O.hasGlobalCountDate))))
    return counts


def asjc_subjects(graph: rdflib.Graph, output) -> list[Subject]:
    subjects = []
    for node in objects(graph, output, DCTERMS.subject):
        match = re.search(r"/id/asjc/(\d{4})$", str(node))
        if match:
            subjects.append(Subject(match.group(1), label_of(graph, node) or match.group(1), str(node)))
    return subjects


def fingerprint(graph: rdflib.Graph, output) -> list[Topic]:
    topics = []
    for entry in objects(graph, output, KGV.hasFingerprintEntry):
        concept = first(graph, entry, KGV.topic)
        if concept is not None:
            topics.append(Topic(label_of(graph, concept) or str(concept), str(concept),
                                text(graph, entry, KGV.weight), text(graph, concept, KGV.topicDomain)))
    return topics


def add_containers(view: RecordView, graph: rdflib.Graph, output, base: str | None) -> None:
    """Journal, volume, issue, host publication and publisher, walking frbr:partOf upwards."""
    seen, todo = set(), objects(graph, output, FRBR.partOf)
    while todo:
        node = todo.pop(0)
        if node in seen:
            continue
        seen.add(node)
        number = text(graph, node, FABIO.hasSequenceIdentifier)
        if (node, RDF.type, FABIO.JournalIssue) in graph and number:
            view.issue = view.issue or Link(number, iri=str(node))
        elif (node, RDF.type, FABIO.JournalVolume) in graph and number:
            view.volume = view.volume or Link(number, iri=str(node))
        elif (node, RDF.type, FABIO.Journal) in graph:
            view.journal = view.journal or link_to(graph, node, base)
            view.issns += [v for s, v, _ in identifiers(graph, node) if s in ("issn", "eissn")]
        elif (node, RDF.type, FABIO.Book) in graph or (node, RDF.type, FABIO.ConferenceProceedings) in graph:
            view.host_title = view.host_title or label_of(graph, node)
        todo += [n for n in objects(graph, node, FRBR.partOf) if isinstance(n, URIRef)]
    publication = publication_node(graph, output)
    publisher = first(graph, publication, DCTERMS.publisher)
    view.publisher = link_to(graph, publisher, base) if isinstance(publisher, URIRef) else None
    view.isbns = [v for s, v, _ in identifiers(graph, publication) if s == "isbn"]
    event = first(graph, output, KGV.presentedAt)
    view.event = text(graph, event, SCHEMA.name) if event is not None else None


def publication_node(graph: rdflib.Graph, output):
    """What ISBNs, series and publisher describe: the host book or proceedings, else the output."""
    for node in objects(graph, output, FRBR.partOf):
        if (node, RDF.type, FABIO.Book) in graph or (node, RDF.type, FABIO.ConferenceProceedings) in graph:
            return node
    return output


def detail_rows(view: RecordView, graph: rdflib.Graph, output, base: str | None) -> list[Row]:
    """The portal's details table, in its order (see the pages in examples/)."""
    rows: list[Row] = []

    def add(label: str, *values: Link | None) -> None:
        shown = tuple(v for v in values if v is not None and v.text)
        if shown:
            rows.append(Row(label, shown))

    language_label = text(graph, output, KGV.languageLabel) or view.language
    pages = "-".join(p for p in (view.start_page, view.end_page) if p)
    dated = statuses(graph, output)
    add("Original language", Link(language_label) if language_label else None)
    add("Title of host publication", Link(view.host_title) if view.host_title else None)
    add("Publisher", view.publisher)
    add("Pages (from-to)" if view.start_page and view.end_page else "Pages", Link(pages))
    add("Article number", Link(text(graph, output, FABIO.hasElectronicArticleIdentifier) or ""))
    add("Number of pages", Link(view.page_count or ""))
    add("ISBN", *(Link(isbn) for isbn in view.isbns))
    add("Journal", view.journal)
    add("Volume", view.volume)
    add("Issue number", view.issue)
    add("Early online date", *(Link(shown_date(d)) for s, d in dated if s == KGV["early-online"] and d))
    add("DOIs", Link(view.doi, url=view.doi_url) if view.doi else None)
    publication_statuses = [(s, d) for s, d in dated if s != KGV["early-online"]] or dated
    add("Publication status", *(Link(" - ".join(filter(None, (STATUS_LABELS[s], shown_date(d)))))
                                for s, d in publication_statuses))
    add("Publication series", *(Link(series_text(graph, output, node)) for node in series_nodes(graph, output)))
    add_event_rows(add, graph, output)
    add("Links", *(Link(str(url), url=str(url)) for url in objects(graph, output, FABIO.hasURL)))
    return rows


def series_nodes(graph: rdflib.Graph, output) -> list:
    publication = publication_node(graph, output)
    return [n for n in objects(graph, publication, FRBR.partOf) if (n, RDF.type, FABIO.BookSeries) in graph]


def series_text(graph: rdflib.Graph, output, series) -> str:
    """"Lecture Notes in Computer Science (ISSN 0302-9743, 1611-3349), Volume 11430"."""
    shown = label_of(graph, series) or ""
    issns = [v for s, v, _ in identifiers(graph, series) if s in ("issn", "eissn")]
    if issns:
        shown += f" (ISSN {', '.join(issns)})"
    volume = text(graph, publication_node(graph, output), FABIO.hasSequenceIdentifier)
    return f"{shown}, Volume {volume}" if volume else shown


def add_event_rows(add, graph: rdflib.Graph, output) -> None:
    event = first(graph, output, KGV.presentedAt)
    if event is None:
        return
    name, place = text(graph, event, SCHEMA.name), text(graph, event, SCHEMA.location)
    add("Event", Link(" - ".join(filter(None, (name, place)))))
    start, end = shown_date(text(graph, event, SCHEMA.startDate)), shown_date(text(graph, event, SCHEMA.endDate))
    add("Duration", Link(" → ".join(filter(None, (start, end)))))
