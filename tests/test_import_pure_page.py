"""The `pure-page` importer reads every field a Pure portal page shows, in every layout portals use.

The seed (../shared/data/seed-record.txt) is the founding example: labels glued to their values.
The fixtures in tests/fixtures/pure_page/ are one page per layout variant, written after real
portal pages: tab-separated, label on its own line, newer portals' "Conference" blocks.
"""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from conftest import SEED
from kgpub.graph.importers import by_name, for_path
from kgpub.graph.importers.page_labels import page_labels
from kgpub.graph.record import (CitationCount, Event, PartialDate, Person, Record, Series, Status,
                                Subject, Topic, UnreadableRecord)

# Valid pages double as the bundled examples (`make run`); broken ones stay with the tests.
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
BROKEN = Path(__file__).parent / "fixtures" / "pure_page"


def read_one(data: bytes, source: str = "page.txt") -> Record | UnreadableRecord:
    items = list(by_name("pure-page").load().read(io.BytesIO(data), source))
    assert len(items) == 1, "one page is one record"
    return items[0]


def read_fixture(name: str) -> Record:
    folder = BROKEN if (BROKEN / name).exists() else EXAMPLES
    record = read_one((folder / name).read_bytes(), name)
    assert isinstance(record, Record)
    return record


def read_text(text: str) -> Record:
    record = read_one(text.encode("utf-8"))
    assert isinstance(record, Record)
    return record


def problems(record) -> list[tuple[str, str]]:
    return [(p.field, p.severity) for p in record.problems]


def a_page(*details: str, header: str = "Research output: Contribution to journal › Article") -> str:
    """A small tab-separated page around the given detail lines."""
    return "\n".join(["A title", "Ann Author", header, "An abstract.", *details, "Cite this", ""])


# --- the seed, field by field ------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed() -> Record:
    record = read_one(SEED.read_bytes(), "seed-record.txt")
    assert isinstance(record, Record)
    return record


def test_seed_is_one_record_from_its_file_at_the_title_line(seed):
    assert (seed.source.path, seed.source.line, seed.source.format) == ("seed-record.txt", 1, "pure-page")


def test_seed_title(seed):
    assert seed.title == "Law enforcement and civil society in Russia"


def test_seed_type_is_a_peer_reviewed_journal_article(seed):
    assert seed.type == "contributiontojournal/article"
    assert seed.peer_reviewed is True


def test_seed_has_40_scopus_citations_with_the_harvest_date_left_to_the_pipeline(seed):
    assert seed.citations == [CitationCount("Scopus", 40, harvested=None)]


def test_seed_abstract_starts_and_ends_where_the_page_does(seed):
    assert seed.abstract.startswith("Many Russian civil society organisations are directly engaging")
    assert seed.abstract.endswith("to transform the Russian state in a more liberal, 'civil' direction.")
    assert "Original language" not in seed.abstract and "Scopus" not in seed.abstract


def test_seed_language_is_english_with_the_label_kept(seed):
    assert (seed.language, seed.language_label) == ("en", "English (US)")


def test_seed_pages_and_page_count(seed):
    assert (seed.start_page, seed.end_page, seed.page_count) == ("193", "213", 21)


def test_seed_journal_and_issue_with_no_volume_invented(seed):
    assert seed.journal.title == "Europe - Asia Studies"
    assert seed.issue == "2"
    assert seed.volume is None


def test_seed_status_is_published_in_march_2006_at_month_precision(seed):
    assert seed.statuses == [Status("published", PartialDate(2006, 3))]


def test_seed_asjc_subject_areas_are_the_four_bullets(seed):
    assert seed.subjects == [Subject(label="Geography, Planning and Development"), Subject(label="History"),
                             Subject(label="Sociology and Political Science"),
                             Subject(label="Economics and Econometrics")]


def test_seed_has_no_authors_doi_keywords_or_topics_and_no_errors(seed):
    assert (seed.authors, seed.doi, seed.keywords, seed.topics) == ([], None, [], [])
    assert seed.errors == []
    assert problems(seed) == []


# --- one fixture per layout ----------------------------------------------------------------------


