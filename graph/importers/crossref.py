"""Crossref REST API works (api.crossref.org/works) → Record.

Reads a single-work response (`{"status": "ok", "message-type": "work", "message": {...}}`), a
list response (`{"message": {"items": [...]}}`), a bare `{"items": [...]}`, a bare work or a list
of works. Like CSL-JSON, a list is streamed work by work (graph/importers/json_stream.py) and an
object is read whole: the API serves at most 1000 works a page, a few MB. Most variables are CSL's
(graph/importers/csl_json.py), with Crossref's differences: titles and container titles are lists,
ISSNs and ISBNs say print or electronic (`issn-type`, `isbn-type`), dates come as
`published-print`/`published-online`, titles and abstracts carry JATS/HTML markup. Problems name
the JSON path in the work ("author[2].ORCID").
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, BinaryIO

from kgpub.graph.importers import fields, isolated
from kgpub.graph.importers.csl_json import (JsonItem, date_of, isbns_of, issns_of, person_of, plain_text,
                                            read_doi, read_language, read_pages, read_type, require_title)
from kgpub.graph.importers.json_stream import read_items
from kgpub.graph.importers.text import clean_doi, clean_issn, html_to_text, json_kind
from kgpub.graph.record import (CitationCount, Journal, Problem, Record, Series, SourceRef, Status,
                                 UnreadableRecord)

FORMAT = "crossref"
WORK_KEYS = ("DOI", "title", "type")


def read(stream: BinaryIO, source: str) -> Iterator[Record | UnreadableRecord]:
    """One Record or UnreadableRecord per Crossref work in the stream."""
    for found in read_items(stream, SourceRef(source, format=FORMAT), WORK_KEYS, opened=_message):
        yield found if isinstance(found, UnreadableRecord) else isolated(found[0], _record_of_work, found[1], found[0])


def _message(value: Any, ref: SourceRef) -> Any | UnreadableRecord:
    """The work or works inside an API response envelope; a failed response says why it failed."""
    is_envelope = isinstance(value, dict) and ("message-type" in value or {"status", "message"} <= value.keys())
    if not is_envelope:
        return value
    if value.get("status") != "ok":
        detail = value.get("message")
        message = f"Crossref answered {value.get('status')!r}: {json.dumps(detail)[:300]}"
        return UnreadableRecord(ref, [Problem("status", message)])
    if value.get("message-type") not in ("work", "work-list", None):
        message = f"a Crossref {value['message-type']!r} response holds no works"
        return UnreadableRecord(ref, [Problem("message-type", message)])
    return value.get("message")


def _record_of_work(value: Any, ref: SourceRef) -> Record | UnreadableRecord:
    if not isinstance(value, dict):
        message = f"expected a Crossref work (an object), found {json_kind(value)}"
        return UnreadableRecord(ref, [Problem("work", message)])
    if not any(key in value for key in WORK_KEYS):
        message = 'not a Crossref work: the object has none of "DOI", "title", "type"'
        return UnreadableRecord(ref, [Problem("work", message)])
    record = Record(source=ref)
    work = JsonItem(value, record)
    for read_part in READ_PARTS:
        read_part(work, record)
    return record


def _first_text(work: JsonItem, key: str) -> str | None:
    return plain_text(next(iter(work.texts(key)), None))


def _read_titles(work: JsonItem, record: Record) -> None:
    read_type(work, record, "crossref", "Crossref")
    record.title = _first_text(work, "title")
    require_title(work, record)
    record.subtitle = _first_text(work, "subtitle")
    if abstract := work.text("abstract"):
        lines = html_to_text(abstract).splitlines()
        # JATS abstracts open with <jats:title>Abstract</jats:title>: a heading, not the text.
        if lines and lines[0].strip().rstrip(":").lower() in ("abstract", "summary"):
            lines = lines[1:]
        record.abstract = "\n".join(lines) or None


def _read_authors(work: JsonItem, record: Record) -> None:
    record.authors = [person for name in work.children("author") if (person := person_of(name))]


def _typed(work: JsonItem, key: str, kind: str) -> list[str]:
    """The values of `issn-type`/`isbn-type` entries of one kind ("print", "electronic")."""
    return [entry.text("value") for entry in work.children(key)
            if entry.text("type") == kind and entry.text("value")]


def _read_container(work: JsonItem, record: Record) -> None:
    """A journal with its print and electronic ISSN; a part's book or proceedings; a book's series."""
    containers = [plain_text(title) for title in work.texts("container-title")]
    issns = issns_of(work)
    print_issn = next(iter(filter(None, map(clean_issn, _typed(work, "issn-type", "print")))), None)
    electronic = next(iter(filter(None, map(clean_issn, _typed(work, "issn-type", "electronic")))), None)
    if fields.is_journal_type(record):
        if not (print_issn or electronic) and issns:
            print_issn, electronic = issns[0], next(iter(issns[1:]), None)
        journal = Journal(title=next(iter(containers), None), issn=print_issn, eissn=electronic)
        record.journal = journal if journal != Journal() else None
    elif fields.is_part_type(record) and containers:
        # A chapter in a series lists the series (the one with the ISSN) before its book.
        record.host_title = containers[-1]
        if issns and len(containers) > 1:
            record.series.append(Series(containers[0], issns))
    elif containers:
        # A book's container is the series it belongs to ("Lecture Notes in Chemistry").
        record.series.append(Series(containers[0], issns))
    record.volume, record.issue = work.text("volume"), work.text("issue")
    read_pages(work, record)
    record.article_number = work.text("article-number")


def _read_dates(work: JsonItem, record: Record) -> None:
    """Print publication is the publication; an earlier online one is "early online". A work only
    published online (or with no print date) is published at its online date, else when issued."""
    printed, online = date_of(work, "published-print"), date_of(work, "published-online")
    if printed is not None:
        record.statuses.append(Status("published", printed))
        if online is not None and online != printed:
            record.statuses.append(Status("early-online", online))
    else:
        published = online or date_of(work, "published") or date_of(work, "issued")
        if published is not None:
            record.statuses.append(Status("published", published))
    if (accepted := date_of(work, "accepted")) is not None:
        record.statuses.append(Status("accepted", accepted))


def _read_identifiers(work: JsonItem, record: Record) -> None:
    read_doi(work, record)
    printed = [isbn for text in _typed(work, "isbn-type", "print") for isbn in fields.isbns(text)]
    electronic = [isbn for text in _typed(work, "isbn-type", "electronic") for isbn in fields.isbns(text)]
    if printed or electronic:
        record.isbn_print, record.isbn_electronic = fields.unique(printed), fields.unique(electronic)
    else:
        record.isbn_print = isbns_of(work)
    # The landing page the publisher registered. `URL` is mostly the DOI again (dx.doi.org/…),
    # which the DOI itself already links to.
    resource = work.child("resource")
    primary = resource.child("primary") if resource else None
    urls = [primary.text("URL") if primary else None] + work.texts("URL")
    record.urls = fields.unique([url for url in urls if url and clean_doi(url) is None])


def _read_publishing(work: JsonItem, record: Record) -> None:
    record.publisher = work.text("publisher")
    read_language(work, record)
    record.keywords = fields.unique(work.texts("subject"))  # Crossref's subject categories of the journal
    count = work.obj.get("is-referenced-by-count")
    if isinstance(count, int) and not isinstance(count, bool) and count >= 0:
        # Counted when Crossref last indexed the work: that is the date the count holds for.
        record.citations.append(CitationCount("Crossref", count, harvested=date_of(work, "indexed")))
    elif count is not None:
        work.problem("is-referenced-by-count", f"{count!r} is not a citation count", "warning")


READ_PARTS = (_read_titles, _read_authors, _read_container, _read_dates, _read_identifiers,
              _read_publishing)
