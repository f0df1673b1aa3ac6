"""A research output's HTML page: what it shows, in the Pure portal's order, made from the record
as graph/record_reader.py reads it, and the page itself (with its citations and machine metadata).

Templates never see RDF: everything here is a label, a date as the portal shows it, or an IRI to
link to. The record page follows the Pure portal's order (../shared/data/seed-record.txt and the
pages in examples/), so a Pure user finds each field where they expect it. A field the record does
not have is simply absent.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

import langcodes
from flask import current_app, render_template, request
from markupsafe import Markup

from kgpub.graph import cite, csl, iris
from kgpub.graph.mapping import DOI_RESOLVER
from kgpub.graph.namespaces import compact
from kgpub.graph.record_reader import Identifier, StoredRecord, Venue, read_record
from kgpub.server import html_meta, oai_pmh
from kgpub.server.rdf_documents import Document

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")
# Pure's wording of each status, in the order the portal lists them.
STATUS_LABELS = {"published": "Published", "accepted": "Accepted/In press", "in-press": "In press",
                 "submitted": "Submitted", "unpublished": "Unpublished", "early-online": "E-pub ahead of print"}
IDENTIFIER_LABELS = {"doi": "DOI", "issn": "ISSN", "eissn": "ISSN (electronic)", "isbn": "ISBN", "orcid": "ORCID"}
LOCAL_ID_LABELS = {"Pure": "Pure UUID", "Scopus": "Scopus EID"}
IDENTIFIER_URLS = {"doi": DOI_RESOLVER, "orcid": "https://orcid.org/"}
DOWNLOADS = (("bibtex", "BibTeX", "application/x-bibtex", ".bib"),
             ("ris", "RIS", "application/x-research-info-systems", ".ris"),
             ("csl-json", "CSL-JSON", "application/vnd.citationstyles.csl+json", ".json"))


@dataclass(frozen=True)
class Link:
    """A value on a page. `iri`: a thing of ours (templates pass it through `href`); `url`: a page
    elsewhere (the DOI resolver, ORCID), linked as it is; neither: plain text."""

    text: str
    iri: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Row:
    label: str
    values: tuple[Link, ...]


@dataclass(frozen=True)
class ShownCount:
    count: int
    source: str
    date: str | None  # as shown: "24 Nov 2026"


@dataclass
class RecordView:
    """Everything the record page shows, in the portal's order."""

    record: StoredRecord
    citations: list[ShownCount] = field(default_factory=list)
    details: list[Row] = field(default_factory=list)
    identifiers: list[Row] = field(default_factory=list)

    @property
    def iri(self) -> str:
        return self.record.iri

    @property
    def title(self) -> str:
        return self.record.title or "(untitled)"

    @property
    def abstract(self) -> str | None:
        return self.record.abstract

    @property
    def full_title(self) -> str:
        return self.record.full_title or "(untitled)"

    @property
    def abstract_paragraphs(self) -> list[str]:
        return [p.strip() for p in (self.record.abstract or "").split("\n") if p.strip()]

    @property
    def subtitle(self) -> str | None:
        return self.record.subtitle

    @property
    def authors(self):
        return self.record.authors

    @property
    def type_label(self) -> str | None:
        return self.record.type.label if self.record.type else None

    @property
    def type_iri(self) -> str | None:
        return self.record.type.iri if self.record.type else None

    @property
    def peer_reviewed(self) -> bool:
        return self.record.peer_reviewed

    @property
    def keywords(self):
        return self.record.keywords

    @property
    def subjects(self):
        return self.record.subjects

    @property
    def fingerprint(self):
        return self.record.fingerprint


def record_view(record: StoredRecord, base: str) -> RecordView:
    return RecordView(
        record,
        citations=[ShownCount(c.count, c.source or c.source_iri or "citations", shown_date(c.date))
                   for c in record.citations],
        details=detail_rows(record, base),
        identifiers=[Row("IRI", (Link(record.iri, url=record.iri),))] + [
            identifier_row(i) for i in record.identifiers])


def render(doc: Document, stem: str, alternates: list[dict]) -> str:
    """The record page of a record's document (kept once made: linked_data.py, page_cache.py)."""
    base = current_app.config["BASE"]
    record = read_record(doc.triples, doc.thing.value)
    view = record_view(record, base)
    doc_url = iris.document(base, stem).value
    item = csl.csl_item(record)
    key = iris.kind_and_key(stem)[1]
    view.identifiers.extend(harvest_rows(key))
    return render_template(
        "record.html", view=view, doc_url=doc_url, canonical=doc_url, alternates=alternates,
        highwire=html_meta.highwire_tags(record, doc_url),
        schema_json=html_meta.script_json(html_meta.schema_org(record, doc_url)),
        citations=[(label, Markup(cite.format_citation(item, style))) for style, label in cite.STYLES.items()],
        downloads=[(label, f"{request.script_root}/cite/output/{key}/{name}") for name, label, *_ in DOWNLOADS],
    )


