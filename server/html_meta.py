"""Metadata for machines in a record page: Google Scholar's Highwire `citation_*` tags and the
schema.org description embedded as JSON-LD, both from the stored record (record_reader.py)."""
from __future__ import annotations

import json

from markupsafe import Markup

from kgpub.graph.mapping import DOI_RESOLVER
from kgpub.graph.record_reader import Agent, StoredRecord, date_parts


def highwire_tags(record: StoredRecord, doc_url: str | None = None) -> list[tuple[str, str]]:
    """Google Scholar's citation_* tags, one per value, authors in order."""
    thesis = record.is_a("DoctoralThesis", "MastersThesis", "Thesis")
    host = record.host.title if record.host else None
    conference = (record.event.name if record.event else None) or (host if record.is_a("ConferencePaper") else None)
    publisher = record.publisher.title if record.publisher else None
    tags = [("citation_title", record.full_title)]
    tags += [("citation_author", citation_name(author)) for author in record.authors]
    tags += [
        ("citation_publication_date", highwire_date(record.publication_date)),
        ("citation_journal_title", record.journal.title if record.journal else None),
        ("citation_volume", record.volume.number if record.volume else None),
        ("citation_issue", record.issue.number if record.issue else None),
        ("citation_firstpage", record.start_page),
        ("citation_lastpage", record.end_page),
        ("citation_doi", record.doi),
    ]
    tags += [("citation_issn", issn) for issn in issns(record)]
    tags += [("citation_isbn", isbn) for isbn in record.isbns]
    tags += [
        ("citation_inbook_title", host if record.is_a("BookChapter") else None),
        ("citation_conference_title", conference),
        # A thesis's publisher in Pure is the awarding institution (see examples/doctoral-thesis.txt).
        ("citation_dissertation_institution", publisher if thesis else None),
        ("citation_publisher", publisher if not thesis else None),
        ("citation_language", record.language),
        ("citation_abstract_html_url", doc_url),
    ]
    return [(name, content) for name, content in tags if content]


def citation_name(author: Agent) -> str:
    """"Family, Given": the form Google Scholar reads without guessing."""
    if author.family_name and author.given_name:
        return f"{author.family_name}, {author.given_name}"
    return author.name


def highwire_date(lexical: str | None) -> str | None:
    """"2006-03" -> "2006/03"."""
    parts = date_parts(lexical)
    return "/".join(f"{p:02d}" if n else str(p) for n, p in enumerate(parts)) if parts else None


def issns(record: StoredRecord) -> tuple[str, ...]:
    return record.journal.values("issn", "eissn") if record.journal else ()


SCHEMA_TYPES = (("BookChapter", "Chapter"), ("DoctoralThesis", "Thesis"), ("MastersThesis", "Thesis"),
                ("Book", "Book"), ("ReportDocument", "Report"))


def schema_type(record: StoredRecord) -> str:
    """The schema.org type of a research output (its page's JSON-LD, its Signposting `type`)."""
    return next((schema for fabio, schema in SCHEMA_TYPES if record.is_a(fabio)), "ScholarlyArticle")


def schema_org(record: StoredRecord, doc_url: str) -> dict:
    """The schema.org description embedded in the page as JSON-LD (Google Scholar, Dataset Search)."""
    kind = schema_type(record)
    doi_url = DOI_RESOLVER + record.doi if record.doi else None
    data: dict = {"@context": "https://schema.org", "@type": kind, "@id": record.iri, "url": doc_url,
                  "name": record.full_title}
    data["author"] = [{"@type": "Person", "@id": a.iri, "name": a.name,
                       **({"givenName": a.given_name} if a.given_name else {}),
                       **({"familyName": a.family_name} if a.family_name else {})} for a in record.authors]
    optional = {
        "datePublished": record.publication_date, "inLanguage": record.language, "abstract": record.abstract,
        "pageStart": record.start_page, "pageEnd": record.end_page, "numberOfPages": record.page_count,
        "pagination": "-".join(p for p in (record.start_page, record.end_page) if p) or None,
        "identifier": doi_url, "sameAs": doi_url, "keywords": list(record.keywords) or None,
        "about": [{"@type": "DefinedTerm", "@id": s.iri, "name": s.label or s.code, "termCode": s.code}
                  for s in record.subjects] or None,
        "publisher": ({"@type": "Organization", "@id": record.publisher.iri, "name": record.publisher.title}
                      if record.publisher else None),
        "isPartOf": container(record),
        "isbn": list(record.isbns) if record.isbns and not record.host else None,
    }
    data.update({key: value for key, value in optional.items() if value})
    return data


def container(record: StoredRecord) -> dict | None:
    if record.host:
        host = {"@type": "Book", "name": record.host.title}
        return {**host, "isbn": list(record.isbns)} if record.isbns else host
    part = None
    if record.journal:
        part = {"@type": "Periodical", "@id": record.journal.iri, "name": record.journal.title}
        if issns(record):
            part["issn"] = list(issns(record))
    for kind, level, key in (("PublicationVolume", record.volume, "volumeNumber"),
                             ("PublicationIssue", record.issue, "issueNumber")):
        if level:
            part = {"@type": kind, "@id": level.iri, key: level.number, **({"isPartOf": part} if part else {})}
    return part


def script_json(obj) -> Markup:
    """JSON to put inside <script>: `<`, `>`, `&` and `'` as \\u escapes, so no "</script>" in a
    title can end the script. A str is taken to be JSON text already. Idempotent."""
    raw = str(obj) if isinstance(obj, str) else json.dumps(obj, ensure_ascii=False)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027")):
        raw = raw.replace(char, escaped)
    return Markup(raw)


def init_app(app) -> None:
    """What the templates need from this module: the `script_json` filter."""
    app.add_template_filter(script_json, "script_json")