def test_tab_separated_journal_article_reads_every_field():
    record = read_fixture("journal-article-tabs.txt")
    assert record.title == "Moisture buffering of clay plaster in timber-framed houses"
    assert (record.type, record.peer_reviewed) == ("contributiontojournal/article", True)
    assert record.authors == [Person("Karin", "Holmgren", "Karin Holmgren"),
                              Person("Jonas", "Berg", "Jonas Berg"),
                              Person("Mette", "Sørensen", "Mette Sørensen")]
    assert record.citations == [CitationCount("Scopus", 12)]
    assert (record.language, record.article_number, record.page_count) == ("en", "e0123", 14)
    assert (record.journal.title, record.volume, record.issue) == ("Building and Environment", "117", "4")
    assert record.doi == "10.1016/j.buildenv.2021.107654"
    assert record.statuses == [Status("early-online", PartialDate(2021, 2, 3)),
                               Status("published", PartialDate(2021, 3, 12))]
    assert record.keywords == ["moisture buffer value", "clay plaster", "indoor climate"]
    assert [s.label for s in record.subjects] == ["Environmental Engineering",
                                                 "Civil and Structural Engineering", "Building and Construction"]
    assert record.topics == [Topic("Clay Plaster", "Engineering", 100.0),
                             Topic("Moisture Buffering", "Keyphrases", 82.0),
                             Topic("Indoor Humidity", "Engineering", 45.0)]
    assert record.problems == []


def test_abstract_keeps_its_paragraphs_and_nothing_after_cite_this_leaks_in():
    record = read_fixture("journal-article-tabs.txt")
    assert record.abstract.split("\n") == [
        "Clay plasters are used in timber-framed houses to buffer indoor humidity. We measured the moisture "
        "buffer value of six plasters in a climate chamber and in two inhabited houses over one year.",
        "State-of-the-art clay plasters buffered twice as much moisture as lime plaster. Journal articles "
        "on the subject have so far relied on laboratory data only.",
    ]


def test_chapter_reads_host_publication_publisher_isbns_and_series_block():
    record = read_fixture("chapter-in-book.txt")
    assert (record.type, record.peer_reviewed) == ("contributiontobookanthology/chapter", True)
    assert record.authors == [Person("Ana", "Ferreira", "Ana Ferreira"),
                              Person("Tomás", "Lindgren", "Tomás Lindgren")]
    assert (record.host_title, record.publisher) == ("Metadata and Semantics Research", "Springer")
    assert (record.isbn_print, record.isbn_electronic) == (["978-3-030-36598-1"], ["978-3-030-36599-8"])
    assert (record.start_page, record.end_page, record.page_count) == ("112", "124", 13)
    assert record.doi == "10.1007/978-3-030-36599-8_10"
    assert record.series == [Series("Lecture Notes in Computer Science", ["0302-9743", "1611-3349"], "11430")]
    assert record.statuses == [Status("published", PartialDate(2019))]


def test_series_volume_is_not_the_records_volume():
    assert read_fixture("chapter-in-book.txt").volume is None


def test_an_organisation_line_under_the_authors_is_not_an_author_and_is_only_warned_about():
    record = read_fixture("chapter-in-book.txt")
    assert "Library" not in [p.display_name for p in record.authors]
    assert problems(record) == [("Authors", "warning")]
    assert "line 3" in record.problems[0].message


def test_conference_contribution_reads_event_place_and_duration():
    record = read_fixture("conference-contribution.txt")
    assert record.type == "contributiontobookanthology/conference"
    assert record.authors == [Person("Lena", "Vogel", "Lena Vogel"),
                              Person("Pedro", "Alves", "Pedro Alves"),
                              Person("Sun", "Li", "Sun Li")]
    assert record.event == Event("12th Conference on Research Data, CORD 2019", "Lisbon, Portugal",
                                 PartialDate(2019, 6, 3), PartialDate(2019, 6, 5))
    assert (record.language, record.language_label) == ("en", "English (GB)")
    assert record.isbn_electronic == ["978-1-7281-0000-5", "978-1-7281-0001-2"]
    assert record.keywords == ["reference parsing", "repositories"]
    assert record.problems == []


