"""The `pure-page` importer: a Pure portal page, as text extracted from its HTML, to one Record.

A page has a header (title, authors, "Research output: <type>", citation count, abstract) and then
labelled values ("Journal", "Publication status", ...) and lists (keywords, ASJC subject areas,
fingerprint). Portals lay a label and its value out in three ways, all read here: glued together
("Number of pages21", as in the seed), separated by a tab, or the label on a line of its own with
the value on the next line. This module knows the page's shape: where the header ends, which block
or list a line is in. What each label means, and how its value is read, is `page_labels`' business.
Every problem is kept on the record, named by the page's own label and the line it is on.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import BinaryIO, Iterator

from kgpub.graph.importers import fields, isolated
from kgpub.graph.importers.page_labels import (FINGERPRINT, PageLabel, has_weight, is_furniture,
                                               match_label, page_labels, read_value)
from kgpub.graph.importers.text import UnreadableInput, decode_utf8
from kgpub.graph.record import CitationCount, Record, SourceRef, UnreadableRecord
from kgpub.ontology import pure_type_by_portal_text

FORMAT = "pure-page"
TYPE_PREFIX = "Research output:"
FINGERPRINT_INTRO = "Together they form a unique fingerprint."
BULLET = re.compile(r"[•·*-]\s+")
CITATIONS = re.compile(r"(?P<count>\d[\d,]*)\s+(?:(?P<source>\S.*?)\s+citations?"
                       r"|citations?\s+\((?P<source_after>[^)]+)\))", re.IGNORECASE)
# Words that mark an organisation among the lines under the title.
ORGANISATION_WORDS = re.compile(r"\b(?:Department|School|Faculty|Institute|University|Centre|Center"
                                r"|College|Laboratory|Division|Hospital|Unit|Group|Programme)\b")
NAME_SEPARATORS = re.compile(r"\s*(?:[,;&]|\band\b)\s*")
FOOTNOTE_MARKS = re.compile(r"[\d⁰¹²³⁴⁵⁶⁷⁸⁹*†‡§]+")
PERSON_NAME = re.compile(r"[^\W\d_][\w.'’\- ]*")


def read(stream: BinaryIO, source: str) -> Iterator[Record | UnreadableRecord]:
    """One item per file: the page's Record, or an UnreadableRecord when it is not UTF-8 text."""
    try:
        text = decode_utf8(stream.read())
    except UnreadableInput as err:
        yield UnreadableRecord(SourceRef(source, format=FORMAT), [err.problem])
        return
    yield isolated(SourceRef(source, format=FORMAT), parse_page, text, source)


@dataclass(frozen=True)
class _Line:
    number: int
    text: str  # stripped, without its bullet
    bullet: bool
    shown: str  # stripped, as the page shows it


def parse_page(text: str, source: str) -> Record:
    lines = list(_lines(text))
    content = [line for line in lines if line.text]
    title = content[0] if content and _is_title(content[0]) else None
    record = Record(SourceRef(source, line=title.number if title else None, format=FORMAT))
    if title:
        record.title = title.text
    else:
        shown = f" (line {content[0].number} is '{content[0].text[:60]}')" if content else ""
        record.add_problem("Title", f"the page does not start with a title{shown}")
    start = title.number if title else 0
    end = _details_start(lines, start)
    _read_header([line for line in lines[start:end] if line.text], record)
    _DetailsReader(record).read(lines[end:])
    # A page without authors is incomplete, not unreadable: the SHACL shapes warn about it.
    return record


def _lines(text: str) -> Iterator[_Line]:
    for number, raw in enumerate(text.splitlines(), start=1):
        shown = raw.replace("\xa0", " ").strip()
        bullet = BULLET.match(shown)
        yield _Line(number, shown[bullet.end():] if bullet else shown, bool(bullet), shown)


def _is_title(line: _Line) -> bool:
    return not (line.text.startswith(TYPE_PREFIX) or "\t" in line.text
                or any(line.text == entry.label for entry in page_labels()))


def _details_start(lines: list[_Line], start: int) -> int:
    """The index of the first labelled line: the header and abstract end there."""
    for index in range(start, len(lines)):
        text = lines[index].text
        match = match_label(text, "")
        if FINGERPRINT_INTRO in text or (match and match[0].kind != "ignore"):
            return index
    return len(lines)


def _read_header(lines: list[_Line], record: Record) -> None:
    type_at = next((i for i, line in enumerate(lines) if line.text.startswith(TYPE_PREFIX)), None)
    if type_at is None:
        # Without the type line nothing separates authors from the abstract, so no author is read.
        record.add_problem("Research output", "the page has no 'Research output:' line, so its type is unknown")
        _read_abstract(lines, record)
        return
    _read_authors(lines[:type_at], record)
    _read_type(lines[type_at], record)
    _read_abstract(lines[type_at + 1:], record)


