"""The pure-json importer: real Pure web-service (API 524) research outputs become Records.

The three records come from public Pure API clients (see SOURCES.tsv beside them); broken
variants are derived from them here, one change at a time.
"""
from __future__ import annotations

import copy
import dataclasses
import io
import json
from pathlib import Path

import pytest
from conftest import PURE_API

from kgpub.graph.importers import by_name
from kgpub.graph.importers.pure_json import read
from kgpub.graph.record import (CitationCount, Event, PartialDate, Person, Record, Series, SourceRef,
                                Status, Subject, UnreadableRecord)

UMN = PURE_API / "umn-journal-article.json"
LUND_ARTICLE = PURE_API / "lund-journal-article.json"
LUND_PREPRINT = PURE_API / "lund-preprint.json"
ALL_THREE = (UMN, LUND_ARTICLE, LUND_PREPRINT)
TYPE_PREFIX = "/dk/atira/pure/researchoutput/researchoutputtypes/"


def read_bytes(data: bytes, source: str = "upload.json") -> list[Record | UnreadableRecord]:
    return list(read(io.BytesIO(data), source))


def read_one(data: bytes, source: str = "upload.json") -> Record | UnreadableRecord:
    [item] = read_bytes(data, source)
    return item


def read_real(path: Path) -> Record:
    with path.open("rb") as stream:
        [record] = list(read(stream, str(path)))
    return record


def real_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def changed(path: Path, change) -> Record:
    """The record read from a real file after `change(obj)` altered its JSON."""
    obj = real_json(path)
    change(obj)
    return read_one(json.dumps(obj).encode())


def problem_fields(record: Record) -> list[str]:
    return [problem.field for problem in record.problems]


def without_source(record: Record) -> Record:
    return dataclasses.replace(record, source=SourceRef("-"))


# --- the UMN journal article, field by field ---------------------------------------------------

@pytest.fixture(scope="module")
def umn() -> Record:
    return read_real(UMN)


def test_umn_article_reads_without_problems(umn):
    assert umn.problems == []
    assert umn.source == SourceRef(str(UMN), format="pure-json")


def test_umn_title_keeps_its_greek_letters_and_arrows(umn):
    assert umn.title == "Measurement of Singly Cabibbo Suppressed Decays Λc+ →pπ+π- and Λc+ →pK+K-"
    assert umn.subtitle is None


def test_umn_type_peer_review_and_language(umn):
    assert umn.type == "contributiontojournal/article"
    assert umn.peer_reviewed is True
    assert (umn.language, umn.language_label) == ("en", "English (US)")


def test_umn_abstract_loses_its_paragraph_tags(umn):
    assert umn.abstract.startswith("Using 567 pb-1 of data collected with the BESIII detector")
    assert umn.abstract.endswith("is significantly improved.")
    assert "<p>" not in umn.abstract and "</p>" not in umn.abstract


def test_umn_identifiers(umn):
    assert umn.doi == "10.1103/physrevlett.117.232002"
    assert umn.pure_uuid == "f145e583-7d49-415e-aefb-381905b58ae7"
    assert umn.scopus_eid == "2-s2.0-85002158060"


def test_umn_journal_volume_issue_and_article_number(umn):
    assert umn.journal.title == "Physical Review Letters"
    assert umn.journal.issn == "0031-9007"
    assert umn.journal.pure_uuid == "e8f449dd-03b4-4b2c-ba4c-c41051f861cd"
    assert (umn.volume, umn.issue, umn.article_number) == ("117", "23", "232002")
    assert (umn.start_page, umn.end_page, umn.page_count) == (None, None, None)


def test_umn_scopus_citations_wait_for_the_harvest_date(umn):
    assert umn.citations == [CitationCount("Scopus", 26, harvested=None)]


def test_umn_asjc_subject_by_code_and_label(umn):
    assert umn.subjects == [Subject(code="3100", label="Physics and Astronomy(all)")]
    assert umn.keywords == []


def test_umn_published_at_day_precision(umn):
    assert umn.statuses == [Status("published", PartialDate(2016, 12, 2))]


