"""The bibtex importer: LaTeX, names, pages, dates, identifiers, macros and bad input, then every
real .bib file in the shared data, the Better BibTeX oracle, and `kgpub ingest` end to end."""
from __future__ import annotations

import collections
import html
import io
import json
import re
import subprocess
import unicodedata
from pathlib import Path

import pytest

from conftest import REPO, SHARED_DATA
from kgpub.graph.importers import bibtex
from kgpub.graph.record import PartialDate, Person, Record, UnreadableRecord

REAL_BIB = SHARED_DATA / "real" / "bib"
BETTER_BIBTEX = REAL_BIB / "better-bibtex-import"
PURE_BIB = REAL_BIB / "commonmeta" / "pure.bib"
KEY_OF_ENTRY = re.compile(r"\s*@\s*\w+\s*[{(]\s*([^,\s]+)")


def read(text: str | bytes, source: str = "t.bib") -> list[Record | UnreadableRecord]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return list(bibtex.read(io.BytesIO(data), source))


def one(text: str) -> Record:
    [record] = read(text)
    assert isinstance(record, Record), record
    return record


def messages(record, severity: str | None = None) -> list[tuple[str, str]]:
    return [(p.field, p.message) for p in record.problems if severity in (None, p.severity)]


# --- fields ----------------------------------------------------------------------------------

def test_latex_accents_escapes_and_braces_become_unicode():
    record = one(r"""@article{k, title = {The {\"u}ber {\&} \'ecole \ss{} of {M}ath -- $\alpha$-tests},
                  abstract = "Cu$_2$O films of 0.2\,mm$^{2}$ at 50\% ``yield''"}""")
    assert record.title == "The über & école ß of Math – α-tests"
    assert record.abstract == "Cu₂O films of 0.2 mm² at 50% “yield”"


def test_biblatex_hyphenation_commands_keep_their_hyphen():
    """Issue 15: "Self\\hyphen{}assembly" lost its hyphen ("Selfassembly")."""
    record = one(r"""@article{k, title = {Self\hyphen{}assembled non\nbhyphen linear long\allowbreak{}words}}""")
    assert record.title == "Self-assembled non\u2011linear longwords"


def test_authors_in_order_in_every_form_and_others_dropped():
    record = one(r"""@book{k, title = {T}, author = {M{\"u}ller, Hans and Jane Doe and {World Health
                  Organization} and Ludwig van Beethoven and Smith, Jr., John and others}}""")
    assert record.authors == [
        Person(given_name="Hans", family_name="Müller"), Person(given_name="Jane", family_name="Doe"),
        Person(name="World Health Organization"), Person(given_name="Ludwig", family_name="van Beethoven"),
        Person(given_name="John, Jr.", family_name="Smith")]


def test_orcids_from_biblatex_annotations_and_a_plain_field():
    annotated = one("""@article{k, title = {T}, author = {Ann Lee and Bo Kim},
                     author+an:orcid = {2="0000-0002-1825-0097"}}""")
    assert [a.orcid for a in annotated.authors] == [None, "0000-0002-1825-0097"]
    plain = one("@article{k, title = {T}, author = {Ann Lee}, orcid = {https://orcid.org/0000-0002-1825-0097}}")
    assert plain.authors[0].orcid == "0000-0002-1825-0097"


@pytest.mark.parametrize("pages, start, end", [
    ("123--130", "123", "130"), ("123–130", "123", "130"), ("e123", "e123", None), ("45", "45", None),
    ("pp. 12-15", "12", "15"), ("123--", "123", None), ("S12---S19", "S12", "S19")])
def test_pages_become_start_and_end(pages, start, end):
    record = one(f"@article{{k, title = {{T}}, pages = {{{pages}}}}}")
    assert (record.start_page, record.end_page) == (start, end)
    assert record.problems == []


def test_pages_that_are_not_pages_warn_and_article_numbers_come_from_eid():
    record = one("@article{k, title = {T}, pages = {see text}, eid = {e0123}}")
    assert record.start_page is None and record.article_number == "e0123"
    assert messages(record) == [("pages", "'see text' is not a page or page range")]


