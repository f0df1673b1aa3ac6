"""BibTeX and BibLaTeX: one entry's fields read onto its Record (graph/importers/bibtex.py reads
the file and hands each entry's fields here, macros expanded and crossref parents inherited).

Holds _Values (an entry's fields as text, LaTeX decoded to Unicode by pylatexenc: a fast path for
values without commands, Unicode super- and subscripts for simple math) and the readers of entry
types, titles, names (BibTeX's rules, ORCID iDs), journals and series (ISSNs), pages, dates
(year/month/day, BibLaTeX dates, pubstate), DOIs and ISBNs, language, publisher, keywords and URLs.
Problems name the BibTeX field ('pages', 'doi'). Editors, address, edition, note and report
numbers have no Record field and are not read.
"""
from __future__ import annotations

import calendar
import re
from functools import lru_cache

from bibtexparser.middlewares.names import (InvalidNameError, parse_single_name_into_parts,
                                            split_multiple_persons_names)
from pylatexenc import latexwalker
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db
from pylatexenc.latexwalker import LatexWalker

from kgpub.graph.importers import fields
from kgpub.graph.importers.text import clean_doi, clean_issn
from kgpub.graph.record import BOOK_TYPES, WHOLE_PUBLICATION_TYPES, Event, Journal, Person, Record, Series, Status

FORMAT = "bibtex"  # the format column of source_types.tsv

_latex_context = get_default_latex_context_db()
_latex_context.add_context_category("kgpub-bibtex", prepend=True, macros=[
    MacroTextSpec("url", "%s"), MacroTextSpec("mbox", "%s"), MacroTextSpec("LaTeX", "LaTeX"),
    MacroTextSpec("TeX", "TeX"),
    # BibLaTeX's hyphenation commands: "Self\hyphen{}assembly" is "Self-assembly", not "Selfassembly"
    MacroTextSpec("hyphen", "-"), MacroTextSpec("nbhyphen", "\u2011"), MacroTextSpec("hyphenate", ""),
    MacroTextSpec("allowbreak", "")])
LATEX = LatexNodes2Text(latex_context=_latex_context, math_mode="text")
LATEX_PARSING = latexwalker.get_default_latex_context_db()
LATEX_COMMANDS = re.compile(r"[\\$]")  # what only pylatexenc can read
# What pylatexenc would make of a value without commands or math, done faster by hand.
LATEX_LIGATURES = (("{", ""), ("}", ""), ("---", "\u2014"), ("--", "\u2013"), ("``", "\u201c"),
                   ("''", "\u201d"), ("~", " "))
VERBATIM_FIELDS = {"url", "doi", "eprint", "file"}  # a % or _ there is a character, not LaTeX
LATEX_ESCAPE = re.compile(r"\\([_%&#$])")
MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_abbr) if name}
ISSN_CANDIDATE = re.compile(r"\b\d{4}-?\d{3}[\dXx]\b")
# pubstate (BibLaTeX) or a year that says the work is not out yet: the Record's status kind.
PUBSTATES = {"inpress": "in-press", "in press": "in-press", "forthcoming": "in-press",
             "accepted": "accepted", "submitted": "submitted", "prepublished": "early-online",
             "unpublished": "unpublished"}


class _Values:
    """One entry's fields (lower-case names, macros expanded) read as text, names or numbers."""

    def __init__(self, record: Record, entry_type: str):
        self.record, self.entry_type = record, entry_type
        self.raw: dict[str, str] = {}

    def text(self, *names: str) -> str | None:
        """The first of these fields present, LaTeX decoded, spacing folded; None if empty."""
        for name in names:
            if self.raw.get(name, "").strip():
                return self.decoded(name)
        return None

    def decoded(self, name: str) -> str | None:
        raw = self.raw[name]
        if name in VERBATIM_FIELDS:
            text = LATEX_ESCAPE.sub(r"\1", raw.replace("{", "").replace("}", ""))
        else:
            text = _decode_latex(raw, name, self.record)
        paragraphs = (" ".join(p.split()) for p in re.split(r"\n\s*\n", text))
        return "\n\n".join(p for p in paragraphs if p) or None

    def warn(self, name: str, message: str) -> None:
        self.record.add_problem(name, message, "warning")