def test_umn_authors_in_order_with_the_collaboration_last(umn):
    assert len(umn.authors) == 51
    assert umn.authors[0] == Person(given_name="M.", family_name="Ablikim",
                                    pure_uuid="7f463842-f49b-48c8-98cf-5dfc4b1efe83")
    assert [a.family_name for a in umn.authors[1:4]] == ["Achasov", "Ahmed", "Ai"]
    assert [a.display_name for a in umn.authors[48:50]] == ["H. Muramatsu", "R. Poling"]
    assert umn.authors[50].name == "(BESIII Collaboration)"
    assert umn.authors[50].pure_uuid == "965013d0-149d-4178-b54a-a43d3be26f12"


def test_umn_portal_page_is_a_url(umn):
    assert umn.urls == ["https://experts.umn.edu/en/publications/f145e583-7d49-415e-aefb-381905b58ae7"]


# --- the Lund journal article ------------------------------------------------------------------

@pytest.fixture(scope="module")
def lund_article() -> Record:
    return read_real(LUND_ARTICLE)


def test_lund_article_reads_without_problems(lund_article):
    assert lund_article.problems == []
    assert lund_article.title == (
        "A microcalorimetric method of studying mould activity as a function of water activity")


def test_lund_article_page_range_volume_and_issue(lund_article):
    assert (lund_article.start_page, lund_article.end_page) == ("25", "28")
    assert (lund_article.volume, lund_article.issue) == ("42", "1")


def test_lund_article_date_is_year_only(lund_article):
    assert lund_article.statuses == [Status("published", PartialDate(1998))]


def test_lund_article_journal_prefers_the_journals_own_name(lund_article):
    # The association says "… & Biodegradation", the journal itself "… and Biodegradation".
    assert lund_article.journal.title == "International Biodeterioration and Biodegradation"
    assert lund_article.journal.issn == "1879-0208"


def test_lund_article_authors_in_order(lund_article):
    assert [(a.given_name, a.family_name) for a in lund_article.authors] == [
        ("N", "Markova"), ("Lars", "Wadsö")]
    assert lund_article.authors[1].pure_uuid == "4967eb17-7f37-47a0-a8f8-ec7b22af1567"


def test_lund_article_identifiers_and_citations(lund_article):
    assert lund_article.doi == "10.1016/s0964-8305(98)00042-0"
    assert lund_article.scopus_eid == "2-s2.0-0031787431"
    assert lund_article.citations == [CitationCount("Scopus", 8)]


def test_lund_article_abstract_entities_are_decoded(lund_article):
    assert "a small sample (<1 g) of a moulded substrate" in lund_article.abstract
    assert "&lt;" not in lund_article.abstract


def test_lund_article_language_label_in_the_records_locale(lund_article):
    assert (lund_article.language, lund_article.language_label) == ("en", "English")


def test_uka_classification_is_not_read_as_keywords_or_subjects(lund_article):
    assert lund_article.keywords == [] and lund_article.subjects == []


# --- the Lund preprint -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def preprint() -> Record:
    return read_real(LUND_PREPRINT)


def test_preprint_type_title_and_subtitle(preprint):
    assert preprint.problems == []
    assert preprint.type == "workingpaper/preprint"
    assert preprint.title == "Memory-based Language Models"
    assert preprint.subtitle == (
        "An Efficient, Explainable, and Eco-friendly Approach to Large Language Modeling")


def test_preprint_pages_and_publisher(preprint):
    assert preprint.page_count == 15
    assert preprint.publisher == "arXiv.org"
    assert preprint.journal is None


def test_preprint_free_keywords_without_uka_or_sdg(preprint):
    assert preprint.keywords == ["AI", "machine learning", "language modelling"]


def test_preprint_links_to_arxiv_and_the_portal(preprint):
    assert preprint.urls == [
        "https://arxiv.org/abs/2510.22317",
        "https://portal.research.lu.se/en/publications/a6723008-96f5-414f-8ad3-7f4674c2e745",
    ]
    assert preprint.doi is None


def test_preprint_without_peer_review_flag_is_unknown_not_false(preprint):
    assert preprint.peer_reviewed is None


def test_peer_review_false_when_pure_says_so():
    record = changed(LUND_PREPRINT, lambda obj: obj.update(peerReview=False))
    assert record.peer_reviewed is False


