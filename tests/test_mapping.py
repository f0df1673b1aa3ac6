"""Record -> RDF rules (graph/mapping.py), on records built the way importers build them."""
from __future__ import annotations

import copy

from pyoxigraph import Literal, NamedNode

from kgpub.graph.mapping import map_record
from kgpub.graph.namespaces import DATACITE, DCTERMS, FABIO, FRBR, OCO, OWL, PRISM, PRO, PSO, RDF, XSD
from kgpub.graph.record import (
    CitationCount, Event, Journal, PartialDate, Person, Record, Series, SourceRef, Status, Subject,
)

BASE = "https://data.example.edu/"


def article(**fields) -> Record:
    defaults = dict(source=SourceRef("test.txt"), type="contributiontojournal/article", title="A title",
                    language="en", journal=Journal(title="A Journal", issn="0966-8136"), volume="7", issue="2")
    return Record(**{**defaults, **fields})


def objects(mapped, subject, predicate) -> list:
    return [t.object for t in mapped.triples if t.subject == subject and t.predicate == predicate]


def test_dates_keep_their_precision():
    for date, datatype in ((PartialDate(2006), XSD.gYear), (PartialDate(2006, 3), XSD.gYearMonth),
                           (PartialDate(2006, 3, 9), XSD.date)):
        mapped = map_record(article(statuses=[Status("published", date)]), BASE)
        [value] = objects(mapped, mapped.iri, PRISM.publicationDate)
        assert value == Literal(date.isoformat(), datatype=datatype)


def test_early_online_date_is_the_publication_date_only_without_a_published_one():
    early = Status("early-online", PartialDate(2020, 1, 5))
    mapped = map_record(article(statuses=[early]), BASE)
    assert objects(mapped, mapped.iri, PRISM.publicationDate) == [Literal("2020-01-05", datatype=XSD.date)]
    mapped = map_record(article(statuses=[early, Status("published", PartialDate(2020, 3))]), BASE)
    assert objects(mapped, mapped.iri, PRISM.publicationDate) == [Literal("2020-03", datatype=XSD.gYearMonth)]


def test_doi_is_an_identifier_and_a_same_as_link():
    mapped = map_record(article(doi="10.1080/09668130500481444"), BASE)
    assert objects(mapped, mapped.iri, OWL.sameAs) == [NamedNode("https://doi.org/10.1080/09668130500481444")]
    [identifier] = [o for o in objects(mapped, mapped.iri, DATACITE.hasIdentifier) if o.value.endswith("#doi")]
    assert objects(mapped, identifier, DATACITE.usesIdentifierScheme) == [DATACITE.doi]


def test_container_chain_skips_unknown_levels():
    mapped = map_record(article(volume=None), BASE)
    [issue] = objects(mapped, mapped.iri, FRBR.partOf)
    assert FABIO.JournalIssue in objects(mapped, issue, RDF.type)
    [journal] = objects(mapped, issue, FRBR.partOf)
    assert FABIO.Journal in objects(mapped, journal, RDF.type)
    assert not [t for t in mapped.triples if t.object == FABIO.JournalVolume]

    mapped = map_record(article(volume=None, issue=None), BASE)
    [journal] = objects(mapped, mapped.iri, FRBR.partOf)
    assert FABIO.Journal in objects(mapped, journal, RDF.type)


def test_authors_are_chained_in_order():
    people = [Person("Ann", "First"), Person("Bob", "Second"), Person(name="Third Person")]
    mapped = map_record(article(authors=people), BASE)
    roles = objects(mapped, mapped.iri, PRO.isDocumentContextFor)
    starts = [r for r in roles if not [t for t in mapped.triples if t.predicate == OCO.hasNext and t.object == r]]
    assert len(starts) == 1
    names, role = [], starts[0]
    while role:
        [person] = objects(mapped, role, PRO.isHeldBy)
        names.append(objects(mapped, person, NamedNode("http://xmlns.com/foaf/0.1/name"))[0].value)
        role = next(iter(objects(mapped, role, OCO.hasNext)), None)
    assert names == ["Ann First", "Bob Second", "Third Person"]


def test_unknown_subject_and_unknown_type_are_problems_on_their_fields():
    record = article(type="contributiontojournal/nonsense", subjects=[Subject(label="Underwater Basket Weaving"),
                                                                       Subject(code="3312")])
    mapped = map_record(record, BASE)
    fields = {p.field: p.message for p in record.problems}
    assert "Underwater Basket Weaving" in fields["ASJC subject areas"]
    assert "contributiontojournal/nonsense" in fields["type"]
    assert objects(mapped, mapped.iri, DCTERMS.subject) == [NamedNode(BASE + "id/asjc/3312")]


