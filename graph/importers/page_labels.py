"""What a Pure portal page's labels mean, and how their values are read into a Record.

The labels themselves are a table, `page_labels.tsv`: the page's wording, the reader that takes the
value, and how the label is laid out (a value, a list, a block of labels, furniture). This module
loads that table, finds the label a line starts with, and holds the readers the table names. A
reader never raises: what it cannot read becomes a problem on the record, named by the page's own
label and the line, and the field stays empty.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Callable

from kgpub.graph.importers.text import ISSN, clean_doi
from kgpub.graph.record import (Event, Journal, PartialDate, Record, Series, Severity, Status,
                                Subject, Topic)

PAGE_RANGE_DASH = re.compile(r"\s*[-–—]\s*")
DATE = re.compile(r"(?:(?P<day>\d{1,2})\s+)?(?:(?P<month>[A-Za-z]+)\.?\s+)?(?P<year>\d{4})")
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december")
EVENT_PLACE_DASH = re.compile(r"\s*-\s+")  # the last one parts an event's name from its place
WEIGHT = re.compile(r"\s*(?P<weight>\d+(?:\.\d+)?)\s*%$")

# Pure's language labels and their ISO 639-1 codes.
LANGUAGE_CODES = {
    "English": "en", "English (US)": "en", "English (GB)": "en", "German": "de", "Dutch": "nl",
    "Swedish": "sv", "Danish": "da", "French": "fr", "Spanish": "es", "Italian": "it",
    "Portuguese": "pt", "Russian": "ru", "Chinese": "zh", "Japanese": "ja", "Finnish": "fi",
    "Norwegian": "no",
}
# Pure's publication statuses (the part before " - date") and the Record's status kinds.
STATUS_KINDS = {
    "published": "published", "accepted/in press": "accepted", "in press": "in-press",
    "e-pub ahead of print": "early-online", "submitted": "submitted", "unpublished": "unpublished",
}
# The thesaurus domains of Elsevier's Fingerprint Engine (current names, then the older ones), needed
# to split "Recommendation System Keyphrases 100%" into concept and domain when no tab separates them.
FINGERPRINT_DOMAINS = (
    "Agricultural and Biological Sciences", "Arts and Humanities",
    "Biochemistry, Genetics and Molecular Biology", "Business, Management and Accounting",
    "Chemical Engineering", "Chemistry", "Computer Science", "Earth and Planetary Sciences",
    "Economics, Econometrics and Finance", "Energy", "Engineering", "Environmental Science",
    "Food Science", "Immunology and Microbiology", "INIS", "Keyphrases", "Material Science",
    "Mathematics", "Medicine and Dentistry", "Neuroscience", "Nursing and Health Professions",
    "Pharmacology, Toxicology and Pharmaceutical Science", "Physics", "Psychology",
    "Social Sciences", "Veterinary Science and Veterinary Medicine",
    "Agriculture & Biology", "Arts & Humanities", "Business & Economics", "Chemical Compounds",
    "Earth & Environmental Sciences", "Engineering & Materials Science", "Medicine & Life Sciences",
    "Physics & Astronomy",
)


@dataclass(frozen=True)
class PageLabel:
    """One row of page_labels.tsv."""

    label: str
    reads: str
    kind: str
    within: str


@dataclass(frozen=True)
class _Value:
    """A value read from the page, with the page's own label: the field its problems name."""

    text: str
    label: str
    line: int

    def problem(self, record: Record, message: str, severity: Severity = "error") -> None:
        record.add_problem(self.label, f"line {self.line}: {message}", severity)


FINGERPRINT = PageLabel("Fingerprint", "topic", "list", "")