def test_preprint_author_names_are_trimmed(preprint):
    assert [a.display_name for a in preprint.authors] == [
        "Antal van den Bosch", "Ainhoa Risco Patón", "Teun Buijse", "Peter Berck", "Maarten van Gompel"]


def test_preprint_published_date(preprint):
    assert preprint.statuses == [Status("published", PartialDate(2025, 10, 25))]


# --- lists, Pure list responses and JSON Lines ------------------------------------------------

def test_the_importer_table_finds_this_module():
    assert by_name("pure-json").load().read is read


def test_a_list_of_records_is_indexed():
    data = json.dumps([real_json(path) for path in ALL_THREE]).encode()
    records = read_bytes(data, "three.json")
    assert [r.source for r in records] == [
        SourceRef("three.json", index=i, format="pure-json") for i in range(3)]
    assert [without_source(r) for r in records] == [without_source(read_real(path)) for path in ALL_THREE]


def test_a_broken_list_keeps_the_records_before_the_broken_one():
    data = json.dumps([real_json(path) for path in ALL_THREE], indent=2)
    cut = data.index(real_json(ALL_THREE[2])["uuid"])  # inside the third record
    records = read_bytes(data[:cut].encode(), "cut.json")
    assert [type(r) for r in records] == [Record, Record, UnreadableRecord]
    assert records[2].source == SourceRef("cut.json", index=2, format="pure-json")
    assert records[2].problems[0].message.startswith("invalid JSON in item [2], lines ")


def test_a_pure_list_response_yields_its_items():
    data = json.dumps({"count": 1250, "pageInformation": {"offset": 0, "size": 3},
                       "items": [real_json(path) for path in ALL_THREE]}).encode()
    records = read_bytes(data)
    assert [r.pure_uuid for r in records] == [read_real(path).pure_uuid for path in ALL_THREE]
    assert [r.source.index for r in records] == [0, 1, 2]


def test_json_lines_are_read_line_by_line():
    data = "\n".join(json.dumps(real_json(path), ensure_ascii=False) for path in ALL_THREE).encode()
    records = read_bytes(data, "dump.json")
    assert [r.source.line for r in records] == [1, 2, 3]
    assert [without_source(r) for r in records] == [without_source(read_real(path)) for path in ALL_THREE]


def test_a_bad_json_line_is_reported_and_the_others_still_load():
    lines = [json.dumps(real_json(path)) for path in ALL_THREE]
    lines[1] = lines[1][:500]
    records = read_bytes("\n".join(lines).encode(), "dump.jsonl")
    assert [type(r) for r in records] == [Record, UnreadableRecord, Record]
    [problem] = records[1].problems
    assert records[1].source.line == 2
    assert problem.message.startswith("invalid JSON at line 2, column 501")


def test_json_lines_count_blank_lines():
    lines = [json.dumps(real_json(path)) for path in (UMN, LUND_ARTICLE)]
    records = read_bytes(f"\n{lines[0]}\n\n{lines[1]}\n".encode())
    assert [r.source.line for r in records] == [2, 4]


def test_a_jsonl_file_with_a_bad_first_line_still_reads_the_rest():
    good = json.dumps(real_json(LUND_ARTICLE))
    records = read_bytes(f"{{\"title\": \n{good}\n".encode(), "dump.jsonl")
    assert [type(r) for r in records] == [UnreadableRecord, Record]


# --- broken input ---------------------------------------------------------------------------

def test_invalid_json_names_line_and_column():
    # Line 4 of the real file loses its comma, so line 5 starts where a comma was expected.
    text = UMN.read_text(encoding="utf-8")
    assert text.splitlines()[3] == '  "externalIdSource": "Scopus",'
    text = text.replace('"externalIdSource": "Scopus",', '"externalIdSource": "Scopus"', 1)
    item = read_one(text.encode())
    assert isinstance(item, UnreadableRecord)
    assert item.problems[0].message == "invalid JSON at line 5, column 3: Expecting ',' delimiter"