@pytest.mark.parametrize("fields, date, kind", [
    ("year = 2020, month = mar", PartialDate(2020, 3), "published"),
    ('year = "2018", month = "4", day = "25"', PartialDate(2018, 4, 25), "published"),
    ("year = {2019}, month = {December}", PartialDate(2019, 12), "published"),
    ("date = {2020-03}", PartialDate(2020, 3), "published"),
    ("date = {2020-03-09/2020-03-12}", PartialDate(2020, 3, 9), "published"),
    ("year = {in press}", None, "in-press"),
    ("year = {2021}, pubstate = {forthcoming}", PartialDate(2021), "in-press")])
def test_dates_keep_their_precision(fields, date, kind):
    record = one(f"@article{{k, title = {{T}}, {fields}}}")
    assert [(s.kind, s.date) for s in record.statuses] == [(kind, date)]
    assert record.problems == []


def test_a_month_that_is_not_a_month_keeps_the_year_and_warns():
    record = one("@article{k, title = {T}, year = 2013, month = {31}}")
    assert record.statuses[0].date == PartialDate(2013)
    assert messages(record) == [("month", "'31' is not a month; the date is kept to the year")]


@pytest.mark.parametrize("doi", ["https://doi.org/10.1000/ABC.1", "doi:10.1000/abc.1", "10.1000/ABC.1",
                                 "http://dx.doi.org/10.1000/abc.1"])
def test_dois_are_stored_bare_and_lower_case(doi):
    assert one(f"@article{{k, title = {{T}}, doi = {{{doi}}}}}").doi == "10.1000/abc.1"


def test_journal_issn_isbn_publisher_language_keywords_and_url():
    record = one(r"""@article{k, title = {T}, journaltitle = {J. {\"O}kol.}, issn = {0966-813x},
        volume = 4, number = {2}, isbn = {978-3-16-148410-0}, publisher = {Springer}, langid = {ngerman},
        keywords = {soil; carbon, climate}, url = {https://example.org/a_b%20c}, booktitle = {Host}}""")
    assert (record.journal.title, record.journal.issn) == ("J. Ökol.", "0966-813X")
    assert (record.volume, record.issue, record.host_title) == ("4", "2", "Host")
    assert record.isbn_print == ["9783161484100"] and record.publisher == "Springer"
    assert (record.language, record.language_label) == ("de", "ngerman")
    assert record.keywords == ["soil", "carbon", "climate"]
    assert record.urls == ["https://example.org/a_b%20c"]


def test_a_language_without_a_known_code_warns():
    record = one("@book{k, title = {T}, language = {Klingon}}")
    assert record.language is None and record.language_label == "Klingon"
    assert messages(record) == [("language", "the language 'Klingon' is not one the importer knows an ISO "
                                             "639-1 code for")]


def test_entry_types_and_a_thesis_kind():
    assert one("@inproceedings{k, title = {T}}").type == "contributiontobookanthology/conference"
    assert one("@thesis{k, title = {T}, type = {Ph.D.}}").type == "thesis/doc"
    weird = one("@weird{k, title = {T}}")
    assert weird.type == "othercontribution/other"
    assert messages(weird) == [("ENTRYTYPE", "unknown entry type @weird: imported as othercontribution/other")]


def test_an_entry_without_a_title_gets_an_error():
    assert messages(one("@misc{k, author = {A B}}"), "error") == [("title", "the entry has no title")]


def test_an_undefined_macro_is_no_journal_title():
    """`journal = jair` with no `@string{jair = …}` (a file cut from the bibliography that defined
    it): kept, warned, but "jair" becomes no journal (issue 15: it did)."""
    record = one("@article{a, title = {T}, author = {Berg, Jonas}, journal = jair, year = 2020}")
    assert record.journal is None
    assert messages(record) == [("journal", "@string macro 'jair' is not defined, and a macro's name is no journal's "
                                            "title: the entry is kept without its journal")]
    defined = one('@string{jair = "Journal of Artificial Intelligence Research"}\n'
                  "@article{a, title = {T}, author = {Berg, Jonas}, journal = jair, year = 2020}")
    assert defined.journal.title == "Journal of Artificial Intelligence Research"
    assert one("@article{a, title = {T}, journal = {jair}, year = 2020}").journal.title == "jair", "braces: text"


