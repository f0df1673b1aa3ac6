"""The csl-json and crossref importers: commonmeta's CSL-JSON items and real Crossref REST responses
(commonmeta, abbotsbury) become Records; broken variants are derived from them here. Ends with
`kgpub ingest` of RIS, CSL-JSON and Crossref files together."""
from __future__ import annotations

import codecs
import copy
import io
import itertools
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from conftest import SHARED_DATA

from kgpub.graph.importers import crossref, csl_json
from kgpub.graph.record import Journal, PartialDate, Person, Record, Series, Status, UnreadableRecord

CSL = SHARED_DATA / "real" / "csljson"
CSL_LIST = CSL / "commonmeta" / "csl-list.json"
CITEPROC = CSL / "commonmeta" / "citeproc.json"
CROSSREF = SHARED_DATA / "real" / "crossref"
ELIFE = CROSSREF / "commonmeta" / "crossref.json"
CROSSREF_LIST = CROSSREF / "commonmeta" / "crossref-list.json"
ABBOTSBURY = CROSSREF / "abbotsbury"
PURE_RIS = SHARED_DATA / "real" / "ris" / "commonmeta" / "pure.ris"
ELIFE_RIS = SHARED_DATA / "real" / "ris" / "commonmeta" / "crossref.ris"
DOCUMENTATION = {"SOURCES.tsv", "README.md"}


def read_path(importer, path: Path) -> list[Record | UnreadableRecord]:
    with path.open("rb") as stream:
        return list(importer.read(stream, str(path)))


def read_value(importer, value, source: str = "upload.json") -> list[Record | UnreadableRecord]:
    return list(importer.read(io.BytesIO(json.dumps(value).encode()), source))


def csl_items() -> list[dict]:
    return json.loads(CSL_LIST.read_text(encoding="utf-8"))


def work(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))["message"]


def messages(item, severity: str | None = None) -> list[str]:
    return [f"{p.field}: {p.message}" for p in item.problems if severity in (None, p.severity)]


# --- CSL-JSON, on real items -----------------------------------------------------------------

def test_csl_journal_article_maps_every_variable_it_has():
    record = read_path(csl_json, CSL_LIST)[0]
    assert record.type == "contributiontojournal/article"
    assert record.title == ("Changes in Data Sharing and Data Reuse Practices and Perceptions among "
                            "Scientists Worldwide")
    assert record.journal == Journal(title="PLOS ONE", issn="1932-6203")
    assert (record.volume, record.issue, record.start_page, record.end_page) == ("10", "8", "e0134826", None)
    assert record.doi == "10.1371/journal.pone.0134826"
    assert record.urls == ["http://journals.plos.org/plosone/article?id=10.1371/journal.pone.0134826"]
    assert [a.family_name for a in record.authors] == ["Tenopir", "Dalton", "Allard", "Frame", "Pjesivac",
                                                       "Birch", "Pollock", "Dorsett"]
    assert record.authors[1] == Person(given_name="Elizabeth D.", family_name="Dalton")
    assert record.statuses == [Status("published", PartialDate(2015, 8, 26))]  # "2015" as text, 8, 26
    assert record.abstract.startswith("The incorporation of data sharing into the research lifecycle")
    assert record.source.index == 0 and record.source.format == "csl-json"
    assert record.problems == []


def test_csl_two_issns_languages_page_ranges_and_dates_to_the_month():
    records = read_path(csl_json, CSL_LIST)
    tianjin, deakin, paleoindian = records[5], records[4], records[6]
    assert tianjin.journal == Journal(title="Transactions of Tianjin University", issn="1006-4982",
                                      eissn="1995-8196")  # "ISSN": "1006-4982, 1995-8196"
    assert (tianjin.start_page, tianjin.end_page) == ("317", "323")
    assert tianjin.language == "en" and tianjin.language_label is None
    assert (deakin.language, deakin.language_label) == ("en", "eng")  # ISO 639-2
    assert (records[12].language, records[12].language_label) == ("en", "English")
    assert paleoindian.statuses == [Status("published", PartialDate(2015, 4))]
    assert paleoindian.series == []  # an article's collection-title names a special issue, not a series
    book = records[1]
    assert book.type == "bookanthology/book" and book.publisher == "National Library of Medicine (US)"
    assert book.statuses == [Status("published", PartialDate(2007))]


