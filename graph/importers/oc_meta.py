"""OpenCitations Meta CSV (the layout of its bulk dumps and of its input files) → Record.

One row per work, columns `id, title, author, pub_date, venue, volume, issue, page, type,
publisher, editor`. Several values in a cell are told apart by OC Meta's own conventions:
identifiers are `scheme:value` separated by spaces (`doi:10.1/x isbn:978…`), people are separated
by `; ` and written `Family, Given [orcid:… viaf:…]`, and a venue or publisher carries its
identifiers in brackets (`Journal of X [issn:0021-9991]`, `Elsevier BV [crossref:78]`).

The file is read row by row with `csv` (constant memory, a 2 GB dump is fine); a row knows the
line it starts on, and a byte that is not UTF-8 is a problem of the row it is in. Problems name
the CSV column. Editors are not read: the Record has no field for them.
"""
from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from kgpub.graph.importers import fields, isolated
from kgpub.graph.importers.text import clean_doi, clean_issn
from kgpub.graph.record import Journal, Person, Problem, Record, SourceRef, Status, UnreadableRecord

FORMAT = "oc-meta"
COLUMNS = ("id", "title", "author", "pub_date", "venue", "volume", "issue", "page", "type", "publisher", "editor")
REQUIRED_COLUMNS = ("id", "title")
WITH_IDENTIFIERS = re.compile(r"(?s)(.*?)\s*\[([^\]]*)\]\s*")  # 'Name [issn:1 isbn:2]'
PEOPLE_SEPARATOR = re.compile(r";\s*")
csv.field_size_limit(64 * 1024 * 1024)  # an abstract-free row is small; a broken quote runs long


def read(stream: BinaryIO, source: str) -> Iterator[Record | UnreadableRecord]:
    """One Record or UnreadableRecord per row of the OC Meta CSV in the stream."""
    lines = _DecodedLines(stream)
    rows = csv.reader(lines)
    header = next(rows, None)
    file_ref = SourceRef(source, line=1, format=FORMAT)
    if header is None:
        yield UnreadableRecord(file_ref, [Problem("file", "the file is empty")])
        return
    columns = [name.strip().lstrip("\ufeff").lower() for name in header]
    if missing := [name for name in REQUIRED_COLUMNS if name not in columns]:
        message = (f"not an OpenCitations Meta CSV: the header has no {', '.join(missing)} column "
                   f"(expected {','.join(COLUMNS)})")
        yield UnreadableRecord(file_ref, [Problem("header", message)])
        return
    first_line = rows.line_num + 1
    while True:
        ref = SourceRef(source, line=first_line, format=FORMAT)
        try:
            cells = next(rows)
        except StopIteration:
            return
        except csv.Error as err:  # a row csv cannot read costs that row; the next one is read
            first_line = rows.line_num + 1
            yield UnreadableRecord(ref, [Problem("row", f"this row is not valid CSV: {err}")])
            continue
        problems = lines.problems_since(first_line)
        first_line = rows.line_num + 1
        if not any(cell.strip() for cell in cells):
            continue
        row = dict(zip(columns, (cell.strip() for cell in cells)))
        if len(cells) != len(columns):
            problems.append(Problem("row", f"{len(cells)} cells where the header has {len(columns)}: "
                                           "the cells were read in the header's order", "warning"))
        yield isolated(ref, _record_of_row, row, ref, problems)


class _DecodedLines:
    """The file's lines as text for `csv`, remembering which lines held bytes that are not UTF-8."""

    def __init__(self, stream: Iterable[bytes]):
        self._stream = iter(stream)
        self._number = 0
        self._bad: dict[int, Problem] = {}

    def __iter__(self):
        return self

    def __next__(self) -> str:
        raw = next(self._stream)
        self._number += 1
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            self._bad[self._number] = Problem("encoding", f"not UTF-8: byte 0x{raw[err.start]:02x} at line "
                                                          f"{self._number}, column {err.start + 1} cannot be decoded")
            text = raw.decode("utf-8", errors="replace")
        # Lines end at \n; a carriage return inside one (pasted text, an old Mac file) would end
        # the row for csv in the middle of a cell. It reads as a space.
        body = text.rstrip("\r\n")
        return body.replace("\r", " ") + text[len(body):]

    def problems_since(self, line: int) -> list[Problem]:
        """The encoding problems of lines from `line` on (the row just read), forgotten once told."""
        told = [number for number in self._bad if number >= line]
        return [self._bad.pop(number) for number in told]


