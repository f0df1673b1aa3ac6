"""BibTeX and BibLaTeX → Record: reading the file.

bibtexparser (v2) splits the text into blocks; this module streams the file to it, resolves
`@string` macros, `#` concatenation and `crossref` parents, and hands each entry's fields to
graph/importers/bibtex_fields.py, which reads them onto the Record (LaTeX decoded to Unicode by
pylatexenc). Problems name the BibTeX field ('pages', 'doi'); the SourceRef names the line the
entry starts on.

Decisions a librarian should know:
- Streaming: the file is read line by line and parsed in chunks of CHUNK_ENTRIES entries, cut at
  lines that start a block (`@type{`), where bibtexparser itself ends an unclosed entry. `@string`
  macros are kept across chunks, so a 50 MB file never sits in memory as one parsed library.
- Encoding: each line is UTF-8, or else read as Latin-1 with a warning naming the file and line.
- Duplicate keys: the second entry is imported too, as its own record, with a warning naming the
  line of the first: the two may be different works, and dropping one would lose data silently.
  A field given twice in one entry: the first is used (as BibTeX does), with a warning.
- `@string` macros and `#` concatenation are resolved here (bibtexparser resolves whole-value
  macros only); the month macros jan..dec are predefined. `@comment`/`@preamble` are ignored.
- `crossref`: a child takes the fields it lacks from its parent (not NOT_INHERITED), whether the
  parent comes before it (among the last RECENT_ENTRIES) or after it; `xdata` is not resolved.
"""
from __future__ import annotations

import calendar
import codecs
import itertools
import logging
import re
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

import bibtexparser
from bibtexparser.model import (DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, Entry, ExplicitComment,
                                ParsingFailedBlock, Preamble, String)

from kgpub.graph.importers import failed_record, isolated
from kgpub.graph.importers.bibtex_fields import FORMAT, MONTHS, _read_fields, _Values
from kgpub.graph.importers.text import empty_or_binary
from kgpub.graph.record import Problem, Record, SourceRef, UnreadableRecord

CHUNK_ENTRIES = 200
# BibLaTeX's field containers (`xdata = key`) and entry sets: parts of other entries, not works.
NOT_WORKS = {"xdata", "set"}
RECENT_ENTRIES = 1000  # entries kept as possible crossref parents of later entries
MAX_WAITING = 10000  # children kept waiting for a parent that comes later (BibTeX's own order)
NOT_INHERITED = {"title", "subtitle", "titleaddon", "shorttitle", "author", "abstract", "doi", "url",
                 "pages", "eid", "keywords", "note", "file", "ids", "crossref", "key", "related"}
MONTH_MACROS = {abbr: calendar.month_name[number] for abbr, number in MONTHS.items()}
JOURNAL_FIELDS = ("journal", "journaltitle")  # an undefined macro there is no title: no journal
BLOCK_START = re.compile(r"\s*@\w*\s*[{(]")  # bibtexparser's block start, at the start of a line
# The splitter logs every broken entry; we report them on the records instead.
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())
logging.getLogger("bibtexparser").propagate = False


def read(stream: BinaryIO, source: str) -> Iterator[Record | UnreadableRecord]:
    """One Record or UnreadableRecord per entry in the stream; `@string`s and comments yield none."""
    head = stream.read(8192) + stream.readline()
    problem = empty_or_binary(head)  # lines are decoded one by one, with a Latin-1 fallback
    if problem:
        yield UnreadableRecord(SourceRef(source, format=FORMAT), [problem])
        return
    reader = _Reader(source)
    lines = _decoded_lines(itertools.chain(head.splitlines(keepends=True), stream))
    for chunk in _chunks(lines):
        yield from reader.read_chunk(chunk)
    yield from reader.unresolved_crossrefs()
    if not reader.entries_seen and not reader.blocks_seen:
        message = "no BibTeX entry (@type{key, field = {value}, ...}) found: is this a BibTeX file?"
        yield UnreadableRecord(SourceRef(source, line=1, format=FORMAT), [Problem("file", message)])


def _decoded_lines(raw_lines: Iterable[bytes]) -> Iterator[tuple[str, bool]]:
    """Each line as text, and whether it had to be read as Latin-1."""
    for number, raw in enumerate(raw_lines, start=1):
        if number == 1:
            raw = raw.removeprefix(codecs.BOM_UTF8)
        try:
            yield raw.decode("utf-8"), False
        except UnicodeDecodeError:
            yield raw.decode("latin-1"), True