def test_string_macros_concatenation_and_month_macros_across_chunks(monkeypatch):
    monkeypatch.setattr(bibtex, "CHUNK_ENTRIES", 1)  # every entry in its own chunk
    records = read('@string{jgg = "Journal of {G}eology"}\n@comment{x}\n@preamble{"\\def"}\n'
                   '@article{a, title = {A}, journal = jgg}\n'
                   '@article{b, title = {B}, journal = jgg # " Letters", month = jan # "~15", year = 1999,\n'
                   '  publisher = undefinedmacro}\n')
    assert [(r.journal.title, r.source.line) for r in records] == [("Journal of Geology", 4),
                                                                   ("Journal of Geology Letters", 5)]
    assert records[1].statuses[0].date == PartialDate(1999, 1)
    assert messages(records[1]) == [("publisher", "@string macro 'undefinedmacro' is not defined; kept as text")]


def test_crossref_children_inherit_from_a_parent_that_comes_later():
    records = read("@inproceedings{child, title = {Paper}, crossref = {proc}}\n"
                   "@proceedings{proc, title = {Proceedings of X}, year = 2006, doi = {10.1/proc}}\n")
    child = next(r for r in records if r.title == "Paper")
    assert (child.host_title, child.statuses[0].date, child.doi) == ("Proceedings of X", PartialDate(2006), None)


# --- bad input -------------------------------------------------------------------------------

def test_unbalanced_braces_reject_one_entry_naming_its_line_and_the_rest_is_imported():
    records = read("@article{good1, title = {One}}\n\n@article{broken, title = {Unclosed\n"
                   "  author = {X}\n@book{good2, title = {Two}}\n")
    assert [type(r).__name__ for r in records] == ["Record", "UnreadableRecord", "Record"]
    assert str(records[1].source) == "t.bib:3"
    assert records[1].problems[0].message == ("cannot read @article{broken}: it is not closed before the next "
                                              "entry at line 5 (a brace or quote is unbalanced, or a comma is missing)")
    assert records[2].title == "Two" and records[2].source.line == 5


def test_a_missing_comma_after_the_key_names_the_entry_and_line():
    [bad, good] = read("@misc{c3 title = {no comma}}\n@misc{ok, title = {Fine}}\n")
    assert (bad.source.line, bad.problems[0].message) == (
        1, "cannot read @misc{c3}: Expected comma after entry key, but found = (reading stopped at line 1)")
    assert good.title == "Fine"


def test_duplicate_keys_warn_and_both_are_imported():
    first, second = read("@article{a1, title = {First}}\n@article{A1, title = {Second}}\n")
    assert first.problems == [] and second.title == "Second"
    assert messages(second) == [("key", "duplicate key 'A1' (first used at line 1): imported as a separate record")]


def test_a_field_given_twice_keeps_the_first_with_a_warning():
    record = one("@article{a, title = {First}, title = {Second}}")
    assert record.title == "First"
    assert messages(record) == [("title", "the field title appears more than once; the first is used")]


def test_latin1_lines_are_read_with_a_warning_naming_file_and_line():
    data = "@book{a, title = {Caf\u00e9}}\n@book{b, title = {Na\u00efve}}\n".encode("utf-8")
    data = data.replace("Na\u00efve".encode("utf-8"), "Na\u00efve".encode("latin-1"))
    first, second = read(data, "old.bib")
    assert (first.title, first.problems) == ("Café", [])
    assert second.title == "Naïve"
    assert messages(second) == [("file", "old.bib is not UTF-8 at line 2: read as Latin-1")]


@pytest.mark.parametrize("data, message", [
    (b"", "the file is empty"), (b"\x00\x01\x02binary", "the file is binary, not text"),
    (b'{"title": "JSON, not BibTeX"}\n', "no BibTeX entry (@type{key, field = {value}, ...}) found: "
                                         "is this a BibTeX file?")])
def test_files_that_are_not_bibtex_get_one_clear_error(data, message):
    [unreadable] = read(data, "x.bib")
    assert isinstance(unreadable, UnreadableRecord) and unreadable.problems[0].message == message


def test_a_file_of_only_strings_and_comments_yields_nothing():
    assert read('@string{a = "b"}\n@comment{nothing here}\n% text\n') == []


def test_records_come_while_the_file_is_still_being_read():
    entry = "@article{k%d, title = {Title %d}, author = {A. Author}, year = 2020}\n"
    stream = io.BytesIO("".join(entry % (n, n) for n in range(5000)).encode())
    records = bibtex.read(stream, "big.bib")
    first = next(records)
    assert first.title == "Title 0" and stream.tell() < len(stream.getvalue()) / 4
    assert sum(1 for _ in records) == 4999


# --- the real corpora --------------------------------------------------------------------------

