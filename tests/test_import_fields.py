"""The field readers the bibliographic importers share, and how a file's format is told."""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import PURE_API

from kgpub.graph.importers import detect, fields, for_path
from kgpub.graph.record import PartialDate, Person

REAL = PURE_API.parent


@pytest.mark.parametrize("source_format, source_type, expected", [
    ("bibtex", "InProceedings", "contributiontobookanthology/conference"),
    ("bibtex", "phdthesis", "thesis/doc"),
    ("ris", "JOUR", "contributiontojournal/article"),
    ("csl", "paper-conference", "contributiontobookanthology/conference"),
    ("crossref", "posted-content", "workingpaper/preprint"),
    ("bibtex", "nonsense", None),
])
def test_source_types_come_from_the_table(source_format, source_type, expected):
    assert fields.record_type(source_format, source_type) == expected


def test_every_type_in_the_table_is_one_of_ours():
    from kgpub import ontology

    ours = {t.key for t in ontology.read_pure_types()}
    assert set(fields._source_types().values()) <= ours


# Hard names, written here from how style guides and name authorities (LC, ORCID) cite them:
# (as a source writes it, given, family); family None: kept whole as a name.
HARD_NAMES = [
    ("Knuth, Donald E.", "Donald E.", "Knuth"),
    ("Donald E. Knuth", "Donald E.", "Knuth"),
    ("Karin Holmgren", "Karin", "Holmgren"),  # the seed's Pure page writes "Given Family"
    ("Holmgren, Karin", "Karin", "Holmgren"),
    ("Mette Sørensen", "Mette", "Sørensen"),
    ("Ludwig van Beethoven", "Ludwig", "van Beethoven"),
    ("van Beethoven, Ludwig", "Ludwig", "van Beethoven"),
    ("Dirk van der Berg", "Dirk", "van der Berg"),
    ("Ursula von der Leyen", "Ursula", "von der Leyen"),
    ("Juan de la Cruz", "Juan", "de la Cruz"),
    ("Oscar de la Hoya", "Oscar", "de la Hoya"),
    ("Charles de Gaulle", "Charles", "de Gaulle"),
    ("Mary Anne de Souza", "Mary Anne", "de Souza"),
    ("Ali bin Hassan", "Ali", "bin Hassan"),
    ("Abu Bakr al-Baghdadi", "Abu Bakr", "al-Baghdadi"),
    ("Martin Luther King Jr.", "Martin Luther, Jr.", "King"),
    ("King, Martin Luther, Jr.", "Martin Luther, Jr.", "King"),
    ("Ford, Jr., Henry", "Henry, Jr.", "Ford"),  # BibTeX's Family, Jr., Given
    ("Ford, III, Henry", "Henry, III", "Ford"),
    ("Sam Jones III", "Sam, III", "Jones"),
    ("Thomas Müller Sr.", "Thomas, Sr.", "Müller"),
    ("Dr. Jane Smith", "Jane", "Smith"),  # a title is not part of a cited name
    ("Prof. Dr. Anna Schmidt", "Anna", "Schmidt"),
    ("J. R. R. Tolkien", "J. R. R.", "Tolkien"),
    ("Tolkien, J.R.R.", "J.R.R.", "Tolkien"),
    ("A. Einstein", "A.", "Einstein"),
    ("Loach, PA", "PA", "Loach"),  # Web of Science initials, not a degree
    ("Law, C.J.", "C.J.", "Law"),
    ("Lee, J.-H.", "J.-H.", "Lee"),
    ("Smith, MD", "MD", "Smith"),
    ("Jean-Paul Sartre", "Jean-Paul", "Sartre"),
    ("Pierre-Simon Laplace", "Pierre-Simon", "Laplace"),
    ("Parkes-Loach, Pamela", "Pamela", "Parkes-Loach"),
    ("José María Olazábal", "José María", "Olazábal"),
    ("Tomás Lindgren", "Tomás", "Lindgren"),
    ("Zoë Ångström", "Zoë", "Ångström"),
    ("Łukasz Żółć", "Łukasz", "Żółć"),
    ("Nguyễn Văn An", "Nguyễn Văn", "An"),  # Latin letters: read in the order written
    ("Sun Li", "Sun", "Li"),
    ("Plato", None, "Plato"),
    ("Tolkien", None, "Tolkien"),
    ("Rayleigh, Lord", None, "Rayleigh"),
    ("Ibn Khaldun", None, "Ibn Khaldun"),
]
WHOLE_NAMES = [  # (as written, kept whole, whether the record is warned)
    ("{World Health Organization}", "World Health Organization", False),
    ("{Barnes and Noble, Inc.}", "Barnes and Noble, Inc.", False),
    ("山田 太郎", "山田 太郎", True),  # family name first in Japanese, last in some sources
    ("Анна Ахматова", "Анна Ахматова", True),
    ("Ахматова Анна", "Ахматова Анна", True),
    ("王小明", "王小明", False),  # one word: nothing to split, nothing ambiguous
    ("Αριστοτέλης", "Αριστοτέλης", False),
]