def test_impossible_date_is_named_by_its_path_and_reading_goes_on():
    record = changed(LUND_ARTICLE, lambda obj: obj["publicationStatuses"][0].update(
        publicationDate={"year": 2006, "month": 2, "day": 31}))
    [problem] = record.problems
    assert problem.field == "publicationStatuses[0].publicationDate"
    assert "day 31 does not exist in February 2006" in problem.message
    assert record.statuses == [Status("published", None)]
    assert record.doi == "10.1016/s0964-8305(98)00042-0"


def test_zero_pages_is_a_problem():
    record = changed(LUND_PREPRINT, lambda obj: obj.update(numberOfPages=0))
    assert problem_fields(record) == ["numberOfPages"]
    assert record.page_count is None


def test_missing_title_is_an_error():
    record = changed(LUND_ARTICLE, lambda obj: obj.pop("title"))
    assert [p.as_dict() for p in record.problems] == [
        {"field": "title", "message": "missing", "severity": "error"}]
    assert record.type == "contributiontojournal/article"


def test_unknown_type_uri_is_named():
    uri = TYPE_PREFIX + "contributiontojournal/hologram"
    record = changed(LUND_ARTICLE, lambda obj: obj["type"].update(uri=uri))
    [problem] = record.problems
    assert problem.field == "type.uri" and uri in problem.message
    assert record.type is None


def test_every_problem_of_a_record_is_reported_at_once():
    def break_everything(obj):
        obj.pop("title")
        obj["type"]["uri"] = TYPE_PREFIX + "nonsense"
        obj["numberOfPages"] = 0
        obj["publicationStatuses"][0]["publicationDate"] = {"year": 2006, "month": 2, "day": 31}
    record = changed(LUND_ARTICLE, break_everything)
    assert sorted(problem_fields(record)) == [
        "numberOfPages", "publicationStatuses[0].publicationDate", "title", "type.uri"]


def test_a_value_of_the_wrong_kind_is_named_by_its_path():
    def year_as_text(obj):
        obj["publicationStatuses"][0]["publicationDate"]["year"] = "1998"
        obj["volume"] = 42
    record = changed(LUND_ARTICLE, year_as_text)
    assert [(p.field, p.message) for p in record.problems] == [
        ("volume", "expected a string, found a whole number"),
        ("publicationStatuses[0].publicationDate.year", "expected a whole number, found a string"),
    ]


def test_an_object_that_is_not_a_research_output_is_unreadable():
    item = read_one(json.dumps({"uuid": "x", "name": {"firstName": "Lars"}}).encode())
    assert isinstance(item, UnreadableRecord)
    assert 'neither "title" nor "type"' in item.problems[0].message


def test_a_json_value_that_is_no_object_is_unreadable():
    item = read_one(b"[42]")
    assert isinstance(item, UnreadableRecord) and item.source.index == 0
    assert item.problems[0].message == "expected a research-output object, found a whole number"


@pytest.mark.parametrize("data", [b"", b"  \n\n"])
def test_an_empty_file_is_unreadable(data):
    item = read_one(data)
    assert isinstance(item, UnreadableRecord)
    assert item.problems[0].message == "the file is empty"


