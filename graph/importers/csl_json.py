"""CSL-JSON items (citeproc-js, Zotero, pandoc, Crossref's /transform) → Record.

Reads a list of items (streamed item by item, graph/importers/json_stream.py), a single item, or
`{"items": [...]}` (read whole).
Problems name the CSL variable ("issued", "author[2]"), so the value can be found in the file.

Crossref's works use the same names for most variables (`container-title`, `page`, `issued`,
`author` with `family`/`given`), so graph/importers/crossref.py builds on the readers here
(JsonItem, person_of, date_of, read_language).
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, BinaryIO

from kgpub.graph.importers import fields, isolated
from kgpub.graph.importers.json_stream import read_items
from kgpub.graph.importers.text import clean_doi, clean_issn, html_to_text, json_kind
from kgpub.graph.record import (Journal, PartialDate, Person, Problem, Record, Series, Severity, SourceRef,
                                 Status, UnreadableRecord)

FORMAT = "csl-json"
ITEM_KEYS = ("type", "title")  # an object with either is an item, not a list response
KEYWORD_SEPARATORS = re.compile(r"\s*[,;]\s*")
MARKUP = re.compile(r"<[a-zA-Z/!]|&[#\w]+;")  # CSL rich text (<i>, <sup>) and JATS, entities
# CSL's `status` ("in press") says the work is not out yet: the Record's status kind instead of published.
STATUS_KINDS = {"in press": "in-press", "in-press": "in-press", "forthcoming": "in-press",
                "accepted": "accepted", "submitted": "submitted", "unpublished": "unpublished"}


def read(stream: BinaryIO, source: str) -> Iterator[Record | UnreadableRecord]:
    """One Record or UnreadableRecord per CSL-JSON item in the stream."""
    for found in read_items(stream, SourceRef(source, format=FORMAT), ITEM_KEYS):
        yield found if isinstance(found, UnreadableRecord) else isolated(found[0], _record_of_item, found[1], found[0])


# --- JSON readers Crossref shares ------------------------------------------------------------

class JsonItem:
    """One JSON object of a source, its path ("author[2]") and the record its problems go to.
    A value of the wrong JSON kind reads as absent and adds a problem naming its path."""

    def __init__(self, obj: dict, record: Record, path: str = ""):
        self.obj, self.record, self.path = obj, record, path

    def path_of(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def problem(self, key: str, message: str, severity: Severity = "error") -> None:
        self.record.add_problem(self.path_of(key) if key else self.path or "record", message, severity)

    def text(self, key: str) -> str | None:
        """A string (numbers too: CSL writes `"volume": 10`), stripped; empty reads as absent."""
        value = self.obj.get(key)
        if value is None:
            return None
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            return str(value)
        if isinstance(value, str):
            return value.strip() or None
        self.problem(key, f"expected text, found {json_kind(value)}")
        return None

    def texts(self, key: str) -> list[str]:
        """A list of strings, or one string as a list of one."""
        value = self.obj.get(key)
        if isinstance(value, str) or value is None or not isinstance(value, list):
            return [text] if (text := self.text(key)) else []
        found = []
        for index, entry in enumerate(value):
            if isinstance(entry, str) and entry.strip():
                found.append(entry.strip())
            elif not isinstance(entry, str):
                self.problem(f"{key}[{index}]", f"expected text, found {json_kind(entry)}")
        return found

    def child(self, key: str) -> JsonItem | None:
        value = self.obj.get(key)
        if value is None or isinstance(value, dict):
            return None if value is None else JsonItem(value, self.record, self.path_of(key))
        self.problem(key, f"expected an object, found {json_kind(value)}")
        return None

    def children(self, key: str) -> list[JsonItem]:
        value = self.obj.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(key, f"expected a list, found {json_kind(value)}")
            return []
        items = []
        for index, entry in enumerate(value):
            if isinstance(entry, dict):
                items.append(JsonItem(entry, self.record, f"{self.path_of(key)}[{index}]"))
            else:
                self.problem(f"{key}[{index}]", f"expected an object, found {json_kind(entry)}")
        return items


def plain_text(value: str | None) -> str | None:
    """Rich text (CSL's <i>, <sup>; Crossref's JATS and MathML; entities) as plain text."""
    if value is None or not MARKUP.search(value):
        return value
    return " ".join(html_to_text(value).splitlines()) or None


def person_of(name: JsonItem) -> Person | None:
    """A CSL or Crossref name: {family, given, suffix, particles, ORCID} or {literal} / {name}."""
    family, given = name.text("family"), name.text("given")
    if family and (particle := name.text("non-dropping-particle")):
        family = f"{particle} {family}"  # "van Gogh": the particle is part of the family name
    if given and (particle := name.text("dropping-particle")):
        given = f"{given} {particle}"
    if family and (suffix := name.text("suffix")):
        family = f"{family} {suffix}"  # "Smith III": the Record keeps no suffix of its own
    person = Person(given_name=given, family_name=family, name=name.text("literal") or name.text("name"))
    if not person.display_name:
        name.problem("", "the author has no name", "warning")
        return None
    if raw_orcid := name.text("ORCID"):
        person.orcid = fields.orcid(raw_orcid)
        if person.orcid is None:
            name.problem("ORCID", f"{raw_orcid!r} is not an ORCID iD", "warning")
    return person


def date_of(item: JsonItem, key: str) -> PartialDate | None:
    """A CSL/Crossref date: {"date-parts": [[2020, 3, 9]]} (the first of a range), {"raw": …},
    or an ISO date string (CSL 1.0.2). Crossref writes [[null]] for a date it does not know."""
    value = item.obj.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        return _date_of_text(item, key, value)
    if not isinstance(value, dict):
        item.problem(key, f"expected a date object, found {json_kind(value)}")
        return None
    parts = value.get("date-parts")
    if parts is None:
        text = value.get("raw") or value.get("literal")
        return _date_of_text(item, key, text) if isinstance(text, str) else None
    first = parts[0] if isinstance(parts, list) and parts and isinstance(parts[0], list) else None
    if first is None or not first or first[0] is None:
        return None
    date = fields.date_of_parts(*first[:3])
    if date is None:
        item.problem(key, f"impossible date: {'-'.join(map(str, first[:3]))}")
    return date


def _date_of_text(item: JsonItem, key: str, text: str) -> PartialDate | None:
    date = fields.iso_date(text)
    if date is None:
        item.problem(key, f"{text!r} is not a date the importer can read (like 2020-03-09)", "warning")
    return date


def read_language(item: JsonItem, record: Record, key: str = "language") -> None:
    if (label := item.text(key)) is None:
        return
    record.language = fields.language_code(label)
    if record.language is None:
        item.problem(key, f"the language {label!r} is not one the importer knows an ISO 639-1 code for",
                     "warning")
    elif label.lower() != record.language:
        record.language_label = label


def issns_of(item: JsonItem, key: str = "ISSN") -> list[str]:
    """ISSNs from a list or a string of several ("1006-4982, 1995-8196"); bad ones are problems."""
    found = []
    for text in item.texts(key):
        for value in KEYWORD_SEPARATORS.split(text):
            if (issn := clean_issn(value)) is not None:
                found.append(issn)
            elif value:
                item.problem(key, f"{value!r} is not an ISSN like '0966-8136'", "warning")
    return list(dict.fromkeys(found))


def isbns_of(item: JsonItem, key: str = "ISBN") -> list[str]:
    found = []
    for text in item.texts(key):
        if not (isbns := fields.isbns(text)):
            item.problem(key, f"{text!r} is not an ISBN (or its check digit is wrong)", "warning")
        found += isbns
    return list(dict.fromkeys(found))


def read_doi(item: JsonItem, record: Record, key: str = "DOI") -> None:
    if (raw := item.text(key)) is None:
        return
    record.doi = clean_doi(raw)
    if record.doi is None:
        item.problem(key, f"{raw!r} is not a DOI")


def read_pages(item: JsonItem, record: Record, key: str = "page") -> None:
    if (pages := item.text(key)) is None:
        return
    if (found := fields.page_range(pages)) is None:
        item.problem(key, f"{pages!r} is neither a page nor a range of pages like 25-28", "warning")
    else:
        record.start_page, record.end_page = found


def read_type(item: JsonItem, record: Record, source_format: str, described: str) -> None:
    source_type = item.text("type")
    record.type = fields.record_type(source_format, source_type or "")
    if record.type is None:
        found = f"unknown {described} type {source_type!r}" if source_type else "missing"
        item.problem("type", f"{found}: read as {fields.OTHER_TYPE}", "warning")
        record.type = fields.OTHER_TYPE


def require_title(item: JsonItem, record: Record) -> None:
    if record.title is None:
        item.problem("title", "missing: a record needs a title")


# --- a CSL-JSON item -------------------------------------------------------------------------

def _record_of_item(value: Any, ref: SourceRef) -> Record | UnreadableRecord:
    if not isinstance(value, dict):
        message = f"expected a CSL-JSON item (an object), found {json_kind(value)}"
        return UnreadableRecord(ref, [Problem("item", message)])
    if "type" not in value and "title" not in value:
        message = 'not a CSL-JSON item: the object has neither "type" nor "title"'
        return UnreadableRecord(ref, [Problem("item", message)])
    record = Record(source=ref)
    item = JsonItem(value, record)
    for read_part in READ_PARTS:
        read_part(item, record)
    return record


def _read_titles(item: JsonItem, record: Record) -> None:
    read_type(item, record, "csl", "CSL")
    record.title = plain_text(item.text("title"))
    require_title(item, record)
    record.abstract = item.text("abstract")
    if record.abstract and MARKUP.search(record.abstract):
        record.abstract = html_to_text(record.abstract) or None


def _read_authors(item: JsonItem, record: Record) -> None:
    record.authors = [person for name in item.children("author") if (person := person_of(name))]


def _read_container(item: JsonItem, record: Record) -> None:
    """The journal of an article, the book or proceedings of a chapter or paper, a book's series."""
    container = plain_text(item.text("container-title"))
    if fields.is_journal_type(record):
        issns = issns_of(item)
        # CSL does not say which ISSN is which; exporters copy Crossref's order, print first.
        journal = Journal(title=container, issn=next(iter(issns), None), eissn=next(iter(issns[1:]), None))
        record.journal = journal if journal != Journal() else None
        record.article_number = item.text("number")  # an article's "number" is its article number
    elif fields.is_part_type(record):
        record.host_title = container
    # A web page's or blog post's container (a site) has no place on the Record, nor has an
    # article's collection-title (a special issue's name): the series is a book's.
    if not fields.is_journal_type(record) and (series := item.text("collection-title")):
        record.series.append(Series(series, volume=item.text("collection-number")))
    record.volume, record.issue = item.text("volume"), item.text("issue")
    read_pages(item, record)
    if (count := item.text("number-of-pages")) is not None:
        if count.isdigit() and int(count) > 0:
            record.page_count = int(count)
        else:
            item.problem("number-of-pages", f"{count!r} is not a number of pages", "warning")