# Counts checked by hand: records, unreadable entries, records with errors, records with warnings.
# better-bibtex-import: the 2 unreadable are an EndNote entry with no key (Endnote_should_parse.bib:2) and
#   an empty field `, ,` (Import_from_Clipboard_stopped_working_2377.bib:1); the 89 errors are entries
#   without a title (75 in the APA examples of ..._2660.bib, which test names only; JabRef's _97.bib);
#   a @proceedings with only a booktitle has that as its title. 55 warnings say a @book's or
#   @proceedings' booktitle (other than its title) is not kept, 3 that a Mendeley @book's journal
#   is not kept: 53 records are warned for nothing else (899 without them). 26 more are warned of an
#   `isbn` holding 13 digits with a right check digit but no ISBN prefix (978, 979: python-stdnum).
# biber-tdata: the unreadable one is xdata.bib:68, a `%` comment inside an entry (biber reads those,
#   BibTeX and bibtexparser do not); the 264 errors are name and label tests without titles.
# bibtexparser-v1: the unreadable one is empty.bib; 9 of its test entries have no title.
CORPUS_COUNTS = {
    "better-bibtex-import": (11598, 2, 89, 978),
    "biber-tdata": (729, 1, 264, 61),
    "bibtexparser-v1": (96, 1, 9, 4),
    "commonmeta": (2, 0, 0, 0),
}


@pytest.fixture(scope="module")
def corpus_items() -> dict[str, list[tuple[Path, Record | UnreadableRecord]]]:
    items = collections.defaultdict(list)
    for path in sorted(REAL_BIB.rglob("*.bib")):
        with path.open("rb") as stream:
            items[path.relative_to(REAL_BIB).parts[0]] += [(path, item) for item in bibtex.read(stream, str(path))]
    return items


def test_every_real_bib_file_reads_with_the_counts_checked_by_hand(corpus_items):
    counts = {}
    for corpus, items in corpus_items.items():
        records = [item for _, item in items if isinstance(item, Record)]
        counts[corpus] = (len(items), len(items) - len(records), sum(1 for r in records if r.errors),
                          sum(1 for r in records if any(p.severity == "warning" for p in r.problems)))
        print(f"{corpus}: {dict(zip(('items', 'unreadable', 'with errors', 'with warnings'), counts[corpus]))}")
    assert counts == CORPUS_COUNTS


def test_every_problem_in_the_corpora_names_file_line_and_why(corpus_items):
    for path, item in (pair for items in corpus_items.values() for pair in items):
        if item.problems and path.name != "empty.bib":
            assert str(item.source).startswith(f"{path}:") and item.source.line >= 1
        assert all(p.field and len(p.message) > 10 for p in item.problems)


def _normalised(text: str | None) -> str:
    """Zotero keeps HTML markup and uses the Unicode of \\'{\\i} and mathematical italics."""
    text = html.unescape(re.sub(r"</?[a-z][^>]*>", "", text or "")).replace("\u0131\u0301", "\u00ed")
    return " ".join(re.sub(r"\W+", " ", unicodedata.normalize("NFKC", text).casefold()).split())


AUTHOR_CREATORS = {"author", "inventor", "programmer"}  # what Zotero makes of a BibTeX `author`


def test_titles_authors_and_years_agree_with_the_better_bibtex_oracle(corpus_items):
    """Every entry the Better BibTeX JSON has (its 168 items are the whole oracle: fewer than the
    200 the issue asks for). Measured: titles 154/156, authors 132/135, years 140/140. The rest
    differ for reasons we accept: a custom field remapped by the fixture's config, preamble \\def
    macros, DNA$_{\\textrm{2}}$, films' directors and a talk's authors as Zotero contributors."""
    compared = collections.Counter()
    mismatches = []
    for path in sorted(BETTER_BIBTEX.glob("*.bib")):
        oracle_path = path.with_suffix(".json")
        if not oracle_path.exists():
            continue
        oracle = {item.get("citationKey"): item for item in json.loads(oracle_path.read_text())["items"]}
        lines = path.read_bytes().decode("utf-8", "replace").splitlines()
        for _, record in (pair for pair in corpus_items["better-bibtex-import"] if pair[0] == path):
            key = KEY_OF_ENTRY.match(lines[record.source.line - 1]) if isinstance(record, Record) else None
            item = oracle.get(key.group(1)) if key else None
            if item is not None:
                _compare(record, item, compared, mismatches)
    print(dict(compared), *mismatches, sep="\n")
    assert compared["entries"] >= 155
    assert compared["title ok"] >= 154 and compared["title ok"] / compared["title"] >= 0.98
    assert compared["authors ok"] >= 132 and compared["authors ok"] / compared["authors"] >= 0.97
    assert compared["year ok"] == compared["year"] >= 140


