"""Pure web-service research outputs (API 5xx JSON) → Record.

Reads one research-output object, a list of them, a Pure list response (`{"count": N, "items":
[...]}`) or JSON Lines (one object per line, as Pure dumps are often kept). Field names in problems
are the JSON paths of the source ("publicationStatuses[0].publicationDate"), so a librarian can find
the value in Pure. Wrong shapes become problems on the record, never exceptions.
"""
from __future__ import annotations

import codecs
import itertools
import json
import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from kgpub.graph.importers import isolated
from kgpub.graph.importers.json_stream import items_in, nesting_problem, read_items
from kgpub.graph.importers.text import (UnreadableInput, clean_doi, clean_issn, decode_utf8, html_to_text, json_kind,
                                       json_syntax_problem)
from kgpub.graph.record import (CitationCount, Event, Journal, PartialDate, Person, Problem, Record,
                                 Severity, Series, SourceRef, Status, Subject, UnreadableRecord)
from kgpub.ontology import pure_type_by_uri

FORMAT = "pure-json"
OUTPUT_KEYS = ("title",)  # an object with a title is a research output, not a list response
ASJC_GROUP_URI = "/dk/atira/pure/subjectarea/asjc"

# The tail of Pure's status URI (/dk/atira/pure/researchoutput/status/{tail}) → Status.kind.
# Pure shows "inpress" as "Accepted/In press": we read it as accepted, the earlier of the two.
STATUS_KINDS_BY_URI_TAIL = {
    "published": "published",
    "inpress": "accepted",
    "acceptedinpress": "accepted",
    "epub": "early-online",
    "submitted": "submitted",
    "unpublished": "unpublished",
}

ORCID = re.compile(r"\d{4}-\d{4}-\d{4}-\d{3}[\dX]")
# Who an author is: a person of the institution, an external person, or an author collaboration
# ("BESIII Collaboration"), which has a name only.
PERSON_KEYS = ("person", "externalPerson", "authorCollaboration")
PAGE_RANGE_DASH = re.compile(r"\s*[-\u2010-\u2015]\s*")  # hyphen, en dash, em dash and kin


def read(stream: BinaryIO, source: str) -> Iterator[Record | UnreadableRecord]:
    """One Record or UnreadableRecord per research output in the stream."""
    # The first 8 KB, to the end of a line, tell an empty, binary or JSON Lines file.
    start = stream.read(8192) + stream.readline()
    try:
        text = decode_utf8(start)
    except UnreadableInput as err:
        yield UnreadableRecord(SourceRef(source, format=FORMAT), [err.problem])
        return
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    # A JSON Lines file starts with a whole object on its first line; a JSON document that
    # does so is a one-object file, which reads the same either way.
    if source.lower().endswith(".jsonl") or (first_line.startswith("{") and first_line.endswith("}")):
        yield from _read_json_lines(itertools.chain(start.splitlines(keepends=True), stream), source)
        return
    for found in read_items(stream, SourceRef(source, format=FORMAT), OUTPUT_KEYS, head=start):
        yield found if isinstance(found, UnreadableRecord) else isolated(found[0], _research_output, found[1], found[0])


def _read_json_lines(lines: Iterator[bytes], source: str) -> Iterator[Record | UnreadableRecord]:
    # Line by line, so a dump of any size is read in constant memory.
    for number, raw in enumerate(lines, start=1):
        if number == 1:
            raw = raw.removeprefix(codecs.BOM_UTF8)
        if not raw.strip():
            continue
        ref = SourceRef(source, line=number, format=FORMAT)
        if problem := nesting_problem(raw, line_offset=number - 1):
            yield UnreadableRecord(ref, [problem])
            continue
        try:
            yield from _records_in(json.loads(raw.decode("utf-8")), ref)
        except UnicodeDecodeError as err:
            message = f"not UTF-8: byte 0x{raw[err.start]:02x} at line {number}, column {err.start + 1}"
            yield UnreadableRecord(ref, [Problem("line", message)])
        except json.JSONDecodeError as err:
            yield UnreadableRecord(ref, [json_syntax_problem(err, line=number)])