def _read_dates(item: JsonItem, record: Record) -> None:
    kind = STATUS_KINDS.get((item.text("status") or "").lower(), "published")
    date = date_of(item, "issued")
    if date is not None or kind != "published":
        record.statuses.append(Status(kind, date))


def _read_identifiers(item: JsonItem, record: Record) -> None:
    read_doi(item, record, "DOI" if "DOI" in item.obj else "doi")
    record.isbn_print = isbns_of(item)  # CSL does not say print or electronic
    if not fields.is_journal_type(record) and (issns := issns_of(item)) and record.series:
        record.series[0].issns = issns
    record.urls = item.texts("URL")


def _read_publishing(item: JsonItem, record: Record) -> None:
    publisher = item.obj.get("publisher")
    if isinstance(publisher, dict):  # {"name": …}, as some exporters write it
        record.publisher = item.child("publisher").text("name")
    else:
        record.publisher = item.text("publisher")
    read_language(item, record)
    keywords = [word for text in item.texts("keyword") for word in KEYWORD_SEPARATORS.split(text)]
    # "categories" is not a CSL variable, but exporters (commonmeta, Zotero's) put keywords there.
    record.keywords = fields.unique(keywords + item.texts("categories"))


READ_PARTS = (_read_titles, _read_authors, _read_container, _read_dates, _read_identifiers,
              _read_publishing)