def test_csl_blog_post_with_publisher_object_and_categories_as_keywords():
    record = read_path(csl_json, CITEPROC)[0]
    assert record.type == "nontextual/web"  # post-weblog
    assert record.publisher == "DataCite"  # {"name": "DataCite"}
    assert record.keywords == ["Phylogeny", "Malaria", "Parasites", "Taxonomy", "Mitochondrial genome",
                               "Africa", "Plasmodium"]
    assert record.authors == [Person(given_name="Martin", family_name="Fenner")]
    assert record.journal is None and record.host_title is None  # a blog is no journal or book
    assert record.doi == "10.5438/4k3m-nyvg" and record.source.index is None
    assert record.problems == []


def test_csl_variants_of_names_pages_dois_keywords_and_status():
    item = copy.deepcopy(csl_items()[0])
    item.update({"DOI": "https://doi.org/10.1371/JOURNAL.PONE.0134826", "page": "123\u2013130",
                 "keyword": "data sharing, reuse; surveys", "number": "e0134826", "status": "in press",
                 "volume": 10, "author": [{"family": "Gogh", "given": "Vincent", "non-dropping-particle": "van",
                                           "ORCID": "https://orcid.org/0000-0002-1825-0097"},
                                          {"literal": "DataONE Usability and Assessment Working Group"}]})
    [record] = read_value(csl_json, [item])
    assert record.doi == "10.1371/journal.pone.0134826"
    assert (record.start_page, record.end_page) == ("123", "130")
    assert record.keywords == ["data sharing", "reuse", "surveys"]
    assert record.article_number == "e0134826" and record.volume == "10"
    assert record.statuses == [Status("in-press", PartialDate(2015, 8, 26))]
    assert record.authors == [Person(given_name="Vincent", family_name="van Gogh", orcid="0000-0002-1825-0097"),
                              Person(name="DataONE Usability and Assessment Working Group")]


# --- CSL-JSON, bad input ---------------------------------------------------------------------

def test_csl_item_without_title_is_an_error_on_that_item_only():
    items = csl_items()
    del items[2]["title"]
    records = read_value(csl_json, items)
    assert len(records) == 17
    assert messages(records[2]) == ["title: missing: a record needs a title"]
    assert all(not r.errors for i, r in enumerate(records) if i != 2)


def test_csl_json_syntax_error_in_one_item_gives_line_and_column():
    text = json.dumps(csl_items()[0], indent=2)
    [item] = list(csl_json.read(io.BytesIO(text[:800].encode()), "cut.json"))
    assert isinstance(item, UnreadableRecord)
    # The cut falls inside the item's abstract, on line 4, whose string starts at column 15.
    assert messages(item) == ["json: invalid JSON at line 4, column 15: Unterminated string starting at"]


# --- arrays, streamed item by item ----------------------------------------------------------

def write_array(path: Path, items: list[dict]) -> str:
    text = "[\n" + ",\n".join(json.dumps(item, indent=2) for item in items) + "\n]\n"
    path.write_text(text, encoding="utf-8")
    return text


def test_a_50_mb_csl_array_is_streamed_item_by_item(tmp_path):
    item = json.dumps(csl_items()[0]).encode()
    copies = 50_000_000 // (len(item) + 2)
    big = tmp_path / "big.json"
    with big.open("wb") as out:
        out.write(b"[" + item)
        for _ in range(copies - 1):
            out.write(b",\n" + item)
        out.write(b"]\n")
    with big.open("rb") as stream:
        records = csl_json.read(stream, str(big))
        first = list(itertools.islice(records, 3))
        assert stream.tell() < 100_000, "the first items come before the file is read"
        assert [r.source.index for r in first] == [0, 1, 2]
        assert 3 + sum(1 for r in records if isinstance(r, Record) and not r.errors) == copies