@dataclass
class _Chunk:
    first_line: int
    lines: list[str] = field(default_factory=list)
    latin1_lines: list[int] = field(default_factory=list)  # line numbers in the file

    @property
    def text(self) -> str:
        return "".join(self.lines)

    def line_of(self, offset: int) -> int:
        """The file's line number for a character offset into this chunk's text."""
        return self.first_line + self.text.count("\n", 0, offset)

    def split_at_blocks(self) -> list[_Chunk]:
        chunks: list[_Chunk] = []
        for number, line in enumerate(self.lines, start=self.first_line):
            if not chunks or BLOCK_START.match(line):
                chunks.append(_Chunk(number))
            chunks[-1].lines.append(line)
            if number in self.latin1_lines:
                chunks[-1].latin1_lines.append(number)
        return chunks


def _chunks(lines: Iterable[tuple[str, bool]]) -> Iterator[_Chunk]:
    chunk, starts = _Chunk(1), 0
    for number, (text, latin1) in enumerate(lines, start=1):
        if BLOCK_START.match(text):
            if starts == CHUNK_ENTRIES:
                yield chunk
                chunk, starts = _Chunk(number), 0
            starts += 1
        chunk.lines.append(text)
        if latin1:
            chunk.latin1_lines.append(number)
    if chunk.lines:
        yield chunk


class _Reader:
    """What one file's chunks share: its `@string` macros and the entry keys seen so far."""

    def __init__(self, source: str):
        self.source = source
        self.macros: dict[str, str] = {}
        self.first_line_of_key: dict[str, int] = {}
        self.entries_seen = 0
        self.recent: OrderedDict[str, dict[str, str]] = OrderedDict()  # crossref parents, bounded
        self.waiting: dict[str, list[_Values]] = {}  # children whose crossref parent comes later
        self.waiting_count = 0
        self.blocks_seen = 0  # @string, @comment, @preamble: a BibTeX file, if one without entries

    def read_chunk(self, chunk: _Chunk) -> Iterator[Record | UnreadableRecord]:
        try:
            library = bibtexparser.parse_string(chunk.text, parse_stack=[])
        except Exception as err:  # the splitter raises on states it calls its own bugs
            parts = chunk.split_at_blocks()
            if len(parts) > 1:
                for part in parts:
                    yield from self.read_chunk(part)
                return
            self.entries_seen += 1
            message = f"bibtexparser cannot read this entry ({type(err).__name__}: {err})"
            yield UnreadableRecord(self.ref(chunk.first_line), [Problem("entry", message)])
            return
        for block in library.blocks:
            yield from self.read_block(block, chunk)

    def read_block(self, block, chunk: _Chunk) -> Iterator[Record | UnreadableRecord]:
        line = chunk.first_line + block.start_line
        if isinstance(block, (DuplicateBlockKeyBlock, DuplicateFieldKeyBlock)):
            yield from self.read_block(block.ignore_error_block, chunk)  # we warn ourselves
        elif isinstance(block, ParsingFailedBlock):
            self.entries_seen += 1
            yield UnreadableRecord(self.ref(line), [Problem("entry", _parse_failure(block, chunk))])
        elif isinstance(block, Entry) and block.entry_type.lower() not in NOT_WORKS:
            self.entries_seen += 1
            try:
                yield from self.read_entry(block, line, chunk)
            except Exception as err:  # input nobody foresaw costs this entry only
                yield failed_record(self.ref(line), err)
        elif isinstance(block, (Entry, String, Preamble, ExplicitComment)):
            self.blocks_seen += 1
            if isinstance(block, String):
                self.macros[block.key.strip().lower()] = self.expand(block.value, [])

    def ref(self, line: int) -> SourceRef:
        return SourceRef(self.source, line=line, format=FORMAT)

    def read_entry(self, entry: Entry, line: int, chunk: _Chunk) -> Iterator[Record]:
        """The entry's record, unless it waits for its crossref parent; then any children that
        waited for this entry."""
        record = Record(source=self.ref(line))
        values = _Values(record, entry.entry_type.strip().lower())
        for bib_field in entry.fields:
            name = bib_field.key.strip().lower()
            if name in values.raw:
                record.add_problem(name, f"the field {name} appears more than once; the first is used",
                                   "warning")
                continue
            unknown: list[str] = []
            values.raw[name] = self.expand(bib_field.value, unknown)
            if name in JOURNAL_FIELDS and unknown and values.raw[name] == unknown[0]:
                # `journal = jair` without `@string{jair = …}`: a macro's name is no journal's title
                record.add_problem(name, f"@string macro {unknown[0]!r} is not defined, and a macro's name is no "
                                         "journal's title: the entry is kept without its journal", "warning")
                values.raw[name] = ""
                continue
            for macro in unknown:
                record.add_problem(name, f"@string macro {macro!r} is not defined; kept as text", "warning")
        self.check_key(entry.key.strip(), record, line)
        end_line = line + (entry.raw or "").count("\n")
        latin1 = [str(n) for n in chunk.latin1_lines if line <= n <= end_line]
        if latin1:
            record.add_problem("file", f"{self.source} is not UTF-8 at line {', '.join(latin1)}: read as "
                               "Latin-1", "warning")
        key, parent_key = entry.key.strip().lower(), values.raw.get("crossref", "").strip().lower()
        if parent_key and parent_key in self.recent:
            _inherit(values, self.recent[parent_key])
        elif parent_key and self.waiting_count < MAX_WAITING:
            self.waiting.setdefault(parent_key, []).append(values)
            self.waiting_count += 1
        if values not in self.waiting.get(parent_key, ()):
            yield _fields_read(values)
        if key:
            self.recent[key] = values.raw
        if len(self.recent) > RECENT_ENTRIES:
            self.recent.popitem(last=False)
        for child in self.waiting.pop(key, []):
            self.waiting_count -= 1
            yield _fields_read(_inherit(child, values.raw))

    def unresolved_crossrefs(self) -> Iterator[Record]:
        """At the end of the file: children whose parent never came, read without it."""
        for parent_key, children in self.waiting.items():
            for child in children:
                child.warn("crossref", f"the crossref entry {parent_key!r} is not in the file (or comes "
                           f"more than {RECENT_ENTRIES} entries before): its fields are not inherited")
                yield _fields_read(child)

    def check_key(self, key: str, record: Record, line: int) -> None:
        first = self.first_line_of_key.setdefault(key.lower(), line)
        if key and first != line:
            record.add_problem("key", f"duplicate key {key!r} (first used at line {first}): imported "
                               "as a separate record", "warning")

    def expand(self, value: str, unknown: list[str]) -> str:
        """A field's value as BibTeX reads it: {…} and "…" parts unwrapped, macros replaced,
        parts joined by #. Macro names not defined go to `unknown`."""
        text = []
        for part in _concatenated_parts(value):
            if part[:1] in "{\"" and len(part) > 1:
                text.append(part[1:-1])
            elif part.isdigit() or not part:
                text.append(part)
            elif part.lower() in self.macros:
                text.append(self.macros[part.lower()])
            elif part.lower()[:3] in MONTH_MACROS and len(part) == 3:
                text.append(MONTH_MACROS[part.lower()])
            else:
                unknown.append(part)
                text.append(part)
        return "".join(text)


