"""Text helpers every importer shares: bytes to text (with errors a librarian can act on),
HTML fragments to plain text, DOIs to their bare, lower-case form, and the words the JSON
importers use for what they found."""
from __future__ import annotations

import codecs
import json
import re
from decimal import Decimal
from html.parser import HTMLParser

from kgpub.graph.record import Problem


class UnreadableInput(Exception):
    """The bytes are not text we can read; `problem` says why."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


def decode_utf8(data: bytes) -> str:
    """UTF-8 (a BOM is allowed) or a clear error: empty, binary, or not UTF-8 at a byte offset."""
    if not data.strip():
        raise UnreadableInput(Problem("file", "the file is empty"))
    if looks_binary(data[:8192]):
        raise UnreadableInput(Problem("file", "the file is binary, not text"))
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise UnreadableInput(
            Problem("file", f"not UTF-8: byte 0x{data[err.start]:02x} at line {line} cannot be decoded")
        ) from None


def looks_binary(head: bytes) -> bool:
    """Whether the start of a file is binary (a PDF, a Word file, UTF-16): more than one byte in
    a hundred is NUL. A stray NUL in a text file is a problem of the record it is in, not of the file."""
    return head.count(b"\x00") * 100 > len(head)


def empty_or_binary(head: bytes) -> Problem | None:
    """decode_utf8's verdict on the start of a file that is read in parts: empty or binary. Bytes
    that are not UTF-8 are no verdict here (they are replaced before asking): the parts are checked
    as they are read."""
    try:
        decode_utf8(head.decode("utf-8", errors="replace").encode("utf-8"))
    except UnreadableInput as err:
        return err.problem
    return None


DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
DOI = re.compile(r"10\.\d{4,9}/\S+")
ISSN = re.compile(r"\d{4}-\d{3}[\dXx]")


def clean_doi(value: str) -> str | None:
    """'https://doi.org/10.1016/J.X' or 'doi:10.1016/j.x' -> '10.1016/j.x'; None if not a DOI."""
    bare = DOI_PREFIX.sub("", value.strip(), count=1).lower()
    return bare if DOI.fullmatch(bare) else None


def clean_issn(value: str) -> str | None:
    """'0966-8136' (also '0966-813x', '09668136') -> '0966-8136'; None if not an ISSN."""
    compact = value.strip().replace("-", "")
    issn = f"{compact[:4]}-{compact[4:]}".upper()
    return issn if ISSN.fullmatch(issn) else None


class _TextOfHtml(HTMLParser):
    """The text of an HTML fragment, entities decoded; block elements end a line."""

    BLOCKS = {"p", "br", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs) -> None:
        self.parts.append("\n" if tag in self.BLOCKS else "")

    def handle_endtag(self, tag: str) -> None:
        self.handle_starttag(tag, [])


def html_to_text(fragment: str) -> str:
    """'<p>A &lt;1 g</p><p>B</p>' -> 'A <1 g\nB': tags dropped, spacing folded, paragraphs kept."""
    parser = _TextOfHtml()
    parser.feed(fragment)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


# A streamed JSON array's fractions are Decimals (json_stream.py), a whole document's floats.
_KIND_NAMES = {dict: "an object", list: "a list", str: "a string", int: "a whole number", float: "a number",
               Decimal: "a number"}


def json_kind(value) -> str:
    """A JSON value's kind as a message names it: 'expected an object, found a string'."""
    if isinstance(value, bool):
        return "true or false"
    return _KIND_NAMES.get(type(value), "null" if value is None else type(value).__name__)


def json_syntax_problem(err: json.JSONDecodeError, line: int | None = None) -> Problem:
    """'invalid JSON at line 5, column 15: …'; `line` when the text was one line of a bigger file."""
    return Problem("json", f"invalid JSON at line {line or err.lineno}, column {err.colno}: {err.msg}")