def test_a_syntax_error_in_an_array_loses_only_the_items_from_the_broken_one_on(tmp_path):
    items = csl_items() * 10
    broken = tmp_path / "broken.json"
    text = write_array(broken, items)
    cut = [found.start() for found in re.finditer('"title":', text)][150]  # item 150's title
    text = text[:cut] + '"title" ' + text[cut + len('"title":'):]  # has no colon
    broken.write_text(text, encoding="utf-8")
    records = read_path(csl_json, broken)
    assert [type(r) for r in records] == [Record] * 150 + [UnreadableRecord]
    assert [r.source.index for r in records] == list(range(151))
    [problem] = records[-1].problems
    found = re.fullmatch(r"invalid JSON in item \[150\], lines (\d+)–(\d+): parse error: (.+), near `(.+)`; "
                         r"the items before it are read", problem.message)
    assert found, problem.message
    first, last, reason, near = found.groups()
    error_line = text[:cut].count("\n") + 1
    assert int(first) <= error_line <= int(last) and int(last) - int(first) < 1000
    assert "colon" in reason and near.split('"')[0] in text[cut:cut + 400]  # yajl shows the text there


def test_an_array_with_a_bom_reads_and_bytes_that_are_not_utf8_stop_at_their_item(tmp_path):
    items = csl_items()
    path = tmp_path / "bom.json"
    path.write_bytes(codecs.BOM_UTF8 + write_array(path, items).encode())
    assert [r.title for r in read_path(csl_json, path)] == [item["title"] for item in items]
    latin1 = json.dumps(items[:3]).encode().replace(json.dumps(items[2]["title"]).encode(), b'"Caf\xe9"')
    *kept, broken = csl_json.read(io.BytesIO(latin1), "latin1.json")
    assert len(kept) == 2 and broken.source.index == 2
    assert messages(broken) == ["json: invalid JSON in item [2], line 1: not UTF-8; the items before it are read"]


@pytest.mark.parametrize("change, expected", [
    ({"issued": {"date-parts": [[2015, 2, 30]]}}, "issued: impossible date: 2015-2-30"),
    ({"type": "musical-score"}, "type: unknown CSL type 'musical-score': read as othercontribution/other"),
    ({"language": "Klingon"}, "language: the language 'Klingon' is not one the importer knows an ISO 639-1 code for"),
    ({"author": ["Tenopir, Carol"]}, "author[0]: expected an object, found a string"),
    ({"DOI": "10.1371"}, "DOI: '10.1371' is not a DOI"),
    ({"page": "e1 e2"}, "page: 'e1 e2' is neither a page nor a range of pages like 25-28"),
    ({"ISSN": "PLOS"}, "ISSN: 'PLOS' is not an ISSN like '0966-8136'"),
])
def test_csl_bad_values_are_named_by_variable(change, expected):
    [record] = read_value(csl_json, [{**csl_items()[0], **change}])
    assert messages(record) == [expected]


def test_not_csl_json_at_all_is_unreadable_with_a_reason():
    [item] = read_path(csl_json, CSL / "commonmeta" / "crosscite.json")  # DataCite JSON, not CSL
    assert messages(item) == ['item: not a CSL-JSON item: the object has neither "type" nor "title"']
    [empty] = list(csl_json.read(io.BytesIO(b""), "empty.json"))
    assert messages(empty) == ["file: the file is empty"]


# --- Crossref, on real works -----------------------------------------------------------------

