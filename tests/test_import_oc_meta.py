"""The oc-meta importer on OpenCitations Meta's own CSV files (oc_meta's test inputs and example),
broken variants made from them here, and `kgpub ingest` of one through to the store."""
from __future__ import annotations

import io
from collections import Counter

import pytest
from conftest import CROSSREF_OF_AN_OC_META_WORK, SHARED_DATA

from kgpub.graph.importers import detect, for_path, oc_meta
from kgpub.graph.record import Journal, PartialDate, Person, Record, Status, UnreadableRecord

OC_META = SHARED_DATA / "real" / "other" / "opencitations-meta"
ARTICLES = OC_META / "oc_meta-endgame-4-journal-articles.csv"
EXAMPLE = OC_META / "oc_meta-example_metadata.csv"
BOOKS = OC_META / "oc_meta-endgame-0-book-chapters.csv"
HEADER = '"id","title","author","pub_date","venue","volume","issue","page","type","publisher","editor"\n'


def read_path(path) -> list[Record | UnreadableRecord]:
    with path.open("rb") as stream:
        return list(oc_meta.read(stream, path.name))


def read_text(data: bytes | str, source: str = "upload.csv") -> list[Record | UnreadableRecord]:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return list(oc_meta.read(io.BytesIO(raw), source))


def messages(item) -> list[str]:
    return [f"{p.field}: {p.message}" for p in item.problems]


def test_a_journal_article_row_maps_every_column_it_has():
    record = read_path(ARTICLES)[1]
    assert str(record.source) == f"{ARTICLES.name}:3"
    assert record.type == "contributiontojournal/article"
    assert record.doi == "10.1016/j.adaj.2022.08.015"
    assert record.title == "The contribution of palliative oral health care to dying with dignity"
    assert record.authors[:2] == [Person(given_name="Frank", family_name="Lobbezoo", orcid="0000-0001-9877-7640"),
                                  Person(given_name="Merel C.", family_name="Verhoeff")]
    assert [a.family_name for a in record.authors[3:]] == ["Husebø", "van der Torre", "Volgenant"]
    assert record.journal == Journal(title="The Journal of the American Dental Association", issn="0002-8177")
    assert (record.volume, record.issue, record.start_page, record.end_page) == ("154", "1", "3", "5")
    assert record.statuses == [Status("published", PartialDate(2023, 1))]
    assert record.publisher == "Elsevier BV"
    assert record.problems == []


def test_a_chapter_carries_its_books_title_and_isbns():
    record = read_path(EXAMPLE)[0]
    assert record.type == "contributiontobookanthology/chapter"
    assert record.host_title == "Insulation of High-Voltage Equipment"
    assert record.isbn_print == ["9783642058530", "9783662079188"]
    assert record.journal is None
    assert (record.start_page, record.end_page) == ("27", "82")
    assert record.publisher == "Springer Science and Business Media LLC"


def test_a_monograph_takes_the_isbns_of_its_id_cell():
    record = read_path(BOOKS)[0]
    assert record.type == "bookanthology/book"
    assert record.doi == "10.1017/9781009026758"
    assert record.isbn_print == ["9781009026758", "9781009011761"]
    assert record.statuses == [Status("published", PartialDate(2022, 10, 10))]


def corpus_counts() -> dict[str, tuple[int, int, int]]:
    counts = {}
    for path in sorted(OC_META.glob("*.csv")):
        items = read_path(path)
        rejected = [i for i in items if isinstance(i, UnreadableRecord) or i.errors]
        for item in rejected:
            assert item.problems and str(item.source).startswith(f"{path.name}:"), item
        warned = [i for i in items if any(p.severity == "warning" for p in i.problems)]
        counts[path.name] = (len(items), len(rejected), len(warned))
    return counts