def test_same_record_maps_to_the_same_iri_and_triples():
    record = article(doi="10.1/x", authors=[Person("A", "B")], citations=[CitationCount("Scopus", 3, PartialDate(2026))])
    first, second = map_record(record, BASE), map_record(copy.deepcopy(record), BASE)
    assert first.iri == second.iri
    assert first.triples == second.triples
    assert len(set(first.triples)) == len(first.triples), "no duplicate triples"


def test_key_prefers_doi_then_pure_uuid_then_content():
    with_doi = map_record(article(doi="10.1/x", pure_uuid="U-1"), BASE)
    same_doi_other_source = map_record(article(doi="10.1/x", title="Other title"), BASE)
    assert with_doi.iri == same_doi_other_source.iri
    assert map_record(article(pure_uuid="U-1"), BASE).iri == map_record(article(pure_uuid="u-1", title="x"), BASE).iri
    assert map_record(article(), BASE).iri == map_record(article(), BASE).iri
    assert map_record(Record(SourceRef("empty.txt")), BASE) is None


def test_chapter_is_part_of_a_book_with_isbn_publisher_and_series():
    record = Record(SourceRef("c.txt"), type="contributiontobookanthology/chapter", title="Ch",
                    host_title="The Book", isbn_print=["978-3-16-148410-0"], publisher="Springer",
                    series=[Series("Lecture Notes", ["0302-9743"], "11430")])
    mapped = map_record(record, BASE)
    [host] = objects(mapped, mapped.iri, FRBR.partOf)
    assert objects(mapped, host, RDF.type) == [FABIO.Book]
    assert objects(mapped, host, DCTERMS.title) == [Literal("The Book")]
    assert len(objects(mapped, host, DCTERMS.publisher)) == 1
    [series] = objects(mapped, host, FRBR.partOf)
    assert objects(mapped, series, RDF.type) == [FABIO.BookSeries]


def test_a_book_is_part_of_no_host_even_when_a_source_gives_it_a_book_title():
    record = Record(SourceRef("b.txt"), type="bookanthology/book", title="The Book", host_title="Another",
                    isbn_print=["9783161484100"], publisher="Springer")
    mapped = map_record(record, BASE)
    assert objects(mapped, mapped.iri, FRBR.partOf) == []
    assert len(objects(mapped, mapped.iri, DCTERMS.publisher)) == 1, "the book's own publisher"


def test_conference_paper_is_part_of_proceedings_and_presented_at_its_event():
    record = Record(SourceRef("p.txt"), type="contributiontobookanthology/conference", title="P",
                    host_title="Proceedings of X",
                    event=Event("X 2019", "Lisbon, Portugal", PartialDate(2019, 6, 3), PartialDate(2019, 6, 5)))
    mapped = map_record(record, BASE)
    [host] = objects(mapped, mapped.iri, FRBR.partOf)
    assert objects(mapped, host, RDF.type) == [FABIO.ConferenceProceedings]
    [event] = objects(mapped, mapped.iri, NamedNode("https://w3id.org/kgpub/ns#presentedAt"))
    assert Literal("2019-06-05", datatype=XSD.date) in [t.object for t in mapped.triples if t.subject == event]


def test_peer_review_is_a_second_status():
    mapped = map_record(article(peer_reviewed=True, statuses=[Status("published", PartialDate(2006))]), BASE)
    statuses = {objects(mapped, s, PSO.withStatus)[0] for s in objects(mapped, mapped.iri, PSO.holdsStatusInTime)}
    assert statuses == {PSO.published, PSO["peer-reviewed"]}
    mapped = map_record(article(peer_reviewed=False), BASE)
    assert objects(mapped, mapped.iri, PSO.holdsStatusInTime) == []


def test_control_characters_are_dropped_with_a_warning_and_the_language_kept():
    """XML (RDF/XML, SPARQL XML results) cannot carry them: a stray NUL in a source file is not published."""
    record = article(title="Nul\x00title\x1b here", abstract="Tab\tand\nnewline stay")
    mapped = map_record(record, BASE)
    assert objects(mapped, mapped.iri, DCTERMS.title) == [Literal("Nultitle here", language="en")]
    assert objects(mapped, mapped.iri, DCTERMS.abstract) == [Literal("Tab\tand\nnewline stay", language="en")]
    assert [(p.field, p.severity) for p in record.problems if "control characters" in p.message] == [("title", "warning")]
