"""The full-text search index (graph/search.py), over the real records: the seed, the real Pure
API records and the example pages, mapped as ingest maps them."""
from __future__ import annotations

import csv
import dataclasses
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import BASE, PURE_API, REPO, SEED, SHARED_DATA
from kgpub.graph.mapping import MappedRecord, map_record
from kgpub.graph.pipeline import read_file
from kgpub.graph.record import Record
from kgpub.graph import search_plans
from kgpub.graph.search import SearchError, SearchIndex
from kgpub.graph.vocabularies import vocabulary_graphs

EXAMPLES = REPO / "examples"
ARTICLE = f"{BASE}id/type/contributiontojournal/article"
PREPRINT = f"{BASE}id/type/workingpaper/preprint"


def read_records(path: Path) -> list[Record]:
    return [item for item in read_file(path, None) if isinstance(item, Record)]


def mapped(path: Path) -> MappedRecord:
    [record] = read_records(path)
    return map_record(record, BASE)


REAL_FILES = [SEED, *sorted(PURE_API.glob("*.json")), *sorted(EXAMPLES.glob("*.txt"))]
RECORDS = {path.name: mapped(path) for path in REAL_FILES}


def iri(name: str) -> str:
    return RECORDS[name].iri.value


def found(results) -> list[str]:
    return [hit.iri for hit in results.hits]


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    search = SearchIndex(tmp_path_factory.mktemp("search") / "search.sqlite")
    search.update({m.graph: m.triples for m in RECORDS.values()})
    yield search
    search.close()


@pytest.fixture
def fresh_index(tmp_path):
    search = SearchIndex(tmp_path / "search.sqlite")
    search.update({m.graph: m.triples for m in RECORDS.values()})
    yield search
    search.close()


# --- finding the real records ---------------------------------------------------------------

@pytest.mark.parametrize("text, name", [
    ("law enforcement russia", "seed-record.txt"),  # title
    ("microcalorimetric", "lund-journal-article.json"),
    ("Cabibbo suppressed decays", "umn-journal-article.json"),
    ("eco-friendly approach", "lund-preprint.json"),  # the subtitle
    ("machine learning", "lund-preprint.json"),  # a prism:keyword only
    ("Indoor Humidity", "journal-article-tabs.txt"),  # a fingerprint topic
    ("BESIII detector", "umn-journal-article.json"),  # the abstract
    ("Ablikim", "umn-journal-article.json"),  # an author
    ("register allocation", "conference-block.txt"),
])
def test_words_from_a_real_record_find_it_first(index, text, name):
    results = index.search(text)
    assert found(results)[0] == iri(name)


def test_all_words_must_match(index):
    assert found(index.search("society civil")) == [iri("seed-record.txt")]
    assert index.search("civil microcalorimetric").total == 0


def test_a_title_match_ranks_above_a_keyword_or_abstract_match(index):
    # "climate": the title of label-own-line, an abstract and keyword of journal-article-tabs
    assert found(index.search("climate")) == [iri("label-own-line.txt"), iri("journal-article-tabs.txt")]
    # "water activity": the lund article's title, label-own-line's keywords
    assert found(index.search("water activity")) == [iri("lund-journal-article.json"), iri("label-own-line.txt")]


def test_a_column_search_looks_in_that_column_only_and_may_skip_the_count(index):
    # "climate": the title of label-own-line, an abstract and keyword of journal-article-tabs
    titles = index.search("climate", column="title", count=False)
    assert found(titles) == [iri("label-own-line.txt")] and titles.total is None
    assert found(index.search("Wadso", column="authors")) == [iri("lund-journal-article.json")]
    assert not index.search("Wadso", column="title").hits
    with pytest.raises(SearchError, match="no column"):
        index.search("climate", column="rowid")


def test_diacritics_do_not_matter(index):
    assert found(index.search("Wadso")) == [iri("lund-journal-article.json")]  # Lars Wadsö
    assert found(index.search("Wadsö")) == [iri("lund-journal-article.json")]
    assert found(index.search("Paton")) == [iri("lund-preprint.json")]  # Ainhoa Risco Patón
    assert found(index.search("tomas lindgren")) == [iri("chapter-in-book.txt")]  # Tomás


def test_quoted_phrases_keep_their_word_order(index):
    assert found(index.search('"civil society"')) == [iri("seed-record.txt")]
    assert index.search('"society civil"').total == 0