def test_crossref_journal_article_maps_every_field_it_has():
    record = read_path(crossref, ABBOTSBURY / "test1.json")[0]
    assert record.type == "contributiontojournal/article"
    assert record.title == "A General Copper-Catalyzed Synthesis of Ynamides from 1,2-Dichloroenamides"
    assert record.journal == Journal(title="Organic Letters", issn="1523-7060", eissn="1523-7052")
    assert (record.volume, record.issue, record.start_page, record.end_page) == ("21", "8", "2918", "2922")
    assert [a.family_name for a in record.authors] == ["Mansfield", "Smith", "Yong", "Garry", "Anderson"]
    assert record.authors[4] == Person(given_name="Edward A.", family_name="Anderson", orcid="0000-0002-4149-0494")
    assert record.statuses == [Status("published", PartialDate(2019, 4, 19)),
                               Status("early-online", PartialDate(2019, 4, 3))]
    assert record.doi == "10.1021/acs.orglett.9b00971" and record.language == "en"
    assert record.publisher == "American Chemical Society (ACS)"
    assert record.keywords == ["Physical and Theoretical Chemistry", "Organic Chemistry", "Biochemistry"]
    assert [(c.source, c.count, c.harvested) for c in record.citations] == [("Crossref", 9, PartialDate(2021, 3, 19))]
    assert record.urls == []  # only dx.doi.org/…, the DOI again
    assert record.problems == []


def test_crossref_article_numbers_single_names_suffixes_books_and_subtitles():
    primer = read_path(crossref, ABBOTSBURY / "test2.json")[0]
    assert primer.article_number == "27" and primer.start_page is None
    assert primer.statuses[0] == Status("published", PartialDate(2021, 12))  # published-print to the month
    assert primer.authors[0] == Person(given_name="Ēriks", family_name="Kupče", orcid="0000-0002-2366-0269")
    nature = read_path(crossref, ABBOTSBURY / "test3.json")[0]
    assert nature.authors == [Person(family_name="Sheherazade"), Person(family_name="Ardiantiono")]
    assert nature.statuses == [Status("published", PartialDate(2020, 9, 29))]  # online only
    smith = read_path(crossref, ABBOTSBURY / "test5.json")[0]
    assert smith.authors == [Person(given_name="Amos B.", family_name="Smith III")]
    book = read_path(crossref, ABBOTSBURY / "test6.json")[0]
    assert book.type == "bookanthology/book" and book.journal is None
    assert book.series == [Series("Lecture Notes in Chemistry", ["0342-4901", "2192-6603"])]
    assert (book.isbn_print, book.isbn_electronic) == (["9783319539218"], ["9783319539232"])
    edited = read_path(crossref, ABBOTSBURY / "test7.json")[0]
    assert edited.subtitle == "Theory and Applications" and edited.authors == []  # an editor only


def test_crossref_jats_abstract_becomes_plain_text_and_the_landing_page_is_the_url():
    record = read_path(crossref, ELIFE)[0]
    assert record.abstract.startswith("Among various advantages, their small size makes model organisms")
    assert "<" not in record.abstract
    assert record.urls == ["https://elifesciences.org/articles/01567"]
    assert record.journal == Journal(title="eLife", eissn="2050-084X")
    assert record.statuses == [Status("published", PartialDate(2014, 2, 11))]


def test_crossref_item_lists_keep_their_index_and_a_work_without_doi_is_fine():
    records = read_path(crossref, CROSSREF_LIST)
    assert [r.source.index for r in records] == list(range(20))
    assert records[17].title.startswith("Naumann, C. M., Tarmann, G. M. & W. G. Tremewan")  # "&amp;"
    [first, *_] = read_path(crossref, CROSSREF / "commonmeta" / "crossref-list_missing_doi.json")
    assert first.doi is None and first.problems == []


@pytest.mark.parametrize("shape", ["envelope", "bare", "items", "list"])
def test_crossref_reads_every_response_shape(shape):
    one = work(ABBOTSBURY / "test4.json")
    value = {"envelope": {"status": "ok", "message-type": "work-list", "message": {"items": [one]}},
             "bare": one, "items": {"items": [one]}, "list": [one]}[shape]
    [record] = read_value(crossref, value)
    assert record.doi == "10.1126/science.280.5362.421" and record.problems == []
    assert record.journal == Journal(title="Science", issn="0036-8075", eissn="1095-9203")


