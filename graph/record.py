"""The source-neutral Record: what every importer produces and the mapping consumes.

Plain Python, no RDF. A field a source cannot carry stays empty (None or an empty list); nothing
is invented. Problems found while reading a source are kept on the record itself, so that every
problem of a record is reported at once, with the field it concerns.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class SourceRef:
    """Where a record came from: a file, and the line (text formats) or index (JSON lists) in it."""

    path: str
    line: int | None = None
    index: int | None = None
    format: str | None = None

    def __str__(self) -> str:
        if self.line is not None:
            return f"{self.path}:{self.line}"
        if self.index is not None:
            return f"{self.path}[{self.index}]"
        return self.path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a record: the source field it concerns (graph/field_names.py) and a sentence."""

    field: str
    message: str
    severity: Severity = "error"
    term: str | None = None  # the RDF term a SHACL finding is about ("dcterms:title"): the JSON report's only

    def as_dict(self) -> dict:
        found = {"field": self.field, "message": self.message, "severity": self.severity}
        return found | ({"term": self.term} if self.term else {})


@dataclass(frozen=True)
class PartialDate:
    """A date known to the year, the month or the day; the precision is kept, never padded."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self):
        if not 1 <= self.year <= 9999:
            raise ValueError(f"year {self.year} is out of range")
        if self.month is None and self.day is not None:
            raise ValueError("a day needs a month")
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} does not exist")
        if self.day is not None:
            last = calendar.monthrange(self.year, self.month)[1]
            if not 1 <= self.day <= last:
                raise ValueError(
                    f"day {self.day} does not exist in {calendar.month_name[self.month]} {self.year}"
                )

    def isoformat(self) -> str:
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text


@dataclass
class Person:
    """An author as the source names them: given and family names where they are known, and
    `name` when the source wrote the name whole (an organisation, a name not in Latin letters, a
    Pure page's "Given Family"). The parts, when known, are what is shown and cited."""

    given_name: str | None = None
    family_name: str | None = None
    name: str | None = None
    orcid: str | None = None
    pure_uuid: str | None = None

    @property
    def display_name(self) -> str:
        if self.given_name or self.family_name:
            return " ".join(p for p in (self.given_name, self.family_name) if p)
        return self.name or ""


@dataclass
class Journal:
    title: str | None = None
    issn: str | None = None
    eissn: str | None = None
    pure_uuid: str | None = None


@dataclass
class Series:
    title: str
    issns: list[str] = field(default_factory=list)
    volume: str | None = None


@dataclass
class Event:
    name: str
    place: str | None = None
    start: PartialDate | None = None
    end: PartialDate | None = None


@dataclass
class Status:
    """A publication status in time. `kind` is one of STATUS_KINDS."""

    kind: str
    date: PartialDate | None = None


# The statuses Pure records; the mapping turns each into a PSO status.
STATUS_KINDS = (
    "published",
    "accepted",
    "in-press",
    "submitted",
    "unpublished",
    "early-online",
)

# Record types (prefixes of keys of ontology/pure-types.tsv) by where an output appears: in a
# journal; in a book or proceedings; or on its own, a whole publication, never part of a host book
# whatever book title a source gives it. Of those, books (fabio:Book) are never in a journal
# either; a report may come in one.
JOURNAL_PART_TYPES = ("contributiontojournal/", "contributiontoperiodical/")
BOOK_PART_TYPES = ("contributiontobookanthology/", "contributiontoconference/")
WHOLE_PUBLICATION_TYPES = ("bookanthology/", "thesis/")
BOOK_TYPES = ("bookanthology/book", "bookanthology/anthology", "bookanthology/scholarly")


@dataclass
class CitationCount:
    source: str  # "Scopus"
    count: int
    harvested: PartialDate | None = None


@dataclass
class Subject:
    """An ASJC subject area as the source gives it: a code, a label, or both.

    The mapping resolves it against the ASJC scheme (code first); an unknown one is an error.
    """

    code: str | None = None
    label: str | None = None


@dataclass
class Topic:
    """A Pure fingerprint concept with its thesaurus domain and weight in percent."""

    concept: str
    domain: str | None = None
    weight: float | None = None


@dataclass
class Derivation:
    """One source record a work was built from (graph/sources.py): its format, where it was read
    (file:line) and when it was first imported in this form (ISO 8601, UTC)."""

    format: str
    location: str
    imported: str


@dataclass
class Record:
    """One research output, independent of the source format it was read from."""

    source: SourceRef
    type: str | None = None  # a key of ontology/pure-types.tsv, e.g. "contributiontojournal/article"
    peer_reviewed: bool | None = None
    title: str | None = None
    subtitle: str | None = None
    abstract: str | None = None
    language: str | None = None  # ISO 639-1 code, e.g. "en"
    language_label: str | None = None  # the label the source shows, e.g. "English (US)"
    authors: list[Person] = field(default_factory=list)
    journal: Journal | None = None
    volume: str | None = None
    issue: str | None = None
    host_title: str | None = None  # book or proceedings a chapter or paper is part of
    isbn_print: list[str] = field(default_factory=list)
    isbn_electronic: list[str] = field(default_factory=list)
    publisher: str | None = None
    series: list[Series] = field(default_factory=list)
    event: Event | None = None
    start_page: str | None = None
    end_page: str | None = None
    page_count: int | None = None
    article_number: str | None = None
    statuses: list[Status] = field(default_factory=list)
    citations: list[CitationCount] = field(default_factory=list)
    subjects: list[Subject] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    topics: list[Topic] = field(default_factory=list)
    doi: str | None = None  # bare, lower case: "10.1080/09668130500481444"
    pure_uuid: str | None = None
    scopus_eid: str | None = None
    urls: list[str] = field(default_factory=list)
    derived_from: list[Derivation] = field(default_factory=list)  # set by graph/sources.py
    problems: list[Problem] = field(default_factory=list)

    def add_problem(self, field_name: str, message: str, severity: Severity = "error") -> None:
        self.problems.append(Problem(field_name, message, severity))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


@dataclass
class UnreadableRecord:
    """What an importer yields when a record (or a whole file) cannot be read at all."""

    source: SourceRef
    problems: list[Problem]