def test_the_last_word_matches_as_a_prefix_while_typing(index):
    assert found(index.search("microcalori")) == [iri("lund-journal-article.json")]
    assert index.search("microcalori ").total == 0  # a finished word is a whole word


def test_a_hit_carries_what_a_result_list_shows(index):
    [hit] = index.search("Cabibbo").hits
    assert hit.title.startswith("Measurement of Singly Cabibbo Suppressed Decays")
    assert hit.authors[:3] == ("M. Ablikim", "M. N. Achasov", "S. Ahmed")
    assert (hit.journal_title, hit.year, hit.doi, hit.type_iri) == (
        "Physical Review Letters", "2016", "10.1103/physrevlett.117.232002", ARTICLE)
    [hit] = index.search("eco-friendly").hits
    assert hit.title == ("Memory-based Language Models: An Efficient, Explainable, and Eco-friendly "
                         "Approach to Large Language Modeling")
    assert hit.authors == ("Antal van den Bosch", "Ainhoa Risco Patón", "Teun Buijse", "Peter Berck",
                           "Maarten van Gompel")


def test_snippet_marks_the_matches(index):
    [hit] = index.search("microcalorimetric").hits
    assert "<mark>microcalorimetric</mark>" in hit.snippet


# --- filters and pages ----------------------------------------------------------------------

def test_filters_alone_list_records_newest_first(index):
    assert found(index.search(year="2006")) == [iri("seed-record.txt")]
    # preprint.txt is only submitted, so it has no publication date and comes last
    assert found(index.search(type=PREPRINT)) == [iri("lund-preprint.json"), iri("preprint.txt")]
    assert found(index.search(subject="3100")) == [iri("umn-journal-article.json")]
    assert found(index.search(subject=f"{BASE}id/asjc/3100")) == [iri("umn-journal-article.json")]
    journal = index.search("Cabibbo").hits[0]
    journal_iri = next(j for j, title, _ in index.figures().by_journal if title == journal.journal_title)
    assert found(index.search(journal=journal_iri)) == [iri("umn-journal-article.json")]
    assert [h.snippet for h in index.search(type=ARTICLE).hits] == [None] * 5


def test_filters_narrow_a_text_search(index):
    assert index.search("mould").total == 3
    assert found(index.search("mould", year="1998")) == [iri("lund-journal-article.json")]
    assert found(index.search("language", type=PREPRINT, year="2025")) == [iri("lund-preprint.json")]
    assert index.search("mould", type=PREPRINT).total == 0


def test_words_too_common_to_rank_list_their_records_newest_first(index, monkeypatch):
    """Past search_plans.RANKED_MATCHES matches, ranking costs seconds at 1M records: the matches
    are walked newest first instead, counted, filtered, paged and marked as when ranked."""
    ranked = index.search("mould")
    assert ranked.order == "relevance" and ranked.total == 3
    monkeypatch.setattr(search_plans, "RANKED_MATCHES", 2)
    walked = index.search("mould", limit=100)
    assert walked.order == "newest" and (walked.total, walked.more_than) == (2, True), "more than 2: not counted on"
    assert set(found(walked)) == set(found(ranked))
    newest_first = found(index.search(limit=100))  # every record, newest first, undated last
    assert found(walked) == [record for record in newest_first if record in found(ranked)]
    assert all("<mark>" in h.snippet for h in walked.hits)
    assert found(index.search("mould", year="1998")) == [iri("lund-journal-article.json")]
    assert index.search("mould", year="1998").total == 1, "under a filter, counted"
    pages = [index.search("mould", limit=2, offset=offset) for offset in (0, 2)]
    assert sum((found(page) for page in pages), []) == found(walked)
    assert index.search("Cabibbo").order == "relevance", "one match: ranked"
    assert index.search("moul").order == "relevance", "a prefix alone is never walked (it costs per record)"


def test_pages_add_up_to_the_total(index):
    everything = index.search(limit=100)
    assert everything.total == len(RECORDS) == 11
    pages = [index.search(limit=4, offset=offset) for offset in (0, 4, 8)]
    assert all(page.total == 11 for page in pages)
    assert [len(page.hits) for page in pages] == [4, 4, 3]
    assert sum((found(page) for page in pages), []) == found(everything)
    # Newest first: the Lund preprint (25 Oct 2025), then the conference paper (30 Mar 2025).
    assert found(everything)[:2] == [iri("lund-preprint.json"), iri("conference-block.txt")]
    assert [h.year for h in everything.hits[-2:]] == [None, None]  # undated records come last