def _records_in(value: Any, ref: SourceRef) -> Iterator[Record | UnreadableRecord]:
    """A research output, a list of them, or a Pure list response ({"count": N, "items": [...]}:
    "count" is Pure's total over all pages, not the length of this page, so nothing to check)."""
    for item_ref, item in items_in(value, ref, OUTPUT_KEYS):
        yield isolated(item_ref, _research_output, item, item_ref)


def _research_output(value: Any, ref: SourceRef) -> Record | UnreadableRecord:
    if not isinstance(value, dict):
        message = f"expected a research-output object, found {json_kind(value)}"
        return UnreadableRecord(ref, [Problem("record", message)])
    if "title" not in value and "type" not in value:
        message = 'not a Pure research output: the object has neither "title" nor "type"'
        return UnreadableRecord(ref, [Problem("record", message)])
    record = Record(source=ref)
    output = _Node(value, "", record)
    # Texts in several languages are read in the record's own language (its locale, "en_US").
    output.locale = (output.text("language.uri") or "").rpartition("/")[2] or None
    for read_part in READ_PARTS:
        read_part(output, record)
    return record


class _Node:
    """One JSON object of a research output and its path there ("publicationStatuses[0]").
    A value of the wrong JSON kind reads as absent and adds a problem naming its path."""

    def __init__(self, obj: dict, path: str, record: Record, locale: str | None = None):
        self.obj, self.path, self.record, self.locale = obj, path, record, locale

    def get(self, dotted: str, kind: type) -> Any:
        value, path = self.obj, self.path
        for key in dotted.split("."):
            if not isinstance(value, dict):
                self.record.add_problem(path, f"expected an object, found {json_kind(value)}")
                return None
            value, path = value.get(key), _join(path, key)
            if value is None:
                return None
        if isinstance(value, kind) and (kind is bool or not isinstance(value, bool)):
            return value
        self.record.add_problem(path, f"expected {json_kind(kind())}, found {json_kind(value)}")
        return None

    def text(self, dotted: str) -> str | None:
        """A string, stripped; an empty one reads as absent."""
        return (self.get(dotted, str) or "").strip() or None

    def node(self, dotted: str) -> _Node | None:
        obj = self.get(dotted, dict)
        return None if obj is None else _Node(obj, _join(self.path, dotted), self.record, self.locale)

    def nodes(self, dotted: str) -> list[_Node]:
        """The objects of a list; any other item is a problem."""
        return [_Node(item, path, self.record, self.locale) for path, item in self._items(dotted, dict)]

    def strings(self, dotted: str) -> list[str]:
        return [item.strip() for _, item in self._items(dotted, str) if item.strip()]

    def _items(self, dotted: str, kind: type) -> Iterator[tuple[str, Any]]:
        for index, item in enumerate(self.get(dotted, list) or []):
            path = f"{_join(self.path, dotted)}[{index}]"
            if isinstance(item, kind):
                yield path, item
            else:
                self.record.add_problem(path, f"expected {json_kind(kind())}, found {json_kind(item)}")

    def formatted_value(self, dotted: str) -> str | None:
        """Pure's {"formatted": …, "value": …}."""
        value = self.node(dotted)
        return value and value._as_text(value.text("value"))

    def localized(self, dotted: str) -> str | None:
        """Pure's {"formatted": …, "text": [{"locale": …, "value": …}]}, in the record's locale
        if it has that one, else the first."""
        term = self.node(dotted)
        if term is None:
            return None
        by_locale: dict[str | None, str] = {}
        for entry in term.nodes("text"):
            if value := entry.text("value"):
                by_locale.setdefault(entry.text("locale"), value)
        return term._as_text(by_locale.get(self.locale) or next(iter(by_locale.values()), None))

    def _as_text(self, value: str | None) -> str | None:
        # "formatted": true means the value is HTML ("<p>…</p>", "&lt;1 g").
        if value and self.get("formatted", bool):
            return html_to_text(value) or None
        return value

    def problem(self, dotted: str, message: str, severity: Severity = "error") -> None:
        self.record.add_problem(_join(self.path, dotted) or "record", message, severity)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path and key else path or key


# --- the parts of a research output, each filling its Record fields -------------------------