def _record_of_row(row: dict[str, str], ref: SourceRef, problems: list[Problem]) -> Record:
    record = Record(source=ref, problems=problems)
    for read_part in READ_PARTS:
        read_part(row, record)
    return record


def _split_identifiers(text: str) -> list[tuple[str, str]]:
    """'doi:10.1/x isbn:978…' -> [('doi', '10.1/x'), ('isbn', '978…')]."""
    pairs = []
    for token in text.split():
        scheme, colon, value = token.partition(":")
        if colon and value:
            pairs.append((scheme.lower(), value))
    return pairs


def _name_and_identifiers(text: str) -> tuple[str, list[tuple[str, str]]]:
    """'Journal of X [issn:0021-9991]' -> ('Journal of X', [('issn', '0021-9991')])."""
    found = WITH_IDENTIFIERS.fullmatch(text)
    if not found:
        return text.strip(), []
    return found.group(1).strip(), _split_identifiers(found.group(2))


def _values(pairs: list[tuple[str, str]], scheme: str) -> list[str]:
    return [value for name, value in pairs if name == scheme]


# --- the columns ---------------------------------------------------------------------------------

def _read_type_and_title(row: dict[str, str], record: Record) -> None:
    source_type = row.get("type", "")
    record.type = fields.record_type(FORMAT, source_type)
    if record.type is None:
        found = f"unknown OpenCitations Meta type {source_type!r}" if source_type else "missing"
        record.add_problem("type", f"{found}: read as {fields.OTHER_TYPE}", "warning")
        record.type = fields.OTHER_TYPE
    record.title = row.get("title") or None
    if record.title is None:
        record.add_problem("title", "missing: a record needs a title")


def _read_identifiers(row: dict[str, str], record: Record) -> None:
    pairs = _split_identifiers(row.get("id", ""))
    dois = fields.unique([doi for value in _values(pairs, "doi") if (doi := clean_doi(value))])
    bad = [value for value in _values(pairs, "doi") if clean_doi(value) is None]
    if bad:
        record.add_problem("id", f"{bad[0]!r} is not a DOI", "warning")
    if dois:
        record.doi = dois[0]
    if len(dois) > 1:
        record.add_problem("id", f"{len(dois)} DOIs ({', '.join(dois)}): the first is the record's", "warning")
    record.isbn_print = fields.unique([isbn for value in _values(pairs, "isbn") for isbn in fields.isbns(value)])


def _read_authors(row: dict[str, str], record: Record) -> None:
    for number, text in enumerate(PEOPLE_SEPARATOR.split(row.get("author", "")), start=1):
        if not text.strip():
            continue
        name, pairs = _name_and_identifiers(text)
        person = fields.person(name, record) or Person(name=name)
        orcids = _values(pairs, "orcid")
        if orcids:
            person.orcid = fields.orcid(orcids[0])
            if person.orcid is None:
                record.add_problem("author", f"author {number}: {orcids[0]!r} is not an ORCID iD", "warning")
        record.authors.append(person)


def _read_venue(row: dict[str, str], record: Record) -> None:
    """A journal with its ISSNs, or the book or proceedings a part is in (whose ISBNs it carries)."""
    title, pairs = _name_and_identifiers(row.get("venue", ""))
    issns = fields.unique([issn for value in _values(pairs, "issn") if (issn := clean_issn(value))])
    if fields.is_journal_type(record):
        journal = Journal(title=title or None, issn=next(iter(issns), None), eissn=next(iter(issns[1:]), None))
        record.journal = journal if journal != Journal() else None
    elif fields.is_part_type(record):
        record.host_title = title or None
        venue_isbns = [isbn for value in _values(pairs, "isbn") for isbn in fields.isbns(value)]
        record.isbn_print = fields.unique(record.isbn_print + venue_isbns)
    record.volume, record.issue = row.get("volume") or None, row.get("issue") or None


def _read_pages(row: dict[str, str], record: Record) -> None:
    text = row.get("page", "")
    if not text:
        return
    pages = fields.page_range(text)
    if pages is None:
        record.add_problem("page", f"{text!r} is not a page or a page range", "warning")
        return
    record.start_page, record.end_page = pages


def _read_date_and_publisher(row: dict[str, str], record: Record) -> None:
    if text := row.get("pub_date"):
        date = fields.iso_date(text)
        if date is None:
            record.add_problem("pub_date", f"{text!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)", "warning")
        else:
            record.statuses.append(Status("published", date))
    record.publisher = _name_and_identifiers(row.get("publisher", ""))[0] or None


READ_PARTS = (_read_type_and_title, _read_identifiers, _read_authors, _read_venue, _read_pages,
              _read_date_and_publisher)
