"""RIS (RefMan, EndNote, Zotero, Pure exports) and Web of Science tagged files → Record.

rispy parses the tags. This module cuts the file into records first, from a `TY  -` line (WoS:
`PT`) to its `ER` line, and gives rispy one record's lines at a time: a file of any size is read
in constant memory, each record knows the line it starts on (rispy keeps no line numbers), and a
record without `ER` costs only itself. Tag lines are read leniently ("TY -  BOOK", "ER  -"), a
BOM or a byte that is not UTF-8 is a problem of the one record it is in, and text between
records ("Record #1 of 2", "1.") is ignored. Problems name the RIS tag ("SP", "PY").
"""
from __future__ import annotations

import calendar
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO, Callable

from rispy import RisParser, WokParser
from rispy.config import TAG_KEY_MAPPING, WOK_TAG_KEY_MAPPING

from kgpub.graph.importers import fields, isolated
from kgpub.graph.importers.text import clean_doi, clean_issn, looks_binary
from kgpub.graph.record import (CitationCount, Journal, PartialDate, Person, Problem, Record, Series,
                                 Severity, SourceRef, Status, UnreadableRecord)

FORMAT = "ris"
UNKNOWN = "UK"  # rispy's key for the tags its mapping does not know
# Tags rispy does not list that exporters write: VO (volume, EndNote), BT (book title, old RIS).
EXTRA_RIS_TAGS = ("VO", "BT")
ISSN_OR_ISBN = re.compile(r"[\dXx][\dXx\- ]{6,20}[\dXx]")
MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_abbr) if name}
END_LINE = "ER  - "  # what both of rispy's parsers read as the end of a record
TEXT_SEPARATOR = re.compile(r"\s*;\s*")
FAMILY_INITIALS = re.compile(r"(\S.*?)\s+((?:[A-Z]\.?\s?){1,3})")


@dataclass(frozen=True)
class Dialect:
    """RIS proper, or Web of Science's variant: how a tag line looks, which tags open and close a
    record, the rispy parser that reads it, and the function that maps its tags onto a Record."""

    name: str
    tag_line: re.Pattern
    start: str
    end: str
    between_records: frozenset[str]  # tags that may stand outside a record
    parser: RisParser
    read: Callable[[_Tags, Record], None]

    def canonical(self, line: str, found: re.Match | None) -> str:
        # rispy wants "TY  - value" exactly; WoS lines are already what WokParser reads.
        if self is RIS and found:
            return f"{found.group(1)}  - {found.group(2) or ''}"
        return line


@dataclass
class _Chunk:
    """One record's lines, as cut from the file, with the problems found while cutting."""

    first_line: int
    lines: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def read(stream: BinaryIO, source: str) -> Iterator[Record | UnreadableRecord]:
    """One Record or UnreadableRecord per RIS record in the stream."""
    head = stream.read(8192) + stream.readline()  # to the end of a line
    file_ref = SourceRef(source, format=FORMAT)
    if not head.strip():
        yield UnreadableRecord(file_ref, [Problem("file", "the file is empty")])
        return
    if looks_binary(head):
        yield UnreadableRecord(file_ref, [Problem("file", "the file is binary, not text")])
        return
    dialect = _dialect(head)
    found_any = False
    lines = _decoded_lines(itertools.chain(head.splitlines(keepends=True), stream))
    for chunk in _chunks(lines, dialect, source):
        found_any = True
        if isinstance(chunk, UnreadableRecord):
            yield chunk
        else:
            yield isolated(SourceRef(source, line=chunk.first_line, format=FORMAT), _record_of_chunk, chunk, dialect,
                           source)
    if not found_any:
        message = f"no {dialect.name} record found: a record starts with a line '{dialect.start}  - …'"
        yield UnreadableRecord(file_ref, [Problem("file", message)])


def _dialect(head: bytes) -> Dialect:
    first = next((line for line in head.lstrip(b"\xef\xbb\xbf").splitlines() if line.strip()), b"")
    return WOS if re.match(rb"(FN|VR|PT) ", first) else RIS


def _decoded_lines(raw_lines: Iterable[bytes]) -> Iterator[tuple[int, str, Problem | None]]:
    for number, raw in enumerate(raw_lines, start=1):
        try:
            text, problem = raw.decode("utf-8"), None
        except UnicodeDecodeError as err:
            text = raw.decode("utf-8", errors="replace")
            problem = Problem("encoding", f"not UTF-8: byte 0x{raw[err.start]:02x} at line {number}, "
                                          f"column {err.start + 1} cannot be decoded")
        yield number, text.rstrip("\r\n").lstrip("\ufeff"), problem