def _fields_read(values: _Values) -> Record | UnreadableRecord:
    return isolated(values.record.source, _read_fields, values)


def _concatenated_parts(value: str) -> list[str]:
    """'jgg # " Letters"' → ['jgg', '" Letters"']: split at # outside braces and quotes."""
    if "#" not in value:
        return [value.strip()]
    parts, depth, quoted, start = [], 0, False, 0
    for index, char in enumerate(value):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == '"' and depth == 0:
            quoted = not quoted
        elif char == "#" and depth == 0 and not quoted:
            parts.append(value[start:index].strip())
            start = index + 1
    parts.append(value[start:].strip())
    return parts


def _parse_failure(block: ParsingFailedBlock, chunk: _Chunk) -> str:
    raw = (block.raw or "").lstrip()
    what = re.match(r"@\s*\w*\s*[{(]\s*([^,\s]*)", raw)
    name = f"@{raw[1:].split('{')[0].split('(')[0].strip()}{{{what.group(1)}}}" if what else "the entry"
    reason = getattr(block.error, "abort_reason", None) or str(block.error)
    end = getattr(block.error, "end_index", None)
    if "block start" in reason or "end of file" in reason:
        ends = f"the next entry at line {chunk.line_of(end)}" if end and "block start" in reason else \
            "the end of the file"
        return (f"cannot read {name}: it is not closed before {ends} "
                "(a brace or quote is unbalanced, or a comma is missing)")
    where = f" (reading stopped at line {chunk.line_of(max(end - 1, 0))})" if end else ""
    return f"cannot read {name}: {reason}{where}"


def _inherit(child: _Values, parent: dict[str, str]) -> _Values:
    """BibTeX's crossref: the fields a child lacks come from its parent, the parent's title as
    the child's booktitle; never what names the parent itself (its title, DOI, URL, pages)."""
    for name, value in parent.items():
        if name not in NOT_INHERITED:
            child.raw.setdefault(name, value)
    if "title" in parent:
        child.raw.setdefault("booktitle", parent["title"])
    return child