def test_bad_limits_are_refused(index):
    with pytest.raises(SearchError, match="limit"):
        index.search("mould", limit=0)
    with pytest.raises(SearchError, match="offset"):
        index.search("mould", offset=-1)


# --- hostile input --------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    '"unbalanced', 'civil"', '"', '""', "AND", "OR", "NOT", "civil AND", "NEAR(civil society)",
    "NEAR", "*", "civ*", "title:", "title:civil", "-russia", "^civil", "(", ")", "(civil", "{title}: x",
    "'; DROP TABLE records; --", "O'Brien", "😀", "civil 😀", "\x00", "\ud800", "a" * 500, "+", "\\",
    "[a-z]", "%", "_", "civil OR society", "russia NOT civil",
])
def test_hostile_text_is_only_text(index, text):
    results = index.search(text)
    assert results.query == text
    assert results.total >= len(results.hits)


def test_operators_typed_by_users_are_words(index):
    # "NOT" is a word ("not least" is in the seed's abstract), not an operator excluding "civil"
    assert found(index.search("russia NOT civil")) == [iri("seed-record.txt")]
    assert found(index.search('"law enforcement')) == [iri("seed-record.txt")]
    assert found(index.search("(law) -enforcement: russia*")) == [iri("seed-record.txt")]


def test_text_that_is_too_long_is_refused_with_a_reason(index):
    with pytest.raises(SearchError, match="10000 characters .* at most 500"):
        index.search("a" * 10_000)


def test_empty_text_lists_and_symbols_alone_find_nothing(index):
    assert index.search("").total == index.search("   ").total == 11
    assert index.search("*").total == 0
    assert index.search("😀").total == 0


def test_a_bad_filter_value_is_refused(index):
    with pytest.raises(SearchError, match="year"):
        index.search(year="20\ud80006")


def test_snippet_escapes_the_record_text(fresh_index):
    [record] = read_records(EXAMPLES / "preprint.txt")
    record.title = "<script>alert('x')</script> & memory"
    record.abstract = "Plain <b>bold</b> claims about alerts."
    hostile = map_record(record, BASE)
    fresh_index.update({hostile.graph: hostile.triples})
    [hit] = fresh_index.search("alert").hits
    assert hit.title == "<script>alert('x')</script> & memory"  # the raw text; templates escape it
    assert "<script>" not in hit.snippet and "<b>" not in hit.snippet
    assert "&lt;script&gt;<mark>alert</mark>" in hit.snippet
    assert "&amp; memory" in hit.snippet


# --- changing the index ---------------------------------------------------------------------

def test_updating_a_record_replaces_its_words(fresh_index):
    seed = RECORDS["seed-record.txt"]
    [record] = read_records(SEED)
    record = dataclasses.replace(record, title="Police reform in Siberia", abstract="A short abstract.")
    changed = map_record(record, BASE, key=seed.key)  # the key a stored work keeps
    fresh_index.update({changed.graph: changed.triples})
    assert found(fresh_index.search("siberia")) == [seed.iri.value]
    assert fresh_index.search("enforcement").total == 0
    assert fresh_index.search().total == 11
    assert fresh_index.figures().outputs == 11


def test_removing_a_record(fresh_index):
    umn = RECORDS["umn-journal-article.json"]
    fresh_index.remove([umn.graph])
    assert fresh_index.search("Cabibbo").total == 0
    figures = fresh_index.figures()
    assert figures.outputs == 10
    assert "3100" not in dict(figures.by_subject)
    assert "2016" not in dict(figures.by_year)


def test_clear_and_rebuild_from_a_stream(fresh_index):
    fresh_index.clear()
    assert fresh_index.figures().outputs == 0
    vocabularies = vocabulary_graphs(BASE)
    stream = ((m.graph, iter(m.triples)) for m in RECORDS.values())
    vocabulary_stream = ((graph, iter(triples)) for graph, triples in vocabularies.items())
    count = fresh_index.rebuild(item for part in (vocabulary_stream, stream) for item in part)
    assert count == 11  # the vocabulary graphs are not records
    assert found(fresh_index.search("microcalorimetric")) == [iri("lund-journal-article.json")]


# --- figures --------------------------------------------------------------------------------

def asjc_codes_by_label() -> dict[str, str]:
    with (SHARED_DATA / "asjc.csv").open(encoding="utf-8") as rows:
        return {row["label"]: row["code"] for row in csv.DictReader(rows)}


