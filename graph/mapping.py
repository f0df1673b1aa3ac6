"""Record -> RDF: the one place that knows how a Record becomes triples (docs/modelling.md).

The rules are the table RULES at the end of this module: simple fields map one attribute to one
predicate; structured parts (authors, the container chain, statuses, ...) have a small writer
each. Problems found while mapping (an unknown ASJC subject, an unknown type) are added to the
record, so they are reported with the importer's own problems.

(A little over 400 lines on purpose: every rule of the mapping is here, next to the table that
lists them, so that no other module knows how a Record becomes RDF.)
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Callable
from urllib.parse import quote

from pyoxigraph import Literal, NamedNode, Triple

from kgpub import ontology
from kgpub.graph import iris, journal_names, keys
from kgpub.graph.namespaces import (
    C4O, DATACITE, DCTERMS, FABIO, FOAF, FRBR, KGV, LITERAL, OCO, OWL, PRISM, PRO, PSO, RDF,
    PROV, RDFS, SCHEMA, SKOS, XSD,
)
from kgpub.graph.record import WHOLE_PUBLICATION_TYPES, PartialDate, Record

LANGUAGE_IRI = "http://id.loc.gov/vocabulary/iso639-1/"
DOI_RESOLVER = "https://doi.org/"
CITATION_SOURCES = {  # else the source's name as a literal
    "scopus": NamedNode("https://www.scopus.com/"),
    "crossref": NamedNode("https://www.crossref.org/"),
    "web of science": NamedNode("https://www.webofscience.com/"),
}

STATUS_TERMS = {
    "published": PSO.published,
    "accepted": PSO["accepted-for-publication"],
    "in-press": PSO["in-press"],
    "submitted": PSO.submitted,
    "unpublished": PSO.unpublished,
    "early-online": KGV["early-online"],
}

# Types that are part of a book or proceedings: their ISBNs and publisher belong to the host.
PART_OF_BOOK_TYPES = ("contributiontobookanthology/",)

# Which status date becomes prism:publicationDate, in order of preference.
PUBLICATION_DATE_STATUSES = ("published", "early-online")


@dataclass
class MappedRecord:
    key: str
    iri: NamedNode  # the research output
    graph: NamedNode  # its named graph
    triples: list[Triple]  # the last one is the graph's content digest (see with_digest)

    @property
    def digest(self) -> str:
        return self.triples[-1].object.value


@dataclass
class Context:
    """What every writer needs: the record, its IRI, the base, and the triples written so far."""

    record: Record
    base: str
    key: str
    thing: NamedNode
    triples: list[Triple]
    journal_key: str | None = None  # the stored journal the record's is (graph/journals.py)

    def add(self, subject, predicate, obj) -> None:
        if isinstance(obj, Literal) and CONTROL_CHARACTERS.search(obj.value):
            obj = without_control_characters(obj)
            self.record.add_problem(predicate.value.rsplit("/", 1)[-1].rsplit("#", 1)[-1],
                                    "control characters (invisible, and not allowed in XML) were removed", "warning")
        self.triples.append(Triple(subject, predicate, obj))

    def part(self, fragment: str) -> NamedNode:
        return NamedNode(f"{self.thing.value}#{fragment}")

    def iri(self, kind: str, key: str) -> NamedNode:
        """Another thing of the installation: a journal, person, concept, publisher (iris.py)."""
        return iris.thing(self.base, kind, key)

    def text(self, value: str) -> Literal:
        language = self.record.language
        return Literal(value, language=language) if language else Literal(value)


# Characters XML 1.0 cannot carry (RDF/XML, SPARQL XML results, OAI-PMH), invisible anywhere else:
# a stray NUL or escape in a source file is dropped rather than published.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def without_control_characters(literal: Literal) -> Literal:
    value = CONTROL_CHARACTERS.sub("", literal.value)
    if literal.language:
        return Literal(value, language=literal.language)
    return Literal(value, datatype=literal.datatype)


def map_record(record: Record, base: str, key: str | None = None,
               journal_key: str | None = None) -> MappedRecord | None:
    """The record's triples, or None when it has no identity at all (no DOI, UUID or title).

    `key` is given when the store already knows this work under another key (see keys.py), and
    `journal_key` when its journal is a stored one (graph/journals.py).
    Problems (unknown subject, unknown type) are added to `record.problems`.
    """
    key = key or keys.mint_output_key(record)
    if key is None:
        return None
    context = Context(record, base, key, iris.output(base, key), [], journal_key)
    for rule in RULES:
        rule(context)
    graph = iris.record_graph(base, key)
    return MappedRecord(key, context.thing, graph, with_digest(graph, context.triples))


def with_digest(graph: NamedNode, triples: list[Triple]) -> list[Triple]:
    """The triples plus `<graph> kgv:contentDigest "sha256…"`: a fingerprint of the graph's
    content, so "has this record changed?" is one lookup, and the server has a strong ETag."""
    lines = sorted({str(t) for t in triples})
    digest = hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
    return [*triples, Triple(graph, KGV.contentDigest, Literal(digest))]


def date_literal(date: PartialDate) -> Literal:
    if date.day is not None:
        return Literal(date.isoformat(), datatype=XSD.date)
    if date.month is not None:
        return Literal(date.isoformat(), datatype=XSD.gYearMonth)
    return Literal(date.isoformat(), datatype=XSD.gYear)


def field_rule(attribute: str, predicate: NamedNode, make: Callable[[Context, object], Literal]):
    """A rule for a plain field: each value of `attribute` (one or a list) becomes one triple."""

    def write(context: Context) -> None:
        value = getattr(context.record, attribute)
        for item in value if isinstance(value, list) else [value]:
            if item is not None and item != "":
                context.add(context.thing, predicate, make(context, item))

    write.__name__ = f"write_{attribute}"
    return write


def plain(context: Context, value) -> Literal:
    return Literal(str(value))


def text_in_language(context: Context, value) -> Literal:
    return context.text(value)


def integer(context: Context, value) -> Literal:
    # xsd:integer, not FaBiO's xsd:positiveInteger: Oxigraph stores every integer-derived type
    # as xsd:integer, so this is what is validated, stored and served alike (docs/decisions.md).
    return Literal(str(value), datatype=XSD.integer)


def decimal(value: float) -> Literal:
    """Fixed-point and canonical ("12.5", "100"): never an exponent, which xsd:decimal forbids."""
    return Literal(format(Decimal(str(value)).normalize(), "f"), datatype=XSD.decimal)


def any_uri(context: Context, value) -> Literal:
    return Literal(value, datatype=XSD.anyURI)


def write_type(context: Context) -> None:
    record = context.record
    if record.type is None:
        return  # the importer has said why; the shapes reject an output without a type
    pure_type = ontology.pure_types().get(record.type)
    if pure_type is None:
        context.record.add_problem("type", f"unknown research-output type '{record.type}'")
        return
    for cls in pure_type.classes:
        context.add(context.thing, RDF.type, NamedNode(cls))
    context.add(context.thing, DCTERMS.type, context.iri("type", record.type))


def write_language(context: Context) -> None:
    if context.record.language:
        context.add(context.thing, DCTERMS.language, NamedNode(LANGUAGE_IRI + context.record.language))


def write_identifier(context: Context, owner: NamedNode, fragment: str, scheme: NamedNode,
                     value: str, source: str | None = None) -> None:
    separator = "-" if "#" in owner.value else "#"  # "#host" gets "#host-isbn-1"
    node = NamedNode(f"{owner.value}{separator}{fragment}")
    context.add(owner, DATACITE.hasIdentifier, node)
    context.add(node, RDF.type, DATACITE.Identifier)
    context.add(node, DATACITE.usesIdentifierScheme, scheme)
    context.add(node, LITERAL.hasLiteralValue, Literal(value))
    if source:
        context.add(node, KGV.identifierSource, Literal(source))


def write_identifiers(context: Context) -> None:
    record, thing = context.record, context.thing
    local = DATACITE["local-resource-identifier-scheme"]
    if record.doi:
        write_identifier(context, thing, "doi", DATACITE.doi, record.doi)
        context.add(thing, OWL.sameAs, NamedNode(DOI_RESOLVER + quote(record.doi, safe="/;:()-._")))
    if record.pure_uuid:
        write_identifier(context, thing, "pure-uuid", local, record.pure_uuid.lower(), "Pure")
    if record.scopus_eid:
        write_identifier(context, thing, "scopus-eid", local, record.scopus_eid, "Scopus")
    content = keys.content_key(record)
    if content:
        context.add(thing, KGV.contentKey, Literal(content))


def write_journal_chain(context: Context) -> None:
    """article -> issue -> volume -> journal, skipping levels the source does not know."""
    record = context.record
    if record.journal is None:
        return
    journal = context.iri("journal", context.journal_key or keys.journal_key(record.journal))
    context.add(journal, RDF.type, FABIO.Journal)
    if record.journal.title:
        context.add(journal, DCTERMS.title, Literal(record.journal.title))
    for name in journal_names.name_keys(record.journal.title):  # how later records find this journal
        context.add(journal, KGV.nameKey, Literal(name))
    if record.journal.issn:
        write_identifier(context, journal, "issn", DATACITE.issn, record.journal.issn)
    if record.journal.eissn:
        write_identifier(context, journal, "eissn", DATACITE.eissn, record.journal.eissn)
    parent, path = journal, journal.value
    for level, number, cls in (("volume", record.volume, FABIO.JournalVolume),
                               ("issue", record.issue, FABIO.JournalIssue)):
        if not number:
            continue
        path = f"{path}/{level}/{keys.path_segment(number)}"
        node = NamedNode(path)
        context.add(node, RDF.type, cls)
        context.add(node, FABIO.hasSequenceIdentifier, Literal(number))
        context.add(node, FRBR.partOf, parent)
        parent = node
    context.add(context.thing, FRBR.partOf, parent)
    context.add(context.thing, DCTERMS.isPartOf, journal)  # the chain's top, one step away (modelling.md)


def publication_node(context: Context) -> NamedNode:
    """What ISBNs, series and publisher describe: the host book or proceedings of a chapter or
    paper, or the output itself when it is a whole publication (a book, thesis or report)."""
    kind = context.record.type or ""
    is_part = kind.startswith(PART_OF_BOOK_TYPES) or (
        bool(context.record.host_title) and not kind.startswith(WHOLE_PUBLICATION_TYPES))
    return context.part("host") if is_part else context.thing


def write_host_publication(context: Context) -> None:
    """A chapter's book or a paper's proceedings; ISBNs and series on whichever is the publication."""
    record = context.record
    publication = publication_node(context)
    if publication != context.thing:
        pure_type = ontology.pure_types().get(record.type or "")
        is_paper = pure_type is not None and FABIO.ConferencePaper.value in pure_type.classes
        context.add(publication, RDF.type, FABIO.ConferenceProceedings if is_paper else FABIO.Book)
        context.add(context.thing, FRBR.partOf, publication)
        context.add(context.thing, DCTERMS.isPartOf, publication)
        if record.host_title:
            context.add(publication, DCTERMS.title, Literal(record.host_title))
    for n, isbn in enumerate(record.isbn_print + record.isbn_electronic, start=1):
        write_identifier(context, publication, f"isbn-{n}", DATACITE.isbn, isbn)
    for n, series in enumerate(record.series, start=1):
        node = context.part(f"series-{n}")
        context.add(node, RDF.type, FABIO.BookSeries)
        context.add(node, DCTERMS.title, Literal(series.title))
        context.add(publication, FRBR.partOf, node)
        for m, issn in enumerate(series.issns, start=1):
            write_identifier(context, node, f"issn-{m}", DATACITE.issn, issn)
        if series.volume:
            context.add(publication, FABIO.hasSequenceIdentifier, Literal(series.volume))


def write_publisher(context: Context) -> None:
    name = context.record.publisher
    if not name:
        return
    publisher = context.iri("publisher", keys.slug(name))
    context.add(publisher, RDF.type, FOAF.Organization)
    context.add(publisher, FOAF.name, Literal(name))
    context.add(publication_node(context), DCTERMS.publisher, publisher)


def write_event(context: Context) -> None:
    event = context.record.event
    if event is None:
        return
    node = context.part("event")
    context.add(context.thing, KGV.presentedAt, node)
    context.add(node, RDF.type, SCHEMA.Event)
    context.add(node, SCHEMA.name, Literal(event.name))
    if event.place:
        context.add(node, SCHEMA.location, Literal(event.place))
    if event.start:
        context.add(node, SCHEMA.startDate, date_literal(event.start))
    if event.end:
        context.add(node, SCHEMA.endDate, date_literal(event.end))


def write_statuses(context: Context) -> None:
    record = context.record
    for status in record.statuses:
        node = context.part(f"status-{status.kind}")
        context.add(context.thing, PSO.holdsStatusInTime, node)
        context.add(node, RDF.type, PSO.StatusInTime)
        context.add(node, PSO.withStatus, STATUS_TERMS[status.kind])
        if status.date:
            context.add(node, DCTERMS.date, date_literal(status.date))
    if record.peer_reviewed:
        node = context.part("status-peer-reviewed")
        context.add(context.thing, PSO.holdsStatusInTime, node)
        context.add(node, RDF.type, PSO.StatusInTime)
        context.add(node, PSO.withStatus, PSO["peer-reviewed"])
    dated = {s.kind: s.date for s in record.statuses if s.date}
    for kind in PUBLICATION_DATE_STATUSES:
        if kind in dated:
            context.add(context.thing, PRISM.publicationDate, date_literal(dated[kind]))
            break


def write_citations(context: Context) -> None:
    for citation in context.record.citations:
        source = citation.source.casefold()
        node = context.part(f"citations-{keys.slug(citation.source)}")
        context.add(context.thing, C4O.hasGlobalCitationFrequency, node)
        context.add(node, RDF.type, C4O.GlobalCitationCount)
        context.add(node, C4O.hasGlobalCountValue,
                    integer(context, citation.count))
        source_node = CITATION_SOURCES.get(source)
        if source_node is None:
            context.add(node, C4O.hasGlobalCountSource, Literal(citation.source))
        else:
            context.add(node, C4O.hasGlobalCountSource, source_node)
            context.add(source_node, RDF.type, C4O.BibliographicInformationSource)
            context.add(source_node, RDFS.label, Literal(citation.source))
        if citation.harvested:
            context.add(node, C4O.hasGlobalCountDate, date_literal(citation.harvested))


def write_subjects(context: Context) -> None:
    for subject in context.record.subjects:
        code = ontology.resolve_asjc(subject.code, subject.label)
        if code is None:
            shown = " ".join(filter(None, (subject.code, repr(subject.label) if subject.label else None)))
            context.record.add_problem("ASJC subject areas", f"unknown ASJC subject {shown}")
            continue
        context.add(context.thing, DCTERMS.subject, context.iri("asjc", code))


def write_fingerprint(context: Context) -> None:
    for n, topic in enumerate(context.record.topics, start=1):
        concept = context.iri("topic", keys.slug(topic.concept))
        context.add(concept, RDF.type, SKOS.Concept)
        context.add(concept, SKOS.prefLabel, Literal(topic.concept, language="en"))
        if topic.domain:
            context.add(concept, KGV.topicDomain, Literal(topic.domain))
        context.add(context.thing, DCTERMS.subject, concept)
        entry = context.part(f"topic-{n}")
        context.add(context.thing, KGV.hasFingerprintEntry, entry)
        context.add(entry, RDF.type, KGV.FingerprintEntry)
        context.add(entry, KGV.topic, concept)
        if topic.weight is not None:
            context.add(entry, KGV.weight, decimal(topic.weight))


def write_authors(context: Context) -> None:
    roles = [context.part(f"author-{n}") for n in range(1, len(context.record.authors) + 1)]
    for n, (person, role) in enumerate(zip(context.record.authors, roles), start=1):
        agent = context.iri("person", keys.person_key(person, context.key, n))
        context.add(context.thing, PRO.isDocumentContextFor, role)
        context.add(role, RDF.type, PRO.RoleInTime)
        context.add(role, PRO.withRole, PRO.author)
        context.add(role, PRO.isHeldBy, agent)
        if n < len(roles):
            context.add(role, OCO.hasNext, roles[n])
        context.add(agent, RDF.type, FOAF.Person)
        context.add(agent, FOAF.name, Literal(person.display_name))
        if person.given_name:
            context.add(agent, FOAF.givenName, Literal(person.given_name))
        if person.family_name:
            context.add(agent, FOAF.familyName, Literal(person.family_name))
        if person.orcid:
            write_identifier(context, agent, "orcid", DATACITE.orcid, person.orcid)


def write_provenance(context: Context) -> None:
    """PROV-O on the named graph: the source records the work was built from (graph/sources.py)."""
    graph = iris.record_graph(context.base, context.key)
    for derivation in context.record.derived_from:
        source = NamedNode(f"{graph.value}#source-{quote(derivation.format)}")
        context.add(graph, PROV.wasDerivedFrom, source)
        context.add(source, RDF.type, PROV.Entity)
        context.add(source, DCTERMS["format"], Literal(derivation.format))
        context.add(source, DCTERMS.source, Literal(derivation.location))
        context.add(source, PROV.generatedAtTime, Literal(derivation.imported, datatype=XSD.dateTime))


# The mapping table: applied in this order to every record.
RULES: tuple[Callable[[Context], None], ...] = (
    write_type,
    field_rule("title", DCTERMS.title, text_in_language),
    field_rule("subtitle", FABIO.hasSubtitle, plain),  # range xsd:string in FaBiO
    field_rule("abstract", DCTERMS.abstract, text_in_language),
    write_language,
    field_rule("language_label", KGV.languageLabel, plain),
    write_journal_chain,
    write_host_publication,
    write_publisher,
    write_event,
    field_rule("start_page", PRISM.startingPage, plain),
    field_rule("end_page", PRISM.endingPage, plain),
    field_rule("page_count", FABIO.hasPageCount, integer),
    field_rule("article_number", FABIO.hasElectronicArticleIdentifier, plain),
    write_statuses,
    write_citations,
    write_subjects,
    field_rule("keywords", PRISM.keyword, plain),  # a keyword's language is rarely known
    write_fingerprint,
    write_authors,
    write_identifiers,
    field_rule("urls", FABIO.hasURL, any_uri),
    write_provenance,
)
