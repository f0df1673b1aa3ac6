"""Field readers the bibliographic importers share (BibTeX, RIS, CSL-JSON, Crossref, OC Meta):
types from source_types.tsv and what a type says of the container, person names, page ranges,
ISBNs, ORCID iDs, dates in parts and languages.

Each reader takes the source's text and returns the Record's form of it, or None when the text is
not what the field holds: the importer then says so on the record, naming its own field.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import langcodes
from nameparser import HumanName
from nameparser.config import CONSTANTS as NAME_CONSTANTS
from stdnum import isbn as stdnum_isbn

from kgpub.graph.identifiers import isbn13
from kgpub.graph.record import BOOK_PART_TYPES, JOURNAL_PART_TYPES, PartialDate, Person, Record

SOURCE_TYPES_TSV = Path(__file__).with_name("source_types.tsv")
OTHER_TYPE = "othercontribution/other"
ORCID = re.compile(r"\d{4}-\d{4}-\d{4}-\d{3}[\dX]")
# 'e123', '123', 'S12', 'iii', '123--130', '123–130', '123-130', '123 - 130'
PAGE_RANGE = re.compile(r"\s*([^\s\-–—]+)\s*(?:(?:-{1,3}|–|—)\s*([^\s\-–—]+)\s*)?")
# '209-1-209-16': pages 1 to 16 of article 209, as Crossref and OpenCitations Meta write them
NUMBERED_PAGE_RANGE = re.compile(r"\s*(\w+)-(\w+)\s*(?:-{1,3}|–|—)\s*(\w+)-(\w+)\s*")
ISBN_CHARACTERS = re.compile(r"[\dXx][\dXx\- ]{8,20}[\dXx]")
OTHERS = {"others", "et al.", "et al", "..."}
# 'Loach, PA', 'Law, C.J.', 'Lee, J.-H.' (Web of Science, PubMed): nameparser would read PA or MD as a degree
NAME_SUFFIXES = NAME_CONSTANTS.suffix_not_acronyms  # jr, sr, ii, iii…
INITIALS_AFTER_COMMA = re.compile(r"([^,]+), ((?:[A-Z]\.?[ -]?){1,4})")
# BibLaTeX's babel and polyglossia names that are no language's name (langcodes knows those).
BABEL_NAMES = {"american": "en", "british": "en", "usenglish": "en", "ukenglish": "en", "canadian": "en",
               "australian": "en", "newzealand": "en", "ngerman": "de", "austrian": "de", "naustrian": "de",
               "swissgerman": "de", "nswissgerman": "de", "francais": "fr", "acadian": "fr", "brazil": "pt",
               "brazilian": "pt", "portuges": "pt", "bokmal": "nb", "nynorsk": "nn", "magyar": "hu", "farsi": "fa"}


@lru_cache(maxsize=1)
def _source_types() -> dict[tuple[str, str], str]:
    table = {}
    for line in SOURCE_TYPES_TSV.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or line.startswith("format\t"):
            continue
        source_format, source_type, record_type = line.split("\t")
        table[(source_format, source_type.lower())] = record_type
    return table


def record_type(source_format: str, source_type: str) -> str | None:
    """Our type key for a source's type ('bibtex', 'inproceedings' -> a conference paper); None
    when the table does not know it (the importer warns and uses OTHER_TYPE)."""
    return _source_types().get((source_format, source_type.strip().lower()))


def is_journal_type(record: Record) -> bool:
    """An article, review, letter…: its container is a journal."""
    return (record.type or "").startswith(JOURNAL_PART_TYPES)


def is_part_type(record: Record) -> bool:
    """A chapter or conference paper: its container is a book or proceedings."""
    return (record.type or "").startswith(BOOK_PART_TYPES)


def unique(values: list[str]) -> list[str]:
    """The values in their first order, without repeats or empty ones."""
    return list(dict.fromkeys(value for value in values if value))


def person(name: str, record: Record | None = None, field: str = "author") -> Person | None:
    """A personal name as bibliographies write it, split into given and family names by
    nameparser: 'Family, Given', 'Given Family', particles ('Ludwig van Beethoven' -> 'van
    Beethoven'), suffixes ('King, Martin Luther, Jr.' -> given 'Martin Luther, Jr.', as BibTeX's
    rules put it), initials; titles ('Dr.') are not part of it. '{Corporate Name}' is kept whole.
    A name in another script than Latin is kept whole too: which part is the family name is not
    known from the letters (山田 太郎, Ахматова Анна), so a record is warned when it has several.
    None for 'others' and empty names."""
    text = " ".join(name.split())
    if not text or text.lower() in OTHERS:
        return None
    if text.startswith("{") and text.endswith("}"):
        return Person(name=text[1:-1].strip())
    if not is_latin(text):
        if " " in text and record is not None:
            record.add_problem(field, f"the name {text!r} is not in Latin letters: kept whole, as the order of its "
                                      "parts is not known (give it as 'Family, Given' to split it)", "warning")
        return Person(name=text)
    if initials := INITIALS_AFTER_COMMA.fullmatch(text):  # 'Loach, PA': initials, not a degree
        return Person(given_name=initials.group(2), family_name=initials.group(1))
    parts = [part.strip() for part in text.split(",")]
    if len(parts) == 3 and parts[1].lower().rstrip(".") in NAME_SUFFIXES:  # BibTeX's 'Family, Jr., Given'
        text = f"{parts[2]} {parts[0]} {parts[1]}"
    parsed = HumanName(text)
    if not parsed.last:  # one word, which nameparser calls a first name: alone, it is what we cite by
        return Person(family_name=parsed.first or text)
    given = " ".join(part for part in (parsed.first, parsed.middle) if part)
    if given and parsed.suffix:
        given += f", {parsed.suffix}"
    return Person(given_name=given or None, family_name=parsed.last)


def is_latin(text: str) -> bool:
    """Whether every letter of the text is a Latin one (accented ones included)."""
    return all(unicodedata.name(char, "").startswith("LATIN") for char in text if char.isalpha())


def page_range(text: str) -> tuple[str, str | None] | None:
    """'123--130' -> ('123', '130'); 'e123' -> ('e123', None); '209-1-209-16' -> ('209-1',
    '209-16'); None if it is not pages."""
    if found := PAGE_RANGE.fullmatch(text):
        return found.group(1), found.group(2)
    numbered = NUMBERED_PAGE_RANGE.fullmatch(text)
    if numbered and numbered.group(1) == numbered.group(3):
        article, first, _, last = numbered.groups()
        return f"{article}-{first}", f"{article}-{last}"
    return None


def isbns(text: str) -> list[str]:
    """Every ISBN-10 or ISBN-13 in the text with a valid check digit, as ISBN-13 digits ('978…')."""
    found = []
    for candidate in ISBN_CHARACTERS.findall(text):
        digits = re.sub(r"[\- ]", "", candidate).upper()
        if stdnum_isbn.is_valid(digits) and (stored := isbn13(digits)) not in found:
            found.append(stored)
    return found


def orcid(text: str) -> str | None:
    """'https://orcid.org/0000-0002-1825-0097' or the bare iD -> '0000-0002-1825-0097'."""
    bare = text.strip().rstrip("/").rpartition("/")[2].upper()
    return bare if ORCID.fullmatch(bare) else None


def date_of_parts(year, month=None, day=None) -> PartialDate | None:
    """A date at the precision the source gives (CSL 'date-parts', RIS 'PY', BibTeX year/month);
    None when the parts are not a real date."""
    try:
        parts = [int(p) for p in (year, month, day) if p not in (None, "")]
        return PartialDate(*parts) if parts else None
    except (TypeError, ValueError):
        return None


def iso_date(text: str) -> PartialDate | None:
    """'2021', '2021-03', '2021-03-09' (also '2021/03/09', a time after it) -> a PartialDate."""
    found = re.match(r"\s*(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?", text)
    return date_of_parts(*found.groups()) if found else None


def language_code(text: str) -> str | None:
    """'en', 'en-US', 'eng', 'ger', 'English', 'Deutsch', 'ngerman', 'New Zealand' → its ISO 639-1
    code ('en', 'de'), by langcodes (BCP 47); None when it names no language, or one without a
    two-letter code (Klingon is `tlh`): records link languages by their ISO 639-1 IRIs."""
    label = text.strip()
    if not label or len(label) > 100:
        return None
    if babel := BABEL_NAMES.get(label.lower().replace(" ", "")):
        return babel
    try:
        language = langcodes.Language.get(label)
        if not language.is_valid() or not language.language:
            raise LookupError(label)
    except (LookupError, ValueError):
        try:
            language = langcodes.find(label)
        except LookupError:
            return None
    return language.language if len(language.language or "") == 2 else None