def _read_authors(lines: list[_Line], record: Record) -> None:
    """The people under the title. Pure lists their organisations after them, so the first line
    that is not a list of names ends the people."""
    people_bulleted = lines[0].bullet if lines else False
    for line in lines:
        if ORGANISATION_WORDS.search(line.text) or line.bullet != people_bulleted:
            return
        names = [FOOTNOTE_MARKS.sub("", part).strip() for part in NAME_SEPARATORS.split(line.text)]
        names = [name for name in names if name]
        if not names or not all(_looks_like_a_name(name) for name in names):
            record.add_problem("Authors", f"line {line.number}: '{line.text[:80]}' does not read as a "
                                          "list of names; no author was taken from it or the lines "
                                          "after it", "warning")
            return
        # Split for citations, and kept whole as the page writes it (graph/keys.py: a record's key)
        record.authors.extend(replace(person, name=name) for name in names
                              if (person := fields.person(name, record, "Authors")))


def _looks_like_a_name(name: str) -> bool:
    # Pure shows people as "Given Family"; one word alone is an organisation's word ("Library").
    return (bool(PERSON_NAME.fullmatch(name)) and name[0].isupper()
            and 2 <= len(name.split()) <= 6)


def _read_type(line: _Line, record: Record) -> None:
    portal_text = line.text[len(TYPE_PREFIX):].strip()
    record.type, peer_reviewed = _pure_type(portal_text)
    if peer_reviewed:
        record.peer_reviewed = True
    if record.type is None:
        record.add_problem("Research output", f"line {line.number}: unknown research-output type "
                                              f"'{portal_text}' (the known ones are in ontology/pure-types.tsv)")


def _pure_type(portal_text: str) -> tuple[str | None, bool]:
    """The type key and the peer-review flag. Some portals add a category after the type
    ("Contribution to journal › Article › Research › peer-review"); it does not change the type."""
    peer_reviewed = portal_text.endswith("peer-review")
    segments = [part.strip() for part in re.split(r"[›\t]", portal_text) if part.strip()]
    key = pure_type_by_portal_text(portal_text) or pure_type_by_portal_text(" › ".join(segments[:2]))
    return key, peer_reviewed


def _read_abstract(lines: list[_Line], record: Record) -> None:
    """The lines after the type line: the citation count first, then the abstract's paragraphs."""
    paragraphs = []
    for line in lines:
        citations = CITATIONS.fullmatch(line.text)
        if is_furniture(line.text):
            continue
        if citations and not paragraphs:
            source = citations["source"] or citations["source_after"]
            record.citations.append(CitationCount(source, int(citations["count"].replace(",", ""))))
        else:
            paragraphs.append(line.shown)
    record.abstract = "\n".join(paragraphs) or None


class _DetailsReader:
    """Walks the labelled part of the page, keeping the block, list or own-line label it is in."""

    def __init__(self, record: Record):
        self.record = record
        self.block = ""  # the label of the open block ("Publication series", "Event", ...)
        self.list: PageLabel | None = None  # the open list (keywords, subjects, fingerprint, skip)
        self.list_items = 0
        self.after_blank = False
        self.waiting: PageLabel | None = None  # a label alone on its line, its value on the next

    def read(self, lines: list[_Line]) -> None:
        for line in lines:
            if not line.text:
                self.after_blank = True
                continue
            if not self._read_line(line):
                return
            self.after_blank = False

    def _read_line(self, line: _Line) -> bool:
        """Reads one line; False when the record ends here."""
        if FINGERPRINT_INTRO in line.text:
            self._open_list(FINGERPRINT)
            return not line.text.endswith("Cite this")
        if self.list and self._is_item(line):
            self._read_item(line.text, line)
            return True
        if match := match_label(line.text, self.block):
            return self._read_label(*match, line)
        if self.list and self._continues_list(line):
            self._read_item(line.text, line)
            return True
        self.list = None
        if self.waiting and "\t" not in line.text:
            read_value(self.record, self.waiting, line.text, line.number)
        # Anything else is a label we do not know, or its value: portals show many fields we do
        # not model, and skipping them is what keeps them out of the fields we do.
        self.waiting = None
        return True

    def _read_label(self, entry: PageLabel, value: str, line: _Line) -> bool:
        if entry.kind == "ignore":
            return True
        if entry.kind == "stop":
            return False
        self.waiting, self.list = None, None
        if not entry.within:
            self.block = entry.label if entry.kind == "block" else ""
        if entry.kind in ("list", "skip"):
            self._open_list(entry)
            if value:
                self._read_item(value, line)
        elif entry.kind == "block" and entry.reads == "-":
            # "Publication series<TAB>Name<TAB>Lecture Notes…": the rest is the block's first row.
            return self._read_line(replace(line, text=value)) if value else True
        elif value:
            read_value(self.record, entry, value, line.number)
        else:
            self.waiting = entry
        return True

    def _open_list(self, entry: PageLabel) -> None:
        self.list, self.list_items, self.waiting = entry, 0, None

    def _is_item(self, line: _Line) -> bool:
        """Bullets and weighted fingerprint lines are items even when they read like a label
        (a keyword "State", a fingerprint concept "Journal")."""
        return line.bullet or (self.list is FINGERPRINT and has_weight(line.text))

    def _continues_list(self, line: _Line) -> bool:
        if "\t" in line.text and self.list is not FINGERPRINT:
            return False  # an unknown "label<TAB>value" row, not one more keyword
        return not self.after_blank or self.list_items == 0

    def _read_item(self, text: str, line: _Line) -> None:
        self.list_items += 1
        read_value(self.record, self.list, text, line.number)