def test_newer_portal_layout_with_conference_block_and_fingerprint_without_tabs():
    record = read_fixture("conference-block.txt")
    assert (record.type, record.peer_reviewed) == ("contributiontobookanthology/conference", True)
    assert [p.display_name for p in record.authors] == ["Wei Zhang", "Hana Kim", "Omar Haddad"]
    assert record.citations == [CitationCount("Scopus", 13)]
    assert record.event == Event("30th ACM Conference on Programming Languages, PL 2025", "Rotterdam, Netherlands")
    assert record.series == [Series("ACM Conference Series", [], "1")]
    assert record.keywords == ["register allocation", "sparsity"]
    assert record.topics == [Topic("Register Allocation", "Computer Science", 100.0),
                             Topic("Control-Flow Graph", "Computer Science", 100.0),
                             Topic("Sparsity", "Keyphrases", 37.0)]
    assert record.doi is None, "a DOI under 'Access to Document' is a link, not the DOIs field"


def test_numeric_conference_period_is_left_out_with_a_warning_because_its_order_is_ambiguous():
    record = read_fixture("conference-block.txt")
    assert (record.event.start, record.event.end) == (None, None)
    assert problems(record) == [("Period", "warning")]
    assert "30/03/25" in record.problems[0].message


def test_doctoral_thesis_supervisors_are_not_authors():
    record = read_fixture("doctoral-thesis.txt")
    assert (record.type, record.peer_reviewed) == ("thesis/doc", None)
    assert record.authors == [Person("Maria", "Lindqvist", "Maria Lindqvist")]
    assert record.publisher == "Division of Building Materials, Lund University"
    assert (record.isbn_print, record.isbn_electronic) == (["978-91-7422-800-7"], ["978-91-7422-801-4"])
    assert record.statuses == [Status("published", PartialDate(2021))]
    assert record.keywords == ["mould", "moisture transport", "historic buildings"]
    assert record.problems == []


def test_preprint_without_peer_review_is_not_said_to_be_peer_reviewed():
    record = read_fixture("preprint.txt")
    assert (record.type, record.peer_reviewed) == ("workingpaper/preprint", None)
    assert [p.display_name for p in record.authors] == ["Eva de Vries", "Tom Okafor"]
    assert (record.publisher, record.page_count) == ("arXiv.org", 15)
    assert record.doi == "10.48550/arxiv.2510.00001"
    assert record.statuses == [Status("submitted", PartialDate(2025, 10, 25))]
    assert record.keywords == ["language models", "nearest neighbours"]
    assert record.problems == []


def test_label_on_its_own_line_layout_reads_the_value_from_the_next_line():
    record = read_fixture("label-own-line.txt")
    assert [p.display_name for p in record.authors] == ["Erik Nilsson", "Sara Ahmed"]
    assert (record.language, record.start_page, record.end_page) == ("en", "25", "28")
    assert record.journal.title == "International Biodeterioration & Biodegradation"
    assert (record.volume, record.issue) == ("42", "1")
    assert record.doi == "10.1016/j.ibiod.2019.104765"
    assert record.statuses == [Status("accepted", PartialDate(2019))]
    assert record.keywords == ["mould", "water activity"]
    assert record.subjects == [Subject(label="Microbiology"), Subject(label="Biomaterials")]
    assert record.problems == []


# --- errors: all reported at once, named by the page's own label --------------------------------


def test_several_errors_are_all_reported_at_once_with_the_pages_labels():
    record = read_fixture("several-errors.txt")
    assert problems(record) == [("Title", "error"), ("Original language", "warning"),
                                ("Number of pages", "error"), ("State", "error")]


def test_error_messages_name_the_line_and_the_value():
    messages = {p.field: p.message for p in read_fixture("several-errors.txt").problems}
    assert messages["Number of pages"].startswith("line 9: ") and "0" in messages["Number of pages"]
    assert messages["State"].startswith("line 12: ") and "31 Feb 2006" in messages["State"]
    assert "Klingon" in messages["Original language"]


def test_reading_goes_on_after_an_error():
    record = read_fixture("several-errors.txt")
    assert (record.type, record.journal.title, record.issue) == ("contributiontojournal/article",
                                                                 "Europe - Asia Studies", "2")
    assert (record.start_page, record.end_page) == ("193", "213")
    assert (record.page_count, record.statuses) == (None, []), "values that cannot be read stay empty"
    assert (record.language, record.language_label) == (None, "Klingon")