def test_figures_count_the_real_records(index):
    figures = index.figures()
    assert figures.outputs == 11
    # Years as the sources show them; preprint.txt is only submitted and label-own-line only
    # accepted, so neither has a publication year.
    assert figures.by_year == (("2025", 2), ("2021", 2), ("2019", 2), ("2016", 1), ("2006", 1), ("1998", 1))
    assert sorted(title for _, title, _ in figures.by_journal) == [
        "Building and Environment", "Europe - Asia Studies", "International Biodeterioration & Biodegradation",
        "International Biodeterioration and Biodegradation", "Physical Review Letters"]
    codes = asjc_codes_by_label()
    seed_subjects = ["Geography, Planning and Development", "History", "Sociology and Political Science",
                     "Economics and Econometrics"]
    example_subjects = ["Library and Information Sciences", "Information Systems", "Environmental Engineering",
                        "Civil and Structural Engineering", "Building and Construction", "Microbiology",
                        "Biomaterials"]
    expected = sorted([codes[label] for label in seed_subjects + example_subjects] + ["3100"])
    assert sorted(code for code, _ in figures.by_subject) == expected
    assert all(count == 1 for _, count in figures.by_subject)
    assert dict(figures.by_type) == {
        ARTICLE: 5, PREPRINT: 2, f"{BASE}id/type/contributiontobookanthology/conference": 2,
        f"{BASE}id/type/contributiontobookanthology/chapter": 1, f"{BASE}id/type/thesis/doc": 1}
    assert figures.by_type[0] == (ARTICLE, 5)


# --- one writer, many readers ---------------------------------------------------------------

def test_a_reader_sees_what_the_writer_commits(tmp_path):
    path = tmp_path / "search.sqlite"
    writer = SearchIndex(path)
    seed, umn = RECORDS["seed-record.txt"], RECORDS["umn-journal-article.json"]
    writer.update({seed.graph: seed.triples})
    reader = SearchIndex(path, read_only=True)
    assert found(reader.search("russia")) == [seed.iri.value]
    assert reader.figures().outputs == 1
    writer.update({umn.graph: umn.triples})
    assert found(reader.search("Cabibbo")) == [umn.iri.value]
    assert reader.figures().outputs == 2  # not the figures cached before the write
    with pytest.raises(SearchError, match="read-only"):
        reader.update({seed.graph: seed.triples})
    reader.close()
    writer.close()


def test_a_reader_keeps_answering_while_a_write_is_in_progress(tmp_path):
    path = tmp_path / "search.sqlite"
    with SearchIndex(path) as writer:
        seed = RECORDS["seed-record.txt"]
        writer.update({seed.graph: seed.triples})
    busy_writer = sqlite3.connect(path, isolation_level=None)
    busy_writer.execute("BEGIN IMMEDIATE")
    busy_writer.execute("DELETE FROM records")  # not committed yet
    reader_code = ("import sys; from kgpub.graph.search import SearchIndex; "
                   "index = SearchIndex(sys.argv[1], read_only=True); "
                   "print(index.search('russia').total, index.figures().outputs)")
    result = subprocess.run([sys.executable, "-c", reader_code, str(path)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1", "1"]  # the last committed state
    busy_writer.execute("COMMIT")
    busy_writer.close()
    with SearchIndex(path, read_only=True) as reader:
        assert reader.figures().outputs == 0


def test_opening_a_missing_index_read_only_says_what_to_do(tmp_path):
    with pytest.raises(SearchError, match="no search index"):
        SearchIndex(tmp_path / "nothing.sqlite", read_only=True)


# --- scale ----------------------------------------------------------------------------------

def test_a_rebuild_indexes_thousands_of_records_and_their_figures(tmp_path):
    """The index at more than toy size (its speed at 20k and 100k records: bench/ingest.py)."""
    from bench import synthetic

    corpus = synthetic.write_jsonl(tmp_path / "synthetic.jsonl", 2000)
    graphs = [(m.graph, m.triples) for m in (map_record(r, BASE) for r in read_records(corpus))]
    with SearchIndex(tmp_path / "search.sqlite") as index:
        count = index.rebuild(iter(graphs))
        results = index.search("civil society", limit=20)
        figures = index.figures()
    assert count == 2000
    assert figures.outputs == 2000 and sum(n for _, n in figures.by_year) == 2000
    assert results.total > 0 and len(results.hits) == 20