def test_the_corpus_reads_with_the_counts_checked_by_hand():
    """Checked by hand: the 4 rejected rows have no title (oc_meta's manual_data tests that); the
    warnings are page cells like '117-6-238' (three numbers, in the endgame inputs), DOIs with a
    3-digit prefix ('10.001/B-1'), rows of journals, series and volumes (not outputs) or with no
    type, and the date 2019-02-29."""
    counts = corpus_counts()
    print("\nOpenCitations Meta corpus (records, rejected, warned):", counts)
    assert counts == {
        "oc_meta-endgame-0-book-chapters.csv": (1001, 0, 88),
        "oc_meta-endgame-19-journal-articles.csv": (1063, 0, 19),
        "oc_meta-endgame-4-journal-articles.csv": (1051, 0, 5),
        "oc_meta-example_metadata.csv": (13, 0, 0),
        "oc_meta-manual_data.csv": (79, 4, 41),
    }


def test_problems_name_the_row_the_column_and_what_is_wrong():
    rows = read_path(OC_META / "oc_meta-manual_data.csv")
    by_line = {item.source.line: messages(item) for item in rows}
    assert by_line[55] == ["title: missing: a record needs a title"]
    assert "pub_date: '2019-02-29' is not a date (YYYY, YYYY-MM or YYYY-MM-DD)" in by_line[77]
    assert "id: '10.001/B-1' is not a DOI" in by_line[2]


def test_a_byte_that_is_not_utf8_is_a_problem_of_its_row_only():
    good = ARTICLES.read_bytes().splitlines(keepends=True)[:4]
    broken = good[2].replace(b"Lobbezoo", b"Lobb\xe9zoo")
    items = read_text(b"".join([good[0], good[1], broken, good[3]]))
    encoding = [[m for m in messages(i) if m.startswith("encoding")] for i in items]
    assert encoding == [[], ["encoding: not UTF-8: byte 0xe9 at line 3, column 111 cannot be decoded"], []]
    assert items[1].errors and items[1].title is not None


def test_a_quoted_cell_over_several_lines_keeps_the_line_the_row_starts_on():
    text = HEADER + '"doi:10.1/a","A title\nover two lines","Doe, Jane","2020","","","","","journal article","",""\n' \
                  + '"doi:10.1/b","B","Roe, R.","2021","","","","","report","",""\n'
    items = read_text(text)
    assert [(i.source.line, i.title) for i in items] == [(2, "A title\nover two lines"), (4, "B")]


def test_a_row_with_too_few_cells_is_read_with_a_warning():
    items = read_text(HEADER + '"doi:10.1234/a","Short row"\n')
    assert items[0].title == "Short row" and items[0].doi == "10.1234/a"
    assert "row: 2 cells where the header has 11: the cells were read in the header's order" in messages(items[0])


@pytest.mark.parametrize("data, message", [
    (b"", "file: the file is empty"),
    (b"doi,name\n10.1/a,x\n", "header: not an OpenCitations Meta CSV: the header has no id, title column"),
])
def test_a_file_that_is_not_oc_meta_csv_is_one_clear_error(data, message):
    [item] = read_text(data)
    assert isinstance(item, UnreadableRecord)
    assert messages(item)[0].startswith(message)


def test_csv_files_are_read_as_oc_meta():
    assert for_path(EXAMPLE).name == "oc-meta"
    assert detect(EXAMPLE, EXAMPLE.read_bytes()[:100]).name == "oc-meta"


def test_ingest_stores_oc_meta_rows_and_the_same_doi_from_crossref_merges(cli, tmp_path):
    report = cli.ingest(EXAMPLE)
    assert Counter(r["status"] for r in report) == {"stored": 13}
    # OC Meta has neither abstracts nor languages: no news for that format (pipeline.SELDOM_GIVEN),
    # and nothing else is wrong.
    assert [w for r in report for w in r["warnings"]] == []
    crossref_copy = tmp_path / "work.crossref.json"
    crossref_copy.write_text(CROSSREF_OF_AN_OC_META_WORK)
    [merged] = cli.ingest(crossref_copy)
    first = next(r for r in report if r["source"] == f"{EXAMPLE}:4")
    assert (merged["status"], merged["iri"]) == ("updated", first["iri"])