def test_impossible_date_is_an_error_on_publication_status():
    record = read_text(a_page("Publication status\tPublished - 30 Feb 2020"))
    assert problems(record) == [("Publication status", "error")]
    assert "30 Feb 2020" in record.problems[0].message


def test_unknown_type_is_an_error_naming_the_type():
    record = read_text(a_page(header="Research output: Contribution to journal › Horoscope"))
    assert record.type is None
    assert problems(record) == [("Research output", "error")]
    assert "Horoscope" in record.problems[0].message


def test_page_without_a_type_line_is_an_error_and_takes_no_authors_from_the_abstract():
    record = read_text("A title\nAnn Author, Bob Builder\nThe abstract says little.\nJournal\tNature\n")
    assert (record.type, record.authors, record.journal.title) == (None, [], "Nature")
    assert ("Research output", "error") in problems(record)
    assert record.abstract == "Ann Author, Bob Builder\nThe abstract says little."


@pytest.mark.parametrize("details, field", [
    ("Number of pages\ttwenty", "Number of pages"),
    ("Pages (from-to)\t1-2-3", "Pages (from-to)"),
    ("DOIs\thttps://example.org/paper", "DOIs"),
    ("Publication status\tRumoured - 2020", "Publication status"),
    ("Early online date\tsoon", "Early online date"),
    ("Publication series\tName\tSeries\nISSN (Print)\t12345", "ISSN (Print)"),
])
def test_a_value_that_cannot_be_read_is_an_error_on_its_label(details, field):
    assert problems(read_text(a_page(details))) == [(field, "error")]


# --- values ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("shown, start, end", [
    ("193-213", "193", "213"), ("193–213", "193", "213"), ("193 - 213", "193", "213"), ("e123", "e123", None),
])
def test_pages_ranges_en_dashes_and_single_pages(shown, start, end):
    record = read_text(a_page(f"Pages (from-to)\t{shown}"))
    assert (record.start_page, record.end_page) == (start, end)


@pytest.mark.parametrize("shown, status", [
    ("Published - 2006", Status("published", PartialDate(2006))),
    ("Published - March 2006", Status("published", PartialDate(2006, 3))),
    ("Accepted/In press - 12 Mar 2021", Status("accepted", PartialDate(2021, 3, 12))),
    ("E-pub ahead of print - 3 Feb 2021", Status("early-online", PartialDate(2021, 2, 3))),
    ("Submitted - 2020", Status("submitted", PartialDate(2020))),
    ("Unpublished - 2019", Status("unpublished", PartialDate(2019))),
    ("Published", Status("published")),
])
def test_publication_statuses_keep_the_dates_precision(shown, status):
    assert read_text(a_page(f"Publication status\t{shown}")).statuses == [status]


@pytest.mark.parametrize("shown, code", [
    ("English", "en"), ("English (GB)", "en"), ("German", "de"), ("Dutch", "nl"), ("Swedish", "sv"),
    ("Norwegian", "no"), ("Chinese", "zh"),
])
def test_language_labels_become_iso_639_1_codes(shown, code):
    assert read_text(a_page(f"Original language\t{shown}")).language == code


@pytest.mark.parametrize("shown", ["https://doi.org/10.1000/XYZ.1", "doi:10.1000/XYZ.1", "10.1000/xyz.1",
                                   "http://dx.doi.org/10.1000/Xyz.1"])
def test_dois_are_stored_bare_and_lower_case(shown):
    assert read_text(a_page(f"DOIs\t{shown}")).doi == "10.1000/xyz.1"


def test_citations_written_the_newer_way():
    record = read_text("A title\nResearch output: Contribution to journal › Article\n1,204 Citations (Scopus)\n")
    assert record.citations == [CitationCount("Scopus", 1204)]