@pytest.mark.parametrize("name, given, family", HARD_NAMES)
def test_personal_names_split_into_given_and_family(name, given, family):
    assert len(HARD_NAMES) + len(WHOLE_NAMES) >= 40
    assert fields.person(name) == Person(given_name=given, family_name=family)


@pytest.mark.parametrize("name, kept, warned", WHOLE_NAMES)
def test_corporate_and_non_latin_names_stay_whole_warned_only_when_ambiguous(name, kept, warned):
    from kgpub.graph.record import Record, SourceRef

    record = Record(SourceRef("names.ris"))
    assert fields.person(name, record, "AU") == Person(name=kept)
    assert [(p.field, p.severity) for p in record.problems] == ([("AU", "warning")] if warned else [])


@pytest.mark.parametrize("name, expected", [
    ("others", None),
    ("et al.", None),
    ("  ", None),
])
def test_names_as_bibliographies_write_them(name, expected):
    assert fields.person(name) == expected


@pytest.mark.parametrize("text, expected", [
    ("123--130", ("123", "130")), ("123–130", ("123", "130")), ("123-130", ("123", "130")),
    ("e123", ("e123", None)), ("S12 - S19", ("S12", "S19")), ("12", ("12", None)), ("pp. twelve", None),
    ("209-1-209-16", ("209-1", "209-16")), ("1121-1133-1", None),
])
def test_page_ranges(text, expected):
    assert fields.page_range(text) == expected


def test_isbns_need_a_valid_check_digit_and_are_kept_as_isbn_13():
    assert fields.isbns("978-3-16-148410-0; 0-306-40615-2, 1234567890") == ["9783161484100", "9780306406157"]
    assert fields.isbns("0-306-40615-2; 9780306406157") == ["9780306406157"], "one book, given in both forms"


def test_orcid_and_dates():
    assert fields.orcid("https://orcid.org/0000-0002-1825-0097/") == "0000-0002-1825-0097"
    assert fields.orcid("0000-0002") is None
    assert fields.iso_date("2021/3/") == PartialDate(2021, 3)
    assert fields.iso_date("2021-02-30") is None
    assert fields.date_of_parts(2020, None, None) == PartialDate(2020)


@pytest.mark.parametrize("label, expected", [
    ("en", "en"), ("en-US", "en"), ("pt_BR", "pt"), ("eng", "en"), ("English", "en"), ("ger", "de"),
    ("ngerman", "de"), ("american", "en"), ("New Zealand", "en"), ("Brazilian Portuguese", "pt"),
    ("Klingon", None), ("", None),
])
def test_languages_as_codes_english_and_babel_names(label, expected):
    assert fields.language_code(label) == expected


@pytest.mark.parametrize("name, expected", [
    ("refs.bib", "bibtex"), ("refs.ris", "ris"), ("items.csl.json", "csl-json"), ("work.crossref.json", "crossref"),
    ("page.txt", "pure-page"), ("records.jsonl", "pure-json"),
])
def test_the_file_name_names_the_format(name, expected):
    assert for_path(Path(name)).name == expected


@pytest.mark.parametrize("path, expected", [
    (PURE_API / "lund-journal-article.json", "pure-json"),
    (REAL / "crossref" / "abbotsbury" / "test1.json", "crossref"),
    (REAL / "crossref" / "commonmeta" / "crossref-list.json", "crossref"),
    (REAL / "csljson" / "commonmeta" / "citeproc.json", "csl-json"),
])
def test_a_json_file_is_told_by_what_it_holds(path, expected):
    assert detect(path, path.read_bytes()[:65536]).name == expected


def test_a_file_without_a_known_name_is_told_by_its_first_bytes():
    assert detect(Path("upload"), b"\xef\xbb\xbf@article{x, title={T}}").name == "bibtex"
    assert detect(Path("upload"), b"TY  - JOUR\nTI  - T\nER  - \n").name == "ris"
    assert detect(Path("upload"), b"A title\nKarin Holmgren\nResearch output: Contribution to journal").name == "pure-page"
    assert detect(Path("page.txt"), b"A title without its type line").name == "pure-page", "the name says so"


@pytest.mark.parametrize("name, head, says", [
    ("notes.docx", b"PK\x03\x04\x14\x00\x06\x00", "ZIP archive"),
    ("paper.pdf", b"%PDF-1.7\n", "PDF"),
    ("notes", b"Dear all,\nplease find", "'Dear all,'"),
    ("upload.json", b'{"title": "x", "year": 2020}', "none of the fields"),
    ("upload.json", b"title,year\nx,2020\n", "does not start with {"),
    ("library.json", b'{"config": {"label": "BetterBibTeX JSON"}, "items": [{"itemType": "book"}]}', "Better BibTeX"),
])
def test_a_file_of_no_known_format_is_refused_naming_what_was_expected(name, head, says):
    from kgpub.graph.importers import UnknownFormat

    with pytest.raises(UnknownFormat) as refused:
        detect(Path(name), head)
    assert says in str(refused.value)
    assert "Better BibTeX" in says or "not a Pure page, BibTeX, RIS, CSL-JSON, Crossref, Pure JSON" in str(refused.value)