def _chunks(lines: Iterable[tuple[int, str, Problem | None]], dialect: Dialect, source: str
            ) -> Iterator[_Chunk | UnreadableRecord]:
    chunk: _Chunk | None = None
    stray = False  # inside a run of tag lines outside any record, already reported
    end = f"'{dialect.end}'"
    for number, line, problem in lines:
        found = dialect.tag_line.match(line)
        tag = found.group(1) if found else None
        if tag == dialect.start:
            if chunk is not None:
                chunk.problems.append(Problem(dialect.end, f"the record has no {end} line: it was read up "
                                                           f"to the next record, at line {number}", "warning"))
                chunk.lines.append(END_LINE)
                yield chunk
            chunk, stray = _Chunk(number), False
        elif chunk is None:
            if tag and tag not in dialect.between_records and not stray:
                message = (f"line {number} ({line[:40]!r}) is outside any record: a record starts with "
                           f"a line '{dialect.start}  - …'")
                yield UnreadableRecord(SourceRef(source, line=number, format=FORMAT), [Problem(tag, message)])
                stray = True
            continue
        if not line.strip():
            continue
        chunk.lines.append(dialect.canonical(line, found))
        if problem is not None:
            chunk.problems.append(problem)
        if tag == dialect.end:
            yield chunk
            chunk = None
    if chunk is not None:
        chunk.problems.append(Problem(dialect.end, f"the file ends inside this record (no {end} line): "
                                                   "it may have been cut off"))
        chunk.lines.append(END_LINE)
        yield chunk


def _record_of_chunk(chunk: _Chunk, dialect: Dialect, source: str) -> Record:
    record = Record(source=SourceRef(source, line=chunk.first_line, format=FORMAT), problems=chunk.problems)
    try:
        [values] = dialect.parser.parse_lines(iter(chunk.lines))
    except Exception as err:  # rispy's own failure must cost this record, not the file
        record.add_problem("record", f"rispy could not read this record: {err!r}")
        return record
    tags = _Tags(values, record)
    dialect.read(tags, record)
    if record.journal == Journal():  # an article whose journal the record does not name
        record.journal = None
    if record.title is None:
        record.add_problem("TI", "missing: a record needs a title")
    if unknown := sorted(str(tag) for tag in values.get(UNKNOWN, {}) if tag):
        record.add_problem(", ".join(unknown), f"tags the {dialect.name} importer does not know; ignored", "warning")
    return record


class _Tags:
    """One record's tags as rispy read them (every tag a list of its lines), and its problems."""

    def __init__(self, values: dict, record: Record):
        self.values, self.record = values, record

    def lines(self, *tags: str) -> list[str]:
        found = []
        for tag in tags:
            value = self.values.get(tag) or []
            found += [line.strip() for line in ([value] if isinstance(value, str) else value) if line.strip()]
        return found

    def text(self, *tags: str) -> str | None:
        """The first of the tags present, its lines joined (a value may run over several lines)."""
        return next((" ".join(lines) for tag in tags if (lines := self.lines(tag))), None)

    def tag_of(self, *tags: str) -> str:
        return next((tag for tag in tags if self.lines(tag)), tags[0])

    def problem(self, tag: str, message: str, severity: Severity = "warning") -> None:
        self.record.add_problem(tag, message, severity)


# --- readers both dialects share ------------------------------------------------------------

def _read_type(tags: _Tags, record: Record, source_type: str | None, tag: str) -> None:
    record.type = fields.record_type("ris", source_type or "")
    if record.type is None:
        found = f"unknown type {source_type!r}" if source_type else "missing"
        tags.problem(tag, f"{found}: read as {fields.OTHER_TYPE}")
        record.type = fields.OTHER_TYPE


def _people(tags: _Tags, record: Record, *name_tags: str) -> list[Person]:
    return [person for name in tags.lines(*name_tags) if (person := fields.person(name, record, name_tags[0]))]


def _ris_person(name: str, record: Record) -> Person | None:
    """RIS writes 'Family, Given'; Embase and PubMed exports write 'Family Initials' ('Fanning E.',
    'Smith JA') without the comma, which fields.person would read as given name 'Fanning'."""
    if "," not in name and (found := FAMILY_INITIALS.fullmatch(name.strip())):
        return Person(given_name=found.group(2), family_name=found.group(1))
    return fields.person(name, record, "AU")


def _read_pages(tags: _Tags, record: Record, start_tag: str, end_tag: str) -> None:
    if (start := tags.text(start_tag)) is not None:
        if (found := fields.page_range(start)) is None:
            tags.problem(start_tag, f"{start!r} is neither a page nor a range of pages like 25-28")
        else:
            record.start_page, record.end_page = found
    if record.start_page and (end := tags.text(end_tag)):
        record.end_page = end


