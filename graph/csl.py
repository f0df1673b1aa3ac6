"""A stored record -> one CSL-JSON item, the form every citation and export starts from.

`csl_item` takes the record as record_reader.py reads it (from its graph, plus the labels of what it
points to: the Pure type's name for a thesis's genre). A field the record lacks is simply absent.
Formatting (cite.py) and the BibTeX/RIS/CSL-JSON files (bibformats.py) work on CSL items only,
so any source of CSL-JSON can be cited and exported the same way.
"""
from __future__ import annotations

from kgpub.graph.mapping import DOI_RESOLVER
from kgpub.graph.record_reader import Agent, StoredRecord, date_parts

# FaBiO class -> CSL type; the first class the record has wins, so a conference article or a
# review published in a journal is cited as a journal article.
CSL_TYPES = (
    ("JournalArticle", "article-journal"), ("BookChapter", "chapter"),
    ("ConferencePaper", "paper-conference"), ("ConferencePoster", "speech"),
    ("ReferenceEntry", "entry-encyclopedia"), ("DoctoralThesis", "thesis"), ("MastersThesis", "thesis"),
    ("Thesis", "thesis"), ("ReportDocument", "report"), ("Book", "book"), ("Preprint", "article"),
    ("MagazineArticle", "article-magazine"), ("ReviewArticle", "review"),
    ("Letter", "article-journal"), ("Comment", "article-journal"), ("JournalEditorial", "article-journal"),
    ("PeriodicalItem", "article-journal"), ("JournalIssue", "periodical"),
    ("ComputerProgram", "software"), ("WebContent", "webpage"), ("PatentDocument", "patent"),
)
DEFAULT_CSL_TYPE = "article"
# Classes whose Pure label says what kind of work it is ("Doctoral Thesis", "Preprint",
# "Commissioned report"): that label becomes CSL's genre.
GENRE_CLASSES = ("Thesis", "DoctoralThesis", "MastersThesis", "ReportDocument", "Preprint")

# A record that is not (yet) published: its furthest status, as CSL's `status` words it.
UNPUBLISHED_STATUSES = {"early-online": "advance online publication", "in-press": "in press", "accepted": "accepted",
                        "submitted": "submitted", "unpublished": "unpublished"}


# ---- a stored record -> CSL-JSON -------------------------------------------------------------

def csl_item(record: StoredRecord) -> dict:
    """The CSL-JSON item of a stored record (record_reader.py); ValueError when it has nothing to cite."""
    if not (record.title or record.subtitle or record.authors or record.identifiers):
        raise ValueError(f"record {record.iri}: nothing is said of it")
    item: dict = {"id": record.iri, "type": csl_type(record)}
    if record.is_a(*GENRE_CLASSES) and record.type and record.type.label:
        item["genre"] = record.type.label.split("›")[-1].strip()  # "Thesis › Doctoral Thesis"
    if record.title:
        # CSL has no subtitle variable: styles expect "Title: Subtitle" (as Zotero writes it).
        item["title"] = record.full_title
    for key, people in (("author", record.authors), ("editor", record.editors)):
        if people:
            item[key] = [csl_name(person) for person in people]
    item.update(container_fields(record))
    item.update(page_fields(record))
    item.update(date_fields(record))
    item.update(identifier_fields(record))
    item.update(description_fields(record))
    return item


def csl_type(record: StoredRecord) -> str:
    for fabio_class, csl in CSL_TYPES:
        if record.is_a(fabio_class):
            return csl
    # An untyped piece in a journal (an abstract, an erratum) is still a journal contribution.
    return "article-journal" if record.journal else DEFAULT_CSL_TYPE


def csl_name(person: Agent) -> dict:
    if person.family_name:
        return {"family": person.family_name, "given": person.given_name} if person.given_name \
            else {"family": person.family_name}
    return {"literal": person.name}


def container_fields(record: StoredRecord) -> dict:
    fields: dict = {}
    put(fields, "issue", record.issue.number if record.issue else None)
    put(fields, "volume", record.volume.number if record.volume else None)
    if record.journal:
        put(fields, "container-title", record.journal.title)
        put(fields, "ISSN", next(iter(record.journal.values("issn", "eissn")), None))
    elif record.host:
        put(fields, "container-title", record.host.title)
    if record.series:
        put(fields, "collection-title", record.series[0].title)
        put(fields, "collection-number", record.series_volume)  # the publication's volume in its series
    put(fields, "ISBN", next(iter(record.isbns), None))
    put(fields, "publisher", record.publisher.title if record.publisher else None)
    if record.event:
        put(fields, "event-title", record.event.name)
        put(fields, "event-place", record.event.place)
    return fields


def put(fields: dict, key: str, value) -> None:
    """Set a field once, and only with a value."""
    if value and key not in fields:
        fields[key] = value


def page_fields(record: StoredRecord) -> dict:
    fields: dict = {}
    if record.start_page:
        end = record.end_page
        fields["page"] = f"{record.start_page}-{end}" if end and end != record.start_page else record.start_page
    put(fields, "number-of-pages", record.page_count)
    put(fields, "number", record.article_number)
    return fields


def date_fields(record: StoredRecord) -> dict:
    parts = date_parts(record.publication_date)
    fields: dict = {}
    if not record.status("published"):
        for name, words in UNPUBLISHED_STATUSES.items():
            if status := record.status(name):
                fields["status"] = words
                # An unpublished work is cited with the date of its status (a preprint's submission).
                parts = parts or date_parts(status.date)
                break
    if parts:
        fields["issued"] = {"date-parts": [parts]}
    return fields


def identifier_fields(record: StoredRecord) -> dict:
    fields: dict = {}
    put(fields, "DOI", record.doi)
    put(fields, "URL", DOI_RESOLVER + record.doi if record.doi else next(iter(sorted(record.urls)), None))
    return fields


def description_fields(record: StoredRecord) -> dict:
    fields: dict = {}
    put(fields, "abstract", record.abstract)
    put(fields, "language", record.language)
    put(fields, "keyword", ", ".join(sorted(record.keywords)))
    return fields


def check_item(item: dict) -> None:
    """The shapes citeproc-py needs, so odd input is a ValueError naming the field, not a crash."""
    if not isinstance(item, dict):
        raise ValueError(f"a CSL item is a JSON object, not {type(item).__name__}")
    for key in ("author", "editor"):
        names = item.get(key)
        if names and not (isinstance(names, list) and all(isinstance(n, dict) for n in names)):
            raise ValueError(f"CSL field {key!r}: expected a list of names, "
                             '[{"family": …, "given": …} or {"literal": …}, …]')
    issued = item.get("issued")
    if issued and not (isinstance(issued, dict) and isinstance(issued.get("date-parts", []), list)
                       and all(isinstance(p, list) and all(isinstance(n, int) for n in p)
                               for p in issued.get("date-parts", []))):
        raise ValueError('CSL field \'issued\': expected {"date-parts": [[year, month, day]]}')