MATH = re.compile(r"\$([^$]*)\$")
SCRIPT = re.compile(r"([_^])(?:\{([^{}]*)\}|([\w+\-]))")
SCRIPTS = {"^": dict(zip("0123456789+-=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ")),
           "_": dict(zip("0123456789+-=()aeoxhklmnpst", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₒₓₕₖₗₘₙₚₛₜ"))}


def _unicode_scripts(latex: str) -> str:
    """'Cu$_2$O', 'mm$^{2}$' → 'Cu$₂$O', 'mm$²$' where Unicode has every character in super- or
    subscript (as Zotero shows them); other math is left to pylatexenc."""
    def script(found: re.Match) -> str:
        table, text = SCRIPTS[found.group(1)], found.group(2) or found.group(3)
        return "".join(table[c] for c in text) if text and all(c in table for c in text) else found.group(0)
    return MATH.sub(lambda math: "$" + SCRIPT.sub(script, math.group(1)) + "$", latex)


@lru_cache(maxsize=8192)  # names and journal titles repeat across a bibliography
def _latex_to_text(latex: str) -> str:
    # latex_to_text(latex) would build pylatexenc's parsing context anew for every value.
    walker = LatexWalker(_unicode_scripts(latex), latex_context=LATEX_PARSING, tolerant_parsing=True)
    return LATEX.nodelist_to_text(walker.get_latex_nodes()[0])


def _decode_latex(raw: str, name: str, record: Record) -> str:
    if not LATEX_COMMANDS.search(raw):  # most values: pylatexenc is the slow part of reading a file
        for latex, text in LATEX_LIGATURES:
            raw = raw.replace(latex, text)
        return raw
    try:
        return _latex_to_text(raw)
    except Exception as err:  # pylatexenc is tolerant; this is the last resort
        record.add_problem(name, f"LaTeX could not be decoded ({err}); kept as written", "warning")
        return raw


def _read_fields(values: _Values) -> Record:
    record = values.record
    _read_type(values.entry_type, values, record)
    record.title = values.text("title")
    record.subtitle = values.text("subtitle")
    record.abstract = values.text("abstract")
    record.authors = _authors(values)
    _read_orcids(values, record.authors)
    _read_container(values, record)  # a @proceedings may have its title as booktitle
    if record.title is None:
        record.add_problem("title", "the entry has no title")
    _read_pages(values, record)
    _read_dates(values, record)
    _read_identifiers(values, record)
    _read_language(values, record)
    record.publisher = values.text("publisher")
    if record.publisher is None and record.type and record.type.startswith(("thesis/", "bookanthology/report")):
        record.publisher = values.text("school", "institution")  # who issues a thesis or report
    keywords = re.split(r"[,;]", values.text("keywords") or "")
    record.keywords = list(dict.fromkeys(k.strip() for k in keywords if k.strip()))
    record.urls = (values.text("url") or "").split()
    return record


def _read_type(entry_type: str, values: _Values, record: Record) -> None:
    record.type = fields.record_type(FORMAT, entry_type)
    if entry_type == "thesis":  # BibLaTeX's @thesis says which kind in its type field
        kind = re.sub(r"[^a-z]", "", (values.text("type") or "").lower())  # "Ph.D." → "phd"
        record.type = "thesis/doc" if "phd" in kind or "doct" in kind else \
            "thesis/master" if "master" in kind else record.type
    if record.type is None:
        values.warn("ENTRYTYPE", f"unknown entry type @{entry_type}: imported as {fields.OTHER_TYPE}")
        record.type = fields.OTHER_TYPE


def _authors(values: _Values) -> list[Person]:
    authors = []
    for raw_name in split_multiple_persons_names(values.raw.get("author", "")):
        if raw_name.strip().lower() in fields.OTHERS:
            continue
        person = _person(raw_name.strip(), values.record)
        if person is not None:
            authors.append(person)
    return authors


def _person(raw_name: str, record: Record) -> Person | None:
    """'Last, First', 'First von Last', 'Last, Jr., First' by BibTeX's rules; '{Corporate Name}'
    kept whole as a name."""
    if _one_brace_group(raw_name):
        return Person(name=" ".join(_decode_latex(raw_name[1:-1], "author", record).split()))
    try:
        parts = parse_single_name_into_parts(raw_name)
    except InvalidNameError as err:
        record.add_problem("author", f"{err.reason} in the name {raw_name!r}; read as written", "warning")
        return fields.person(_decode_latex(raw_name, "author", record), record)
    given = " ".join(parts.first + [f", {jr}" for jr in parts.jr]).replace(" ,", ",")
    family = " ".join(parts.von + parts.last)
    decode = lambda text: " ".join(_decode_latex(text, "author", record).split()) or None  # noqa: E731
    return Person(given_name=decode(given), family_name=decode(family))


def _one_brace_group(text: str) -> bool:
    if not (text.startswith("{") and text.endswith("}")):
        return False
    depth = 0
    for index, char in enumerate(text):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0 and index < len(text) - 1:
            return False
    return True


def _read_orcids(values: _Values, authors: list[Person]) -> None:
    """ORCID iDs as BibLaTeX annotations (author+an:orcid = {1=…; 3=…}), Web of Science's
    ORCID-Numbers ({Family, Given/iD; …}) or a plain orcid field (one iD per author, in order)."""
    annotated = re.findall(r"(\d+)\s*=\s*\"?([^\";]+)", values.raw.get("author+an:orcid", ""))
    by_family = re.findall(r"([^;/,]+),?[^;/]*/\s*([^;\s]+)", values.raw.get("orcid-numbers", ""))
    plain = re.split(r"[\s,;]+(?:and\s+)?", values.raw.get("orcid", "").strip())
    pairs = [(int(index) - 1, iD) for index, iD in annotated]
    for family, iD in by_family:
        pairs += [(n, iD) for n, a in enumerate(authors) if a.family_name == family.strip(" {}")]
    if plain != [""]:
        if len(plain) == len(authors):
            pairs += list(enumerate(plain))
        else:
            values.warn("orcid", f"{len(plain)} ORCID iDs for {len(authors)} authors: which is whose is unknown")
    for index, iD in pairs:
        if 0 <= index < len(authors) and fields.orcid(iD):
            authors[index].orcid = fields.orcid(iD)
        else:
            values.warn("orcid", f"{iD.strip()!r} is not an ORCID iD of one of the authors")


def _read_container(values: _Values, record: Record) -> None:
    kind = record.type or ""
    journal_title = values.text("journal", "journaltitle")
    if kind.startswith(BOOK_TYPES) and journal_title:
        _drop_container(values, record, "journal", journal_title, "is in no journal")
        journal_title = None
    issns = [clean_issn(c) for c in ISSN_CANDIDATE.findall(values.raw.get("issn", ""))]
    eissns = [clean_issn(c) for c in ISSN_CANDIDATE.findall(values.raw.get("eissn", ""))]
    isbn = values.raw.get("isbn", "")
    if ISSN_CANDIDATE.fullmatch(isbn.strip()) and not fields.isbns(isbn):  # Mendeley does this
        values.warn("isbn", f"{isbn.strip()!r} is an ISSN, not an ISBN: read as the ISSN")
        eissns.append(clean_issn(isbn.strip()))
    issns = [i for i in dict.fromkeys(issns + eissns) if i]
    if values.text("issn") and not issns:
        values.warn("issn", f"{values.text('issn')!r} is not an ISSN")
    series_title = values.text("series")
    number = values.text("number")
    if journal_title:
        record.journal = Journal(title=journal_title, issn=issns[0] if issns else None,
                                 eissn=issns[1] if len(issns) > 1 else None)
        record.issue = values.text("issue") or number
    elif series_title:
        record.series = [Series(series_title, issns=issns, volume=number)]
    elif issns:
        values.warn("issn", "the entry has no journal or series the ISSN could belong to: not kept")
    record.volume = values.text("volume")
    record.host_title = values.text("booktitle")
    if kind.startswith(WHOLE_PUBLICATION_TYPES) and record.host_title:
        _drop_container(values, record, "booktitle", record.host_title, "is part of no book")
        record.host_title = None
    if values.text("eventtitle"):
        start, end = _date_range(values, "eventdate")
        record.event = Event(values.text("eventtitle"), place=values.text("venue"), start=start, end=end)


def _drop_container(values: _Values, record: Record, field: str, title: str, why: str) -> None:
    """A book or thesis is part of no book, and a book is in no journal: Zotero writes a book's
    title again as its booktitle (BBT #3328), Mendeley as its journal, and a @proceedings may have
    only a booktitle, which is then its title. Anything else there is warned and not kept."""
    if record.title is None:
        record.title = title
    elif title.casefold() != record.title.casefold():
        values.warn(field, f"a @{values.entry_type} {why}: its {field} is not kept")


def _read_pages(values: _Values, record: Record) -> None:
    pages = values.text("pages")
    if pages:
        # 'pp. 12-15'; '123--' (123 and following); '431--456, 791--823' (the first range is kept)
        first_range, *more = re.sub(r"^pp?\.\s*", "", pages).split(",")
        found = fields.page_range(first_range.rstrip("-\u2013\u2014 "))
        if found:
            record.start_page, record.end_page = found
        if found and more:
            values.warn("pages", f"{pages!r} holds several ranges: only the first is kept")
        elif not found:
            values.warn("pages", f"{pages!r} is not a page or page range")
    record.article_number = values.text("eid", "articleno", "article-number")
    count = values.text("pagetotal", "numpages")
    if count and count.isdigit() and int(count) > 0:
        record.page_count = int(count)
    elif count:
        values.warn("pagetotal" if "pagetotal" in values.raw else "numpages", f"{count!r} is not a page count")


def _read_dates(values: _Values, record: Record) -> None:
    """date (BibLaTeX, ISO 8601, a range's start) or year/month/day; pubstate or a year 'in press'
    says the status, else a date means published."""
    year = values.text("year") or ""
    kind = PUBSTATES.get((values.text("pubstate") or year).lower().replace("-", " ").strip(), "published")
    if "date" in values.raw:
        date = _date_range(values, "date")[0]
    elif re.match(r"\d{4}(?!\d)", year):  # '1985a' tells two 1985 works apart
        date = _date_of_year_month_day(values, int(year[:4]))
    else:
        if year and year.lower().replace("-", " ") not in PUBSTATES:
            values.warn("year", f"{year!r} is not a year")
        date = None
    if date or kind != "published":
        record.statuses.append(Status(kind, date))


def _date_of_year_month_day(values: _Values, year: int):
    month_text = (values.text("month") or "").lower()
    found = re.match(r"(\d{1,2})\b|([a-z]{3})", month_text)
    month = None
    if found:
        month = int(found.group(1)) if found.group(1) else MONTHS.get(found.group(2))
    if month_text and not (month and 1 <= month <= 12):
        values.warn("month", f"{values.text('month')!r} is not a month; the date is kept to the year")
        return fields.date_of_parts(year)
    day = values.text("day")
    date = fields.date_of_parts(year, month, day)
    if date is None:
        values.warn("day", f"{day!r} is not a day of that month; the date is kept to the month")
        return fields.date_of_parts(year, month)
    return date


def _date_range(values: _Values, name: str):
    """A BibLaTeX date or range ('2020-03', '2020-03-01/2020-03-05', '2020/') as (start, end)."""
    text = values.text(name) or ""
    start, _, end = text.partition("/")
    dates = (fields.iso_date(start), fields.iso_date(end) if end.strip() else None)
    if dates[0] is None:
        values.warn(name, f"{text!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    return dates


def _read_identifiers(values: _Values, record: Record) -> None:
    doi = values.text("doi")
    if doi:
        record.doi = clean_doi(doi)
        if record.doi is None:
            values.warn("doi", f"{doi!r} is not a DOI")
    isbn = values.text("isbn")
    if isbn:
        record.isbn_print = fields.isbns(isbn)
        if not record.isbn_print and not ISSN_CANDIDATE.fullmatch(isbn):
            values.warn("isbn", f"{isbn!r} holds no valid ISBN")


def _read_language(values: _Values, record: Record) -> None:
    label = values.text("langid", "language")
    if label:
        record.language_label = label
        record.language = fields.language_code(label)
        if record.language is None:
            values.warn("langid" if "langid" in values.raw else "language",
                        f"the language {label!r} is not one the importer knows an ISO 639-1 code for")
