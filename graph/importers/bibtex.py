"""BibTeX and BibLaTeX → Record.

bibtexparser (v2) splits the text into blocks; this module reads each entry's fields onto the
Record, LaTeX decoded to Unicode by pylatexenc. Problems name the BibTeX field ('pages', 'doi');
the SourceRef names the line the entry starts on.

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
- Not resolved: `crossref`/`xdata` inheritance (the parent may come later in the file).
- Editors, address, edition, note and report numbers have no Record field and are not read.
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
from functools import lru_cache
from typing import BinaryIO

import bibtexparser
from bibtexparser.middlewares.names import (InvalidNameError, parse_single_name_into_parts,
                                            split_multiple_persons_names)
from bibtexparser.model import (DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, Entry, ExplicitComment,
                                ParsingFailedBlock, Preamble, String)
from pylatexenc import latexwalker
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db
from pylatexenc.latexwalker import LatexWalker

from kgpub.graph.importers import fields
from kgpub.graph.importers.text import UnreadableInput, clean_doi, clean_issn, decode_utf8
from kgpub.graph.record import (Event, Journal, Person, Problem, Record, Series, SourceRef, Status,
                                 UnreadableRecord)

FORMAT = "bibtex"
CHUNK_ENTRIES = 200
# BibLaTeX's field containers (`xdata = key`) and entry sets: parts of other entries, not works.
NOT_WORKS = {"xdata", "set"}
RECENT_ENTRIES = 1000  # entries kept as possible crossref parents of later entries
MAX_WAITING = 10000  # children kept waiting for a parent that comes later (BibTeX's own order)
NOT_INHERITED = {"title", "subtitle", "titleaddon", "shorttitle", "author", "abstract", "doi", "url",
                 "pages", "eid", "keywords", "note", "file", "ids", "crossref", "key", "related"}
BLOCK_START = re.compile(r"\s*@\w*\s*[{(]")  # bibtexparser's block start, at the start of a line
# The splitter logs every broken entry; we report them on the records instead.
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())
logging.getLogger("bibtexparser").propagate = False

_latex_context = get_default_latex_context_db()
_latex_context.add_context_category("kgpub-bibtex", prepend=True, macros=[
    MacroTextSpec("url", "%s"), MacroTextSpec("mbox", "%s"), MacroTextSpec("LaTeX", "LaTeX"),
    MacroTextSpec("TeX", "TeX")])
LATEX = LatexNodes2Text(latex_context=_latex_context, math_mode="text")
LATEX_PARSING = latexwalker.get_default_latex_context_db()
LATEX_COMMANDS = re.compile(r"[\\$]")  # what only pylatexenc can read
# What pylatexenc would make of a value without commands or math, done faster by hand.
LATEX_LIGATURES = (("{", ""), ("}", ""), ("---", "\u2014"), ("--", "\u2013"), ("``", "\u201c"),
                   ("''", "\u201d"), ("~", " "))
VERBATIM_FIELDS = {"url", "doi", "eprint", "file"}  # a % or _ there is a character, not LaTeX
LATEX_ESCAPE = re.compile(r"\\([_%&#$])")
MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_abbr) if name}
MONTH_MACROS = {abbr: calendar.month_name[number] for abbr, number in MONTHS.items()}
ISSN_CANDIDATE = re.compile(r"\b\d{4}-?\d{3}[\dXx]\b")
# pubstate (BibLaTeX) or a year that says the work is not out yet: the Record's status kind.
PUBSTATES = {"inpress": "in-press", "in press": "in-press", "forthcoming": "in-press",
             "accepted": "accepted", "submitted": "submitted", "prepublished": "early-online",
             "unpublished": "unpublished"}
# babel/polyglossia names, English names, ISO 639-2 codes → ISO 639-1 (BibLaTeX `langid`, `language`).
LANGUAGE_NAMES = """en english american british usenglish ukenglish canadian australian newzealand eng
de german ngerman austrian naustrian swissgerman nswissgerman deutsch ger deu
fr french francais acadian fre fra|es spanish espanol spa|it italian ita|nl dutch nederlands dut nld
pt portuguese portuges brazil brazilian por|ru russian rus|pl polish pol|cs czech cze ces|sk slovak
sv swedish swe|da danish dan|no norwegian norsk nor|nb bokmal|nn nynorsk|fi finnish fin|is icelandic
el greek gre ell|la latin lat|he hebrew heb|ar arabic ara|tr turkish tur|hu hungarian magyar hun
ro romanian rum ron|hr croatian hrv|sr serbian srp|sl slovenian slovene slv|uk ukrainian ukr
bg bulgarian bul|ca catalan cat|eu basque|gl galician|et estonian|lv latvian|lt lithuanian|ga irish
cy welsh|zh chinese chi zho|ja japanese jpn|ko korean kor|hi hindi|sa sanskrit san|fa persian farsi
id indonesian|ms malay|th thai|vi vietnamese|af afrikaans|eo esperanto"""
LANGUAGES = {name: group.split()[0] for group in re.split(r"[|\n]", LANGUAGE_NAMES)
             for name in group.split()}


def read(stream: BinaryIO, source: str) -> Iterator[Record | UnreadableRecord]:
    """One Record or UnreadableRecord per entry in the stream; `@string`s and comments yield none."""
    head = stream.read(8192) + stream.readline()
    problem = _unreadable_file(head)
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


def _unreadable_file(head: bytes) -> Problem | None:
    """decode_utf8's verdicts on an empty or binary file; bytes that are not UTF-8 are no verdict
    here (replaced before asking), since lines are decoded one by one with a Latin-1 fallback."""
    try:
        decode_utf8(head.decode("utf-8", errors="replace").encode("utf-8"))
    except UnreadableInput as err:
        return err.problem
    return None


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
            yield from self.read_entry(block, line, chunk)
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
            yield _read_fields(values)
        if key:
            self.recent[key] = values.raw
        if len(self.recent) > RECENT_ENTRIES:
            self.recent.popitem(last=False)
        for child in self.waiting.pop(key, []):
            self.waiting_count -= 1
            yield _read_fields(_inherit(child, values.raw))

    def unresolved_crossrefs(self) -> Iterator[Record]:
        """At the end of the file: children whose parent never came, read without it."""
        for parent_key, children in self.waiting.items():
            for child in children:
                child.warn("crossref", f"the crossref entry {parent_key!r} is not in the file (or comes "
                           f"more than {RECENT_ENTRIES} entries before): its fields are not inherited")
                yield _read_fields(child)

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


def _inherit(child: _Values, parent: dict[str, str]) -> _Values:
    """BibTeX's crossref: the fields a child lacks come from its parent, the parent's title as
    the child's booktitle; never what names the parent itself (its title, DOI, URL, pages)."""
    for name, value in parent.items():
        if name not in NOT_INHERITED:
            child.raw.setdefault(name, value)
    if "title" in parent:
        child.raw.setdefault("booktitle", parent["title"])
    return child


def _read_fields(values: _Values) -> Record:
    record = values.record
    _read_type(values.entry_type, values, record)
    record.title = values.text("title")
    if record.title is None:
        record.add_problem("title", "the entry has no title")
    record.subtitle = values.text("subtitle")
    record.abstract = values.text("abstract")
    record.authors = _authors(values)
    _read_orcids(values, record.authors)
    _read_container(values, record)
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
        return fields.person(_decode_latex(raw_name, "author", record))
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
    journal_title = values.text("journal", "journaltitle")
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
    if values.text("eventtitle"):
        start, end = _date_range(values, "eventdate")
        record.event = Event(values.text("eventtitle"), place=values.text("venue"), start=start, end=end)


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
        tag = re.split(r"[-_\s]", label.strip().lower())[0]
        record.language = LANGUAGES.get(tag) or LANGUAGES.get(label.strip().lower().replace(" ", ""))
        if record.language is None:
            values.warn("langid" if "langid" in values.raw else "language",
                        f"the language {label!r} is not one the importer knows an ISO 639-1 code for")