def _compare(record: Record, item: dict, compared: collections.Counter, mismatches: list) -> None:
    compared["entries"] += 1
    ours = {"title": _normalised(" ".join(filter(None, (record.title, record.subtitle)))),
            "authors": [_normalised(a.family_name or a.name) for a in record.authors],
            "year": next((s.date.year for s in record.statuses if s.date), None)}
    year = re.search(r"\d{4}", item.get("date") or "")
    theirs = {"title": _normalised(item.get("title")) if "title" in item else None,
              "authors": [name for name in (_normalised(c.get("lastName") or c.get("name"))
                                            for c in item.get("creators", []) if c.get("creatorType") in AUTHOR_CREATORS)
                          if name != "others"],
              "year": int(year.group()) if year else None}
    for aspect in ours:
        if theirs[aspect] is None and not ours[aspect] or aspect == "authors" and not (ours[aspect] or theirs[aspect]):
            continue
        compared[aspect] += 1
        if ours[aspect] == theirs[aspect]:
            compared[f"{aspect} ok"] += 1
        else:
            mismatches.append(f"{record.source} {aspect}: ours {ours[aspect]!r}, Zotero {theirs[aspect]!r}")


# --- end to end -------------------------------------------------------------------------------

def test_kgpub_ingest_stores_pure_and_better_bibtex_records_that_pass_shacl(tmp_path):
    better_bibtex = BETTER_BIBTEX / "Better_BibLaTeX_import_improvements_549.bib"
    result = subprocess.run([str(REPO / ".venv" / "bin" / "kgpub"), "ingest", "--store", str(tmp_path / "store"),
                             "--base", "http://localhost:8080/", "--report", str(tmp_path / "r.json"),
                             str(PURE_BIB), str(better_bibtex)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    report = {row["source"]: row for row in json.loads((tmp_path / "r.json").read_text())}
    assert report[f"{PURE_BIB}:1"]["status"] == "stored" and report[f"{PURE_BIB}:1"]["errors"] == []
    assert [row["status"] for row in report.values()] == ["stored"] * 10  # pure.bib's one, 9 Better BibTeX
    # @inreference and @incollection without a booktitle: stored, and SHACL warns that the book
    # they are part of has no title, naming the BibTeX field (the RDF term in the report's `term`).
    # The first one's booktitle was to come from a missing crossref entry: one message, the importer's.
    assert report[f"{better_bibtex}:39"]["warnings"] == [
        {"field": "booktitle", "message": "The book or proceedings has no title.", "severity": "warning",
         "term": "dcterms:title"}]
    [crossref] = report[f"{better_bibtex}:18"]["warnings"]
    assert crossref["field"] == "crossref" and crossref["term"] == "dcterms:title"
    assert crossref["message"].startswith("the crossref entry 'classen2013' is not in the file")


def test_a_book_keeps_no_booktitle_or_journal_and_a_proceedings_with_only_a_booktitle_takes_it_as_title():
    same = one("@book{a, title={Coral Gardens}, booktitle={Coral Gardens}, year=1935}")
    assert (same.host_title, same.problems) == (None, [])
    mendeley = one("@book{m, title={Black and white strangers}, journal={Black & white strangers}, year=1993}")
    assert mendeley.journal is None
    assert [(p.field, p.message) for p in mendeley.problems] == [
        ("journal", "a @book is in no journal: its journal is not kept")]
    other = one("@book{b, title={Coral Gardens}, booktitle={Something Else}, year=1935}")
    assert other.host_title is None
    assert [(p.field, p.message) for p in other.problems] == [
        ("booktitle", "a @book is part of no book: its booktitle is not kept")]
    proceedings = one("@proceedings{c, booktitle={Proceedings of X}, year=2001}")
    assert (proceedings.title, proceedings.host_title, proceedings.errors) == ("Proceedings of X", None, [])
    chapter = one("@incollection{d, title={Ch}, booktitle={The Book}, year=2001}")
    assert chapter.host_title == "The Book"