def _read_identifiers(tags: _Tags, record: Record, doi_tag: str, number_tags: tuple[str, ...]) -> None:
    """The DOI; ISSNs and ISBNs, which RIS shares one tag for (SN): told apart by their form."""
    if (raw := tags.text(doi_tag)) is not None:
        record.doi = clean_doi(raw)
        if record.doi is None:
            tags.problem(doi_tag, f"{raw!r} is not a DOI", "error")
    issns: list[tuple[str, bool]] = []  # (ISSN, marked electronic)
    for tag in number_tags:
        for text in tags.lines(tag):
            if isbns := fields.isbns(text):
                record.isbn_print += [isbn for isbn in isbns if isbn not in record.isbn_print]
            elif found := [clean_issn(m) for m in ISSN_OR_ISBN.findall(text) if clean_issn(m)]:
                issns += [(issn, tag == "EI" or "electronic" in text.lower()) for issn in found]
            else:
                tags.problem(tag, f"{text!r} is neither an ISSN nor an ISBN")
    if record.journal is not None:
        record.journal.issn = next((issn for issn, electronic in issns if not electronic), None)
        record.journal.eissn = next((issn for issn, electronic in issns if electronic), None)
    elif record.series:
        record.series[0].issns = [issn for issn, _ in issns]


def _read_language(tags: _Tags, record: Record, tag: str) -> None:
    if (label := tags.text(tag)) is None:
        return
    record.language = fields.language_code(label)
    if record.language is None:
        tags.problem(tag, f"the language {label!r} is not one the importer knows an ISO 639-1 code for")
    elif label.lower() != record.language:
        record.language_label = label


def _keywords(tags: _Tags, *keyword_tags: str) -> list[str]:
    words = [word for line in tags.lines(*keyword_tags) for word in TEXT_SEPARATOR.split(line) if word]
    return list(dict.fromkeys(words))


# --- RIS ------------------------------------------------------------------------------------

def _read_ris(tags: _Tags, record: Record) -> None:
    _read_type(tags, record, tags.text("TY"), "TY")
    # RIS has one type for theses; Pure says which kind in M3 ("Phd Thesis 1 (Research TU/e …)").
    kind = (tags.text("M3") or "").lower()
    if record.type == "thesis/other" and ("phd" in kind or "doctor" in kind):
        record.type = "thesis/doc"
    elif record.type == "thesis/other" and "master" in kind:
        record.type = "thesis/master"
    # BT is a book's own title, or (of a chapter) the title of the book it is in.
    record.title = tags.text("TI", "T1") or (None if fields.is_part_type(record) else tags.text("BT"))
    if record.title is None and (short := tags.text("ST")):
        record.title = short
        tags.problem("ST", "no title (TI, T1): the short title is read as the title")
    record.abstract = tags.text("AB", "N2")
    record.authors = [person for name in tags.lines("AU", "A1") if (person := _ris_person(name, record))]
    _read_ris_container(tags, record)
    record.volume, record.issue = tags.text("VL", "VO"), tags.text("IS")
    _read_pages(tags, record, "SP", "EP")
    _read_ris_date(tags, record)
    _read_identifiers(tags, record, "DO", ("SN",))
    record.publisher = tags.text("PB")
    _read_language(tags, record, "LA")
    record.keywords = _keywords(tags, "KW")
    record.urls = list(dict.fromkeys(tags.lines("UR")))


def _read_ris_container(tags: _Tags, record: Record) -> None:
    """T2 is the journal of an article and the book or proceedings of a chapter or paper. A whole
    book or report has none: its T2 is its series (Zotero), a thesis's is its subtitle (Pure)."""
    if fields.is_journal_type(record):
        record.journal = Journal(title=tags.text("JF", "T2", "JO", "JA", "J2"))
    elif fields.is_part_type(record):
        record.host_title = tags.text("T2", "BT")
    elif (secondary := tags.text("T2")) and record.type.startswith("thesis/"):
        record.subtitle = secondary
    elif secondary:
        record.series.append(Series(secondary))
    if series := tags.text("T3"):
        record.series.append(Series(series))


def _read_ris_date(tags: _Tags, record: Record) -> None:
    """PY, Y1 and DA ("2020/03/09/", "1948/07//", "2014"): the most precise one that reads."""
    dates = []
    for tag in ("PY", "Y1", "DA"):
        if (text := tags.text(tag)) is None:
            continue
        if (date := fields.iso_date(text)) is None:
            tags.problem(tag, f"{text!r} is not a date like 2020/03/09")
        else:
            dates.append(date)
    if dates:
        precision = lambda d: (d.month is not None) + (d.day is not None)  # noqa: E731
        record.statuses.append(Status("published", max(dates, key=precision)))