def test_crossref_failed_responses_and_non_json_say_why():
    [failed] = read_value(crossref, {"status": "failed", "message-type": "validation-failure",
                                     "message": [{"type": "parameter-not-allowed"}]})
    assert messages(failed)[0].startswith("status: Crossref answered 'failed'")
    [xml] = read_path(crossref, CROSSREF / "commonmeta" / "crossref.xml")
    assert messages(xml) == ["json: invalid JSON at line 1, column 1: Expecting value"]


def test_crossref_work_without_title_is_an_error_and_a_null_date_is_no_date():
    one = {**work(ABBOTSBURY / "test4.json"), "title": [], "published-print": {"date-parts": [[None]]}}
    [record] = read_value(crossref, one)
    assert messages(record) == ["title: missing: a record needs a title"]
    assert record.statuses == [Status("published", PartialDate(1998, 4, 17))]  # from "issued"


# --- the corpora -----------------------------------------------------------------------------

def corpus_counts(importer, folder: Path) -> tuple[Counter, list[str]]:
    counts, rejected = Counter(), []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name not in DOCUMENTATION):
        for item in read_path(importer, path):
            counts["records"] += 1
            errors = [p for p in item.problems if p.severity == "error"]
            counts["with errors"] += bool(errors)
            counts["with warnings"] += any(p.severity == "warning" for p in item.problems)
            if errors:
                assert item.source.path == str(path)
                rejected.append(f"{item.source}: {'; '.join(f'{p.field}: {p.message}' for p in errors)}")
    return counts, rejected


def test_every_csl_json_file_reads_and_rejections_are_named():
    counts, rejected = corpus_counts(csl_json, CSL)
    print(f"\nCSL-JSON corpus: {dict(counts)}\n" + "\n".join(rejected))
    # 4 single items + 17 in csl-list.json + crosscite.json, which is DataCite JSON, not CSL.
    assert counts == {"records": 22, "with errors": 1, "with warnings": 0}
    assert rejected == [f"{CSL / 'commonmeta' / 'crosscite.json'}: item: not a CSL-JSON item: "
                        'the object has neither "type" nor "title"']


def test_every_crossref_file_reads_and_rejections_are_named():
    counts, rejected = corpus_counts(crossref, CROSSREF)
    print(f"\nCrossref corpus: {dict(counts)}\n" + "\n".join(rejected))
    # 7 abbotsbury works, 1 + 20 + 20 commonmeta works; crossref.xml is Unixref XML, not JSON.
    assert counts == {"records": 49, "with errors": 1, "with warnings": 0}
    assert rejected == [f"{CROSSREF / 'commonmeta' / 'crossref.xml'}: json: invalid JSON at line 1, "
                        "column 1: Expecting value"]


# --- end to end ------------------------------------------------------------------------------

def test_ingest_stores_ris_csl_and_crossref_records_that_pass_shacl(cli, tmp_path):
    report_path = tmp_path / "r.json"
    cli("ingest", "--base", "http://localhost:8080/", "--report", str(report_path),
        str(PURE_RIS), str(CITEPROC), str(ABBOTSBURY / "test1.json"))
    report = json.loads(report_path.read_text())
    assert [(r["source"], r["status"], r["errors"]) for r in report] == [
        (f"{PURE_RIS}:1", "stored", []), (str(CITEPROC), "stored", []),
        (str(ABBOTSBURY / "test1.json"), "stored", [])]
    assert all(r["iri"].startswith("http://localhost:8080/id/output/") for r in report)
    # The work has no abstract, which Crossref records seldom have: no news, so no warning
    # (pipeline.SELDOM_GIVEN); Crossref's count source is an IRI (mapping.CITATION_SOURCES).
    assert report[2]["warnings"] == []


def test_the_same_doi_from_crossref_and_from_ris_is_one_work_with_one_iri(cli, tmp_path):
    # The commonmeta CSL-JSON and Crossref fixtures share no DOI; its Crossref work and its
    # Crossref-generated RIS do (10.7554/eLife.01567, upper case in the RIS).
    report = cli.ingest(ELIFE, ELIFE_RIS)
    assert [r["status"] for r in report] == ["stored", "updated"]
    assert report[0]["iri"] == report[1]["iri"]