def _read_identity(output: _Node, record: Record) -> None:
    record.pure_uuid = output.text("uuid")
    record.peer_reviewed = output.get("peerReview", bool)  # absent stays None: not known
    type_uri = output.text("type.uri")
    if type_uri is None:
        output.problem("type", "missing: the research-output type is needed to class the record")
    elif (key := pure_type_by_uri(type_uri)) is None:
        output.problem("type.uri", f"unknown Pure research-output type {type_uri!r}")
    else:
        record.type = key


def _read_titles(output: _Node, record: Record) -> None:
    record.title = output.formatted_value("title")
    record.subtitle = output.formatted_value("subTitle")
    if record.title is None:
        output.problem("title", "missing")


def _read_language_and_abstract(output: _Node, record: Record) -> None:
    record.abstract = output.localized("abstract")
    record.language_label = output.localized("language.term")
    if output.locale is None:
        return
    code = output.locale.partition("_")[0]  # "en_US" → "en"
    if len(code) == 2 and code.isalpha() and code.islower():
        record.language = code
    else:
        output.problem("language.uri", f"{output.locale!r} is not an ISO 639-1 language code", "warning")


def _issn(node: _Node, dotted: str) -> str | None:
    value = node.text(dotted)
    if value is None:
        return None
    if (issn := clean_issn(value)) is None:
        node.problem(dotted, f"{value!r} is not an ISSN like '0966-8136'")
    return issn


def _read_journal(output: _Node, record: Record) -> None:
    journal = Journal(
        # The journal's own name first; the association's title is only a fallback.
        title=output.localized("journalAssociation.journal.name")
        or output.text("journalAssociation.title.value"),
        # Pure does not say whether this ISSN is the print or the electronic one.
        issn=_issn(output, "journalAssociation.issn.value"),
        pure_uuid=output.text("journalAssociation.journal.uuid"),
    )
    if journal != Journal():
        record.journal = journal
    record.volume = output.text("volume")
    record.issue = output.text("journalNumber")
    record.article_number = output.text("articleNumber")


def _read_pages(output: _Node, record: Record) -> None:
    if (pages := output.text("pages")) is not None:
        parts = PAGE_RANGE_DASH.split(pages)
        if len(parts) > 2 or not all(parts):
            output.problem("pages", f"{pages!r} is neither a page nor a range of pages like 25-28")
        else:
            record.start_page, record.end_page = parts[0], (parts[1] if len(parts) == 2 else None)
    count = output.get("numberOfPages", int)
    if count is not None and count < 1:
        output.problem("numberOfPages", f"{count} is not a number of pages: it must be at least 1")
    elif count is not None:
        record.page_count = count


def _read_statuses(output: _Node, record: Record) -> None:
    for status in output.nodes("publicationStatuses"):
        uri = status.text("publicationStatus.uri")
        kind = STATUS_KINDS_BY_URI_TAIL.get((uri or "").rpartition("/")[2])
        if kind is None:
            found = f"unknown publication status {uri!r}" if uri else "missing"
            status.problem("publicationStatus.uri", found)
        else:
            record.statuses.append(Status(kind, _partial_date(status)))


def _partial_date(status: _Node) -> PartialDate | None:
    year, month, day = (status.get(f"publicationDate.{part}", int) for part in ("year", "month", "day"))
    if year is None:
        if month is not None or day is not None:
            status.problem("publicationDate", "impossible date: a month or day without a year")
        return None
    try:
        return PartialDate(year, month, day)
    except ValueError as err:
        status.problem("publicationDate", f"impossible date: {err}")
        return None


def _read_scopus(output: _Node, record: Record) -> None:
    citations = output.get("totalScopusCitations", int)
    if citations is not None and citations < 0:
        output.problem("totalScopusCitations", f"{citations} is not a citation count")
    elif citations is not None:
        record.citations.append(CitationCount("Scopus", citations, harvested=None))
    scopus_ids = [output.text("externalId")] if output.text("externalIdSource") == "Scopus" else []
    scopus_ids += [other.text("value") for other in output.nodes("info.additionalExternalIds")
                   if other.text("idSource") == "Scopus"]
    # Pure keeps the Scopus document number; the EID is that number behind "2-s2.0-".
    if scopus_id := next(filter(None, scopus_ids), None):
        record.scopus_eid = f"2-s2.0-{scopus_id}" if scopus_id.isdigit() else scopus_id


