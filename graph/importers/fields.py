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

from nameparser import HumanName
from nameparser.config import CONSTANTS as NAME_CONSTANTS

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
# ISO 639-2 codes, English names and babel/polyglossia names (BibLaTeX `langid`) → ISO 639-1.
LANGUAGE_NAMES = """en english american british usenglish ukenglish canadian australian newzealand eng
de german ngerman austrian naustrian swissgerman nswissgerman deutsch ger deu
fr french francais acadian fre fra|es spanish espanol spa|it italian ita|nl dutch nederlands dut nld
pt portuguese portuges brazil brazilian por|ru russian rus|pl polish pol|cs czech cze ces
sk slovak slo slk|sv swedish swe|da danish dan|no norwegian norsk nor|nb bokmal nob|nn nynorsk nno
fi finnish fin|is icelandic ice isl|el greek gre ell|la latin lat|he hebrew heb|ar arabic ara
tr turkish tur|hu hungarian magyar hun|ro romanian rum ron|hr croatian hrv|sr serbian srp
sl slovenian slovene slv|uk ukrainian ukr|bg bulgarian bul|ca catalan cat|eu basque baq eus
gl galician glg|et estonian est|lv latvian lav|lt lithuanian lit|ga irish gle|cy welsh wel cym
zh chinese chi zho|ja japanese jpn|ko korean kor|hi hindi hin|sa sanskrit san|fa persian farsi per fas
id indonesian ind|ms malay may msa|th thai tha|vi vietnamese vie|af afrikaans afr|eo esperanto"""
LANGUAGES = {name: group.split()[0] for group in re.split(r"[|\n]", LANGUAGE_NAMES) for name in group.split()}


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
    """Every ISBN-10 or ISBN-13 in the text with a valid check digit, digits only ('978…', '0…X')."""
    found = []
    for candidate in ISBN_CHARACTERS.findall(text):
        digits = re.sub(r"[\- ]", "", candidate).upper()
        if _valid_isbn(digits) and digits not in found:
            found.append(digits)
    return found


def _valid_isbn(digits: str) -> bool:
    if len(digits) == 10 and digits[:9].isdigit():
        total = sum((10 - i) * (10 if c == "X" else int(c)) for i, c in enumerate(digits))
        return total % 11 == 0
    if len(digits) == 13 and digits.isdigit():
        return sum((3 if i % 2 else 1) * int(c) for i, c in enumerate(digits)) % 10 == 0
    return False


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
    """'en', 'en-US', 'eng', 'English', 'ngerman', 'New Zealand' → 'en' (ISO 639-1); any
    two-letter code is taken as one. None when it is no language the table knows."""
    label = text.strip().lower()
    code = re.split(r"[-_\s]", label)[0]
    if re.fullmatch(r"[a-z]{2}", code):
        return code
    return LANGUAGES.get(code) or LANGUAGES.get(label.replace(" ", ""))