def test_fingerprint_lines_with_spaces_split_on_a_known_domain():
    record = read_text(a_page("Dive into the research topics of 'A title'. Together they form a unique "
                              "fingerprint.", "Russia Social Sciences 100%",
                              "Civil society Arts & Humanities 42.5%"))
    assert record.topics == [Topic("Russia", "Social Sciences", 100.0),
                             Topic("Civil society", "Arts & Humanities", 42.5)]


def test_fingerprint_line_without_a_known_domain_keeps_the_text_and_warns():
    record = read_text(a_page("Dive into the research topics of 'A title'. Together they form a unique "
                              "fingerprint.", "Policing Criminology 80%"))
    assert record.topics == [Topic("Policing Criminology", None, 80.0)]
    assert problems(record) == [("Fingerprint", "warning")]


def test_keywords_as_a_heading_followed_by_lines():
    record = read_text(a_page("Keywords", "civil society", "policing", "", "Publication status\tPublished - 2006"))
    assert record.keywords == ["civil society", "policing"]
    assert record.statuses == [Status("published", PartialDate(2006))]


def test_authors_with_superscripts_ampersands_and_and():
    record = read_text("A title\nLars Wadsö1,2, Anna Berg3 and Erik Lund*\n& Sven Olsson†\n"
                       "Research output: Contribution to journal › Article\n")
    assert [p.display_name for p in record.authors] == ["Lars Wadsö", "Anna Berg", "Erik Lund", "Sven Olsson"]


def test_department_lines_end_the_authors():
    record = read_text("A title\nAnna Berg\nDepartment of Sociology\nErik Lund\n"
                       "Research output: Contribution to journal › Article\n")
    assert [p.display_name for p in record.authors] == ["Anna Berg"]


def test_category_segment_some_portals_add_does_not_change_the_type():
    record = read_text(a_page(header="Research output: Contribution to journal › Article › Research › peer-review"))
    assert (record.type, record.peer_reviewed) == ("contributiontojournal/article", True)


# --- unknown labels never corrupt another field ---------------------------------------------------


def test_unknown_labels_are_skipped_in_every_layout():
    record = read_text(a_page("Corresponding author\tJournal Smith", "Funding\tState grant 12",
                              "Journal\tNature", "Research area", "Volume dynamics",
                              "Issue number\t5", "Licence\tCC BY"))
    assert (record.journal.title, record.volume, record.issue) == ("Nature", None, "5")
    assert record.problems == []


def test_an_unknown_tab_label_after_keywords_is_not_a_keyword():
    record = read_text(a_page("Keywords\tpolicing", "Funding\tNone"))
    assert record.keywords == ["policing"]


def test_a_bulleted_keyword_that_reads_like_a_label_stays_a_keyword():
    record = read_text(a_page("Keywords", "• State", "• Journal"))
    assert (record.keywords, record.statuses, record.journal) == (["State", "Journal"], [], None)


def test_abstract_text_that_starts_like_a_label_stays_in_the_abstract():
    record = read_text(a_page(header="Research output: Contribution to journal › Article\n"
                                     "State-of-the-art methods fail.\nJournal editors disagree."))
    assert record.abstract == "State-of-the-art methods fail.\nJournal editors disagree.\nAn abstract."
    assert (record.statuses, record.journal) == ([], None)


# --- files that are not pages ----------------------------------------------------------------------


@pytest.mark.parametrize("data, says", [
    (b"", "empty"), (b"  \n\n", "empty"), (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    ("Titel på svenska\n".encode("latin-1"), "not UTF-8"),
])
def test_empty_binary_and_non_utf8_files_are_unreadable_records(data, says):
    item = read_one(data, "bad.txt")
    assert isinstance(item, UnreadableRecord)
    assert (item.source.path, item.source.format) == ("bad.txt", "pure-page")
    assert [p.field for p in item.problems] == ["file"] and says in item.problems[0].message


def test_a_byte_order_mark_is_not_part_of_the_title():
    assert read_one(b"\xef\xbb\xbf" + SEED.read_bytes()).title == "Law enforcement and civil society in Russia"


def test_txt_files_are_read_as_pure_pages():
    assert for_path(Path("page.txt")).name == "pure-page"


def test_label_table_loads_with_known_kinds_and_readers():
    assert {entry.kind for entry in page_labels()} <= {"value", "list", "block", "skip", "ignore", "stop"}