def _read_authors(output: _Node, record: Record) -> None:
    for association in output.nodes("personAssociations"):
        role = association.text("personRole.uri")
        if role is None:
            association.problem("personRole", "missing: is this an author or not?", "warning")
        elif role.endswith("/author"):  # editors, supervisors and other roles are not authors
            record.authors.append(_person(association))


def _person(association: _Node) -> Person:
    who = next((key for key in PERSON_KEYS if key in association.obj), None)
    person = Person(
        given_name=association.text("name.firstName"),
        family_name=association.text("name.lastName"),
        pure_uuid=association.text(f"{who}.uuid") if who else None,
        orcid=_orcid(association, ["orcid"] + ([f"{who}.orcid"] if who else [])),
    )
    if person.given_name is None and person.family_name is None and who:
        person.name = association.localized(f"{who}.name")
    if not person.display_name:
        association.problem("name", "missing: the author has no name")
    return person


def _orcid(association: _Node, places: list[str]) -> str | None:
    for place in places:
        if (value := association.text(place)) is None:
            continue
        bare = value.rstrip("/").rpartition("/")[2].upper()  # also "https://orcid.org/0000-…"
        if ORCID.fullmatch(bare):
            return bare
        association.problem(place, f"{value!r} is not an ORCID iD", "warning")
    return None


def _read_links(output: _Node, record: Record) -> None:
    """The DOI (the first electronic version that has one) and the URLs to the output."""
    for version in output.nodes("electronicVersions"):
        doi = version.text("doi")
        if doi is not None and record.doi is None:
            record.doi = clean_doi(doi)
            if record.doi is None:
                version.problem("doi", f"{doi!r} is not a DOI")
        record.urls.append(version.text("link"))
    record.urls.append(output.text("info.portalUrl"))
    record.urls = list(dict.fromkeys(url for url in record.urls if url))


def _read_keywords(output: _Node, record: Record) -> None:
    """ASJC subject areas and free keywords; other classifications (UKÄ, SDG, …) are not read."""
    for group in output.nodes("keywordGroups"):
        is_asjc = (group.text("logicalName") == "ASJCSubjectAreas"
                   or group.text("type.uri") == ASJC_GROUP_URI)
        for container in group.nodes("keywordContainers"):
            if is_asjc and "structuredKeyword" in container.obj:
                record.subjects.append(_asjc_subject(container))
            for free in container.nodes("freeKeywords"):  # one entry per locale
                record.keywords += free.strings("freeKeywords")
    record.keywords = list(dict.fromkeys(record.keywords))


def _asjc_subject(container: _Node) -> Subject:
    # The code is the tail of /dk/atira/pure/subjectarea/asjc/3100; the mapping checks it.
    uri = container.text("structuredKeyword.uri")
    label = container.localized("structuredKeyword.term")
    return Subject(code=uri.rpartition("/")[2] if uri else None, label=label)


def _read_publishing(output: _Node, record: Record) -> None:
    """Publisher, and for chapters and papers the host publication, its series and the event."""
    record.publisher = output.localized("publisher.name")
    record.host_title = output.formatted_value("hostPublicationTitle")
    record.isbn_print = output.strings("isbns")
    record.isbn_electronic = output.strings("electronicIsbns")
    for series in output.nodes("publicationSeries"):
        if (title := series.formatted_value("name")) is None:
            series.problem("name", "missing: a series needs a name")
            continue
        issns = [issn for issn in (_issn(series, "issn"), _issn(series, "electronicIssn")) if issn]
        record.series.append(Series(title, issns, volume=series.text("volume") or series.text("no")))
    if (event := output.node("event")) is not None:
        # The output names its event only; place and dates live on Pure's event record.
        if (name := event.localized("name")) is None:
            event.problem("name", "missing: an event needs a name")
        else:
            record.event = Event(name)


READ_PARTS = (_read_identity, _read_titles, _read_language_and_abstract, _read_journal, _read_pages,
              _read_statuses, _read_scopus, _read_authors, _read_links, _read_keywords, _read_publishing)