@cache
def page_labels() -> tuple[PageLabel, ...]:
    """The label table, longest label first so that "Pages (from-to)" wins over "Pages"."""
    text = resources.files(__package__).joinpath("page_labels.tsv").read_text(encoding="utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]
    labels = [PageLabel(*row) for row in rows[1:]]
    unknown = {entry.reads for entry in labels} - READERS.keys() - {"-"}
    if unknown:
        raise ValueError(f"page_labels.tsv names readers that do not exist: {sorted(unknown)}")
    return tuple(sorted(labels, key=lambda entry: len(entry.label), reverse=True))


def match_label(text: str, block: str) -> tuple[PageLabel, str] | None:
    """The label a line starts with and the value on the line ("" when it is on the next line)."""
    for within in (block, "") if block else ("",):
        for entry in page_labels():
            if entry.within == within and (value := _value_after(entry, text)) is not None:
                return entry, value
    return None


def _value_after(entry: PageLabel, text: str) -> str | None:
    if not text.startswith(entry.label):
        return None
    rest = text[len(entry.label):]
    if not rest:
        return ""
    if entry.kind == "ignore":
        return None
    if rest[0] == "\t" or (entry.within and rest[0] == ":"):
        return rest[1:].strip()
    # Glued ("StatePublished"): only a capital, digit or link may follow, or "State-of-the-art"
    # opening an abstract would be read as a status.
    if rest[0].isupper() or rest[0].isdigit() or rest.startswith("http"):
        return rest.strip()
    return None


def is_furniture(text: str) -> bool:
    """Whether a whole line is page furniture ("Overview", "Abstract"), not content."""
    return any(entry.kind == "ignore" and entry.label == text for entry in page_labels())


def has_weight(text: str) -> bool:
    """Whether a line ends in a fingerprint weight ("… 100%")."""
    return bool(WEIGHT.search(text))


def read_value(record: Record, entry: PageLabel, text: str, line: int) -> None:
    """Reads one value (or list item) of a label into the record; "-" labels are not modelled."""
    if entry.reads != "-":
        READERS[entry.reads](record, _Value(text, entry.label, line))


class _DateFormatError(ValueError):
    """The text is not a date form we read (as opposed to a date that does not exist)."""


def _partial_date(text: str) -> PartialDate:
    """"2006", "Mar 2006", "March 2006" or "12 Mar 2006", at the precision shown."""
    match = DATE.fullmatch(text.strip())
    if not match:
        raise _DateFormatError(f"'{text.strip()}' is not a date like '2006', 'Mar 2006' or '12 Mar 2006'")
    month = _month_number(match["month"]) if match["month"] else None
    day = int(match["day"]) if match["day"] else None
    return PartialDate(int(match["year"]), month, day)


def _month_number(name: str) -> int:
    lowered = name.lower()
    for number, month in enumerate(MONTHS, start=1):
        if lowered in (month, month[:3]) or (lowered == "sept" and number == 9):
            return number
    raise _DateFormatError(f"'{name}' is not a month")


def _add_status(record: Record, status: Status) -> None:
    if status not in record.statuses:
        record.statuses.append(status)


def _read_status(record: Record, value: _Value) -> None:
    label, _, date_text = value.text.partition(" - ")
    kind = STATUS_KINDS.get(label.strip().lower())
    if kind is None:
        known = ", ".join(f"'{name}'" for name in STATUS_KINDS)
        value.problem(record, f"unknown publication status '{label.strip()}' (known: {known})")
        return
    try:
        date = _partial_date(date_text) if date_text.strip() else None
    except ValueError as err:
        value.problem(record, f"cannot read the date in '{value.text}': {err}")
        return
    _add_status(record, Status(kind, date))


def _read_early_online(record: Record, value: _Value) -> None:
    try:
        _add_status(record, Status("early-online", _partial_date(value.text)))
    except ValueError as err:
        value.problem(record, f"cannot read the date '{value.text}': {err}")


def _read_language(record: Record, value: _Value) -> None:
    record.language_label = value.text
    record.language = LANGUAGE_CODES.get(value.text)
    if record.language is None:
        value.problem(record, f"the language '{value.text}' is not in the importer's table of ISO 639-1 "
                              "codes; the label is kept without a code", "warning")


def _read_pages(record: Record, value: _Value) -> None:
    pages = PAGE_RANGE_DASH.split(value.text)
    if len(pages) > 2 or not all(pages):
        value.problem(record, f"cannot read '{value.text}' as a page or a page range like '193-213'")
        return
    record.start_page = pages[0]
    record.end_page = pages[1] if len(pages) == 2 else None


def _read_page_count(record: Record, value: _Value) -> None:
    if not value.text.isdigit():
        value.problem(record, f"'{value.text}' is not a whole number of pages")
    elif int(value.text) < 1:
        value.problem(record, f"the page count is {value.text}; a page count must be at least 1")
    else:
        record.page_count = int(value.text)


def _read_journal(record: Record, value: _Value) -> None:
    record.journal = record.journal or Journal()
    record.journal.title = value.text


def _read_journal_issn(record: Record, value: _Value) -> None:
    if _is_issn(record, value):
        record.journal = record.journal or Journal()
        record.journal.issn = value.text


def _is_issn(record: Record, value: _Value) -> bool:
    if ISSN.fullmatch(value.text):
        return True
    value.problem(record, f"'{value.text}' is not an ISSN like '0966-8136'")
    return False


def _read_doi(record: Record, value: _Value) -> None:
    first, *others = value.text.split()
    doi = clean_doi(first)
    if doi is None:
        value.problem(record, f"'{first}' is not a DOI")
        return
    if record.doi or others:
        value.problem(record, "the page shows more than one DOI; only the first is kept", "warning")
    record.doi = record.doi or doi


def _read_peer_review(record: Record, value: _Value) -> None:
    answers = {"yes": True, "no": False}
    if value.text.lower() in answers:
        record.peer_reviewed = answers[value.text.lower()]
    else:
        value.problem(record, f"'{value.text}' is neither 'Yes' nor 'No'")


def _read_series_title(record: Record, value: _Value) -> None:
    record.series.append(Series(title=value.text))


def _read_series_issn(record: Record, value: _Value) -> None:
    if _series_so_far(record, value) and _is_issn(record, value):
        record.series[-1].issns.append(value.text)


def _read_series_volume(record: Record, value: _Value) -> None:
    if _series_so_far(record, value):
        record.series[-1].volume = value.text


def _series_so_far(record: Record, value: _Value) -> bool:
    if record.series:
        return True
    value.problem(record, f"'{value.text}' comes before the series' name, so it belongs to no series", "warning")
    return False


def _read_event(record: Record, value: _Value) -> None:
    """"12th Conference on X, CONF 2019 - Lisbon, Portugal", perhaps glued to "Duration: …"."""
    text, _, period = value.text.partition("Duration:")
    dashes = list(EVENT_PLACE_DASH.finditer(text.strip()))
    if dashes:
        name, place = text.strip()[:dashes[-1].start()], text.strip()[dashes[-1].end():]
        record.event = Event(name=name, place=place)
    else:
        record.event = Event(name=text.strip())
    if period:
        _read_event_period(record, replace(value, text=period.strip()))


def _read_event_name(record: Record, value: _Value) -> None:
    record.event = Event(name=value.text)


def _read_event_city(record: Record, value: _Value) -> None:
    if _event_so_far(record, value):
        record.event.place = ", ".join(filter(None, (value.text, record.event.place)))


def _read_event_country(record: Record, value: _Value) -> None:
    if _event_so_far(record, value):
        record.event.place = ", ".join(filter(None, (record.event.place, value.text)))


def _read_event_period(record: Record, value: _Value) -> None:
    """"3 Jun 2019 → 5 Jun 2019". Numeric periods ("3/06/19 → 5/06/19") are left out: portals
    write them day-first or month-first, and nothing on the page says which."""
    if not _event_so_far(record, value):
        return
    start, _, end = (part.strip() for part in value.text.partition("→"))
    try:
        record.event.start, record.event.end = _partial_date(start), _partial_date(end) if end else None
    except _DateFormatError as err:
        value.problem(record, f"cannot read the dates in '{value.text}' ({err}); the event is kept "
                              "without dates", "warning")
    except ValueError as err:
        value.problem(record, f"the dates in '{value.text}' do not exist: {err}")


def _event_so_far(record: Record, value: _Value) -> bool:
    if record.event:
        return True
    value.problem(record, f"'{value.text}' comes before the event's name, so it belongs to no event", "warning")
    return False


def _read_topic(record: Record, value: _Value) -> None:
    """"Russia Social Sciences 100%", or "Russia<TAB>Social Sciences<TAB>100%"."""
    weight = WEIGHT.search(value.text)
    text = value.text[:weight.start()] if weight else value.text
    cells = [cell.strip() for cell in text.split("\t") if cell.strip()]
    if len(cells) == 2:
        concept, domain = cells
    else:
        concept, domain = _split_domain(" ".join(cells))
        if domain is None:
            value.problem(record, f"no Fingerprint domain found in '{value.text}'; the whole text is kept "
                                  "as the concept", "warning")
    record.topics.append(Topic(concept, domain, float(weight["weight"]) if weight else None))


def _split_domain(text: str) -> tuple[str, str | None]:
    for domain in sorted(FINGERPRINT_DOMAINS, key=len, reverse=True):
        concept = text.removesuffix(" " + domain).strip()
        if concept != text.strip() and concept:
            return concept, domain
    return text, None


def _text_into(field_name: str) -> Callable[[Record, _Value], None]:
    def read_text(record: Record, value: _Value) -> None:
        setattr(record, field_name, value.text)
    return read_text


def _isbns(text: str) -> list[str]:
    return [isbn.strip() for isbn in text.split(",") if isbn.strip()]


READERS: dict[str, Callable[[Record, _Value], None]] = {
    "language": _read_language,
    "pages": _read_pages,
    "page_count": _read_page_count,
    "article_number": _text_into("article_number"),
    "journal": _read_journal,
    "journal_issn": _read_journal_issn,
    "volume": _text_into("volume"),
    "issue": _text_into("issue"),
    "status": _read_status,
    "early_online": _read_early_online,
    "doi": _read_doi,
    "peer_review": _read_peer_review,
    "host_title": _text_into("host_title"),
    "publisher": _text_into("publisher"),
    "isbn_print": lambda record, value: record.isbn_print.extend(_isbns(value.text)),
    "isbn_electronic": lambda record, value: record.isbn_electronic.extend(_isbns(value.text)),
    "series_title": _read_series_title,
    "series_issn": _read_series_issn,
    "series_volume": _read_series_volume,
    "event": _read_event,
    "event_name": _read_event_name,
    "event_city": _read_event_city,
    "event_country": _read_event_country,
    "event_period": _read_event_period,
    "keyword": lambda record, value: record.keywords.append(value.text),
    "subject": lambda record, value: record.subjects.append(Subject(label=value.text)),
    "topic": _read_topic,
}