def test_a_binary_file_is_unreadable():
    item = read_one(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert isinstance(item, UnreadableRecord)
    assert item.problems[0].message == "the file is binary, not text"


# --- fields the three records do not show -----------------------------------------------------

def test_formatted_abstract_becomes_text_in_the_records_locale():
    def two_languages(obj):
        obj["abstract"]["text"] = [
            {"locale": "sv_SE", "value": "<p>Svensk text</p>"},
            {"locale": "en_GB", "value": "<p>Heat &amp; mould,<br/>measured</p><p>in   two steps</p>"},
        ]
    record = changed(LUND_ARTICLE, two_languages)
    assert record.abstract == "Heat & mould,\nmeasured\nin two steps"


def test_without_a_language_the_first_abstract_is_taken():
    def no_language(obj):
        obj.pop("language")
        obj["abstract"]["text"].insert(0, {"locale": "sv_SE", "value": "Svensk text"})
    record = changed(LUND_ARTICLE, no_language)
    assert (record.abstract, record.language) == ("Svensk text", None)


@pytest.mark.parametrize("pages, start, end", [("25\u201328", "25", "28"), ("e123", "e123", None),
                                               ("193 - 213", "193", "213")])
def test_page_ranges(pages, start, end):
    record = changed(LUND_ARTICLE, lambda obj: obj.update(pages=pages))
    assert (record.start_page, record.end_page, record.problems) == (start, end, [])


def test_a_page_range_with_three_parts_is_a_problem():
    record = changed(LUND_ARTICLE, lambda obj: obj.update(pages="25-28-30"))
    assert problem_fields(record) == ["pages"]


@pytest.mark.parametrize("tail, kind", [("inpress", "accepted"), ("epub", "early-online"),
                                        ("submitted", "submitted"), ("unpublished", "unpublished")])
def test_publication_status_kinds(tail, kind):
    def add_status(obj):
        uri = f"/dk/atira/pure/researchoutput/status/{tail}"
        obj["publicationStatuses"].append({"publicationDate": {"year": 1997, "month": 11},
                                           "publicationStatus": {"uri": uri}})
    record = changed(LUND_ARTICLE, add_status)
    assert record.statuses[1] == Status(kind, PartialDate(1997, 11))


def test_an_unknown_publication_status_is_named():
    record = changed(LUND_ARTICLE, lambda obj: obj["publicationStatuses"][0]["publicationStatus"].update(
        uri="/dk/atira/pure/researchoutput/status/lost"))
    assert problem_fields(record) == ["publicationStatuses[0].publicationStatus.uri"]
    assert "/dk/atira/pure/researchoutput/status/lost" in record.problems[0].message


def test_only_authors_are_authors_and_orcids_are_kept_bare():
    def add_editor_and_orcid(obj):
        editor = copy.deepcopy(obj["personAssociations"][0])
        editor["personRole"]["uri"] = "/dk/atira/pure/researchoutput/roles/contributiontojournal/editor"
        obj["personAssociations"].insert(0, editor)
        obj["personAssociations"][2]["person"]["orcid"] = "https://orcid.org/0000-0002-1825-0097"
    record = changed(LUND_ARTICLE, add_editor_and_orcid)
    assert [a.family_name for a in record.authors] == ["Markova", "Wadsö"]
    assert record.authors[1].orcid == "0000-0002-1825-0097"


def test_a_malformed_orcid_is_a_warning_and_dropped():
    record = changed(LUND_ARTICLE, lambda obj: obj["personAssociations"][1].update(orcid="0000-12"))
    [problem] = record.problems
    assert (problem.field, problem.severity) == ("personAssociations[1].orcid", "warning")
    assert record.authors[1].orcid is None


def test_a_chapter_keeps_host_publication_isbns_series_and_event():
    def as_chapter(obj):
        obj["type"]["uri"] = TYPE_PREFIX + "contributiontobookanthology/conference"
        obj.pop("journalAssociation")
        obj["hostPublicationTitle"] = {"formatted": True, "value": "Proceedings of Heat &amp; Mould"}
        obj["isbns"] = ["978-3-16-148410-0"]
        obj["electronicIsbns"] = ["978-3-16-148411-7"]
        obj["publicationSeries"] = [{"name": {"formatted": False, "value": "Lecture Notes in Moulds"},
                                     "issn": "0302-9743", "electronicIssn": "1611-3349", "volume": "12"}]
        obj["event"] = {"uuid": "0b4c", "name": {"formatted": False, "text": [
            {"locale": "en_GB", "value": "Building Physics Symposium"}]}}
    record = changed(LUND_ARTICLE, as_chapter)
    assert record.problems == []
    assert record.type == "contributiontobookanthology/conference"
    assert record.host_title == "Proceedings of Heat & Mould"
    assert (record.isbn_print, record.isbn_electronic) == (["978-3-16-148410-0"], ["978-3-16-148411-7"])
    assert record.series == [Series("Lecture Notes in Moulds", ["0302-9743", "1611-3349"], volume="12")]
    assert record.event == Event("Building Physics Symposium")
    assert record.journal is None


def test_a_bad_doi_is_named():
    record = changed(LUND_ARTICLE, lambda obj: obj["electronicVersions"][0].update(doi="not a doi"))
    assert problem_fields(record) == ["electronicVersions[0].doi"]
    assert record.doi is None