# --- how the portal shows things ---------------------------------------------------------------------

def harvest_rows(key: str) -> list[Row]:
    """Where harvesters and FAIR tools find the record: its OAI-PMH identifier (a GetRecord in each
    metadata format) and its Signposting linkset."""
    root = request.script_root
    identifier = oai_pmh.oai_identifier(key)
    formats = tuple(Link(prefix, url=f"{root}/oai?" + urlencode({"verb": "GetRecord", "metadataPrefix": prefix,
                                                                   "identifier": identifier}))
                    for prefix in oai_pmh.FORMATS)
    return [Row("OAI-PMH identifier", (Link(identifier), *formats)),
            Row("Signposting linkset", (Link("linkset", url=f"{root}/linkset/output/{key}"),
                                        Link("JSON", url=f"{root}/linkset/output/{key}.json")))]


def shown_date(lexical: str | None) -> str | None:
    """"2006-03" -> "Mar 2006", "2019-06-03" -> "3 Jun 2019", "2006" -> "2006": as precise as known."""
    if not lexical:
        return None
    match = PARTIAL_DATE.match(lexical)
    if not match:
        return lexical
    year, month, day = match.groups()
    if month is None or not 1 <= int(month) <= 12:
        return year
    name = MONTHS[int(month) - 1]
    return f"{int(day)} {name} {year}" if day else f"{name} {year}"


def identifier_row(identifier: Identifier) -> Row:
    label = IDENTIFIER_LABELS.get(identifier.scheme) or LOCAL_ID_LABELS.get(
        identifier.source or "", f"{identifier.source} ID" if identifier.source else identifier.scheme)
    url = IDENTIFIER_URLS.get(identifier.scheme)
    return Row(label, (Link(identifier.value, url=url + identifier.value if url else None),))


def link_to(iri: str, text: str | None, base: str) -> Link:
    """A thing of ours (linked to its page) or of elsewhere (linked as it is)."""
    shown = text or compact(iri)
    return Link(shown, iri=iri) if iri.startswith(base) else Link(shown, url=iri)


def venue_link(venue: Venue | None, base: str) -> Link | None:
    return link_to(venue.iri, venue.title, base) if venue else None


def detail_rows(record: StoredRecord, base: str) -> list[Row]:
    """The portal's details table, in its order (see the pages in examples/)."""
    rows: list[Row] = []

    def add(label: str, *values: Link | None) -> None:
        shown = tuple(v for v in values if v is not None and v.text)
        if shown:
            rows.append(Row(label, shown))

    start, end = record.start_page, record.end_page
    add("Original language", Link(language_name(record) or ""))
    add("Title of host publication", Link(record.host.title or "") if record.host else None)
    add("Publisher", venue_link(record.publisher, base))
    add("Pages (from-to)" if start and end else "Pages", Link("-".join(p for p in (start, end) if p)))
    add("Article number", Link(record.article_number or ""))
    add("Number of pages", Link(record.page_count or ""))
    add("ISBN", *(Link(isbn) for isbn in record.isbns))
    add("Journal", venue_link(record.journal, base))
    add("Volume", Link(record.volume.number, iri=record.volume.iri) if record.volume else None)
    add("Issue number", Link(record.issue.number, iri=record.issue.iri) if record.issue else None)
    statuses = sorted(record.statuses, key=lambda s: list(STATUS_LABELS).index(s.name))
    add("Early online date", *(Link(shown_date(s.date)) for s in statuses if s.name == "early-online" and s.date))
    add("DOIs", Link(record.doi, url=DOI_RESOLVER + record.doi) if record.doi else None)
    publication = [s for s in statuses if s.name != "early-online"] or statuses
    add("Publication status", *(Link(" - ".join(filter(None, (STATUS_LABELS[s.name], shown_date(s.date)))))
                                for s in publication))
    add("Publication series", *(Link(series_text(series, record.series_volume)) for series in record.series))
    if record.event:
        event = record.event
        add("Event", Link(" - ".join(filter(None, (event.name, event.place)))))
        add("Duration", Link(" → ".join(filter(None, (shown_date(event.start), shown_date(event.end))))))
    add("Links", *(Link(url, url=url) for url in record.urls))
    return rows


def language_name(record: StoredRecord) -> str | None:
    """What a portal showed ("English (US)", capitalised) as it showed it; a code or keyword
    ("en", "ngerman", "english") by the language's English name from langcodes ("German")."""
    label = record.language_label
    if label and label[:1].isupper() or not record.language:
        return label
    try:
        return langcodes.Language.get(record.language).display_name()
    except (LookupError, ValueError):
        return label


def series_text(series: Venue, volume: str | None) -> str:
    """"Lecture Notes in Computer Science (ISSN 0302-9743, 1611-3349), Volume 11430"."""
    shown = series.title or ""
    issns = series.values("issn", "eissn")
    if issns:
        shown += f" (ISSN {', '.join(issns)})"
    return f"{shown}, Volume {volume}" if volume else shown