# --- Web of Science -------------------------------------------------------------------------

def _read_wos(tags: _Tags, record: Record) -> None:
    document_type = next(iter(TEXT_SEPARATOR.split(tags.text("DT") or "")), "")
    source_type = f"wos:{document_type or tags.text('PT') or ''}"
    _read_type(tags, record, source_type if source_type != "wos:" else None, tags.tag_of("DT", "PT"))
    record.title = tags.text("TI")
    record.abstract = tags.text("AB")
    record.authors = _people(tags, record, "AF" if tags.lines("AF") else "AU")
    record.authors += [Person(name=name) for name in tags.lines("CA")]  # group authors
    _read_wos_orcids(tags, record)
    if fields.is_journal_type(record):
        record.journal = Journal(title=tags.text("SO"))
    elif fields.is_part_type(record):
        record.host_title = tags.text("SO")
    if series := tags.text("SE"):
        record.series.append(Series(series))
    record.volume, record.issue = tags.text("VL"), tags.text("IS")
    _read_pages(tags, record, "BP", "EP")
    record.article_number = tags.text("AR")
    if (count := tags.text("PG")) and count.isdigit() and int(count) > 0:
        record.page_count = int(count)
    _read_wos_dates(tags, record)
    _read_identifiers(tags, record, "DI", ("SN", "EI", "BN"))
    record.publisher = tags.text("PU")
    _read_language(tags, record, "LA")
    # DE are the authors' keywords; ID ("Keywords Plus") are WoS's terms from the cited titles.
    record.keywords = _keywords(tags, "DE")
    if (cited := tags.text("TC")) and cited.isdigit():
        harvested = fields.iso_date(tags.text("DA") or "")  # the date WoS generated the file
        record.citations.append(CitationCount("Web of Science", int(cited), harvested))


def _read_wos_orcids(tags: _Tags, record: Record) -> None:
    """OI: 'Family, Given/0000-0002-…; …', matched to the authors by their full name."""
    by_name = {}
    for entry in _keywords(tags, "OI"):
        name, _, raw = entry.rpartition("/")
        if orcid := fields.orcid(raw):
            by_name[" ".join(name.split()).lower()] = orcid
    for author, name in zip(record.authors, tags.lines("AF" if tags.lines("AF") else "AU")):
        author.orcid = by_name.get(" ".join(name.split()).lower())


def _read_wos_dates(tags: _Tags, record: Record) -> None:
    """PY (the year) with PD ("JUN 8", "JUN", "SPR"); EA is the early-access date ("JAN 2021")."""
    year = tags.text("PY")
    if year is not None:
        date = _wos_date(year, tags.text("PD") or "")
        if date is None:
            tags.problem("PY", f"{year!r} with PD {tags.text('PD')!r} is not a date")
        else:
            record.statuses.append(Status("published", date))
    if (early := tags.text("EA")) is not None:
        words = early.split()
        date = _wos_date(words[-1], " ".join(words[:-1])) if words else None
        if date is None:
            tags.problem("EA", f"{early!r} is not a date like 'JAN 2021'")
        else:
            record.statuses.append(Status("early-online", date))


def _wos_date(year: str, month_day: str) -> PartialDate | None:
    words = month_day.split()
    month = MONTHS.get(words[0][:3].lower()) if words else None  # a season ("SPR") keeps the year only
    day = words[1] if month and len(words) > 1 and words[1].isdigit() else None
    return fields.date_of_parts(year, month, day)


def _parser(parser_class: type[RisParser], tags: Iterable[str], **options) -> RisParser:
    # Every tag a list (so repeated tags are all kept, and continuation lines too), keyed by the
    # tag itself: problems name the tag the librarian sees in the file.
    known = [tag for tag in tags if tag not in ("ER", UNKNOWN)]
    return parser_class(mapping={tag: tag for tag in known} | {UNKNOWN: UNKNOWN}, list_tags=known, **options)


RIS = Dialect("RIS", re.compile(r"([A-Z][A-Z0-9]) {1,2}-(?: (.*))?$"), "TY", "ER", frozenset({"ER"}),
              _parser(RisParser, [*TAG_KEY_MAPPING, *EXTRA_RIS_TAGS]), _read_ris)
WOS = Dialect("Web of Science", re.compile(r"([A-Z][A-Z0-9])(?: (.*))?$"), "PT", "ER",
              frozenset({"FN", "VR", "EF", "ER"}), _parser(WokParser, WOK_TAG_KEY_MAPPING), _read_wos)
