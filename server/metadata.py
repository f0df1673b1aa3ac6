"""Metadata for machines in a record page: Google Scholar's Highwire `citation_*` tags and the
schema.org description embedded as JSON-LD, both from the record's view (views.py)."""
from __future__ import annotations

import json

from markupsafe import Markup

from kgpub.server.views import RecordView, highwire_date


def highwire_tags(view: RecordView, doc_url: str | None = None) -> list[tuple[str, str]]:
    """Google Scholar's citation_* tags, one per value, authors in order."""
    thesis = view.is_a("DoctoralThesis", "MastersThesis", "Thesis")
    conference = view.event or (view.host_title if view.is_a("ConferencePaper") else None)
    tags = [("citation_title", view.full_title)]
    tags += [("citation_author", author.citation_name) for author in view.authors]
    tags += [
        ("citation_publication_date", highwire_date(view.publication_date)),
        ("citation_journal_title", view.journal.text if view.journal else None),
        ("citation_volume", view.volume.text if view.volume else None),
        ("citation_issue", view.issue.text if view.issue else None),
        ("citation_firstpage", view.start_page),
        ("citation_lastpage", view.end_page),
        ("citation_doi", view.doi),
    ]
    tags += [("citation_issn", issn) for issn in view.issns]
    tags += [("citation_isbn", isbn) for isbn in view.isbns]
    tags += [
        ("citation_inbook_title", view.host_title if view.is_a("BookChapter") else None),
        ("citation_conference_title", conference),
        # A thesis's publisher in Pure is the awarding institution (see examples/doctoral-thesis.txt).
        ("citation_dissertation_institution", view.publisher.text if thesis and view.publisher else None),
        ("citation_publisher", view.publisher.text if view.publisher and not thesis else None),
        ("citation_language", view.language),
        ("citation_abstract_html_url", doc_url),
    ]
    return [(name, content) for name, content in tags if content]


SCHEMA_TYPES = (("BookChapter", "Chapter"), ("DoctoralThesis", "Thesis"), ("MastersThesis", "Thesis"),
                ("Book", "Book"), ("ReportDocument", "Report"))


def schema_org(view: RecordView, doc_url: str) -> dict:
    """The schema.org description embedded in the page as JSON-LD (Google Scholar, Dataset Search)."""
    kind = next((schema for fabio, schema in SCHEMA_TYPES if view.is_a(fabio)), "ScholarlyArticle")
    data: dict = {"@context": "https://schema.org", "@type": kind, "@id": view.iri, "url": doc_url,
                  "name": view.full_title}
    data["author"] = [{"@type": "Person", "@id": a.iri, "name": a.name,
                       **({"givenName": a.given_name} if a.given_name else {}),
                       **({"familyName": a.family_name} if a.family_name else {})} for a in view.authors]
    optional = {
        "datePublished": view.publication_date, "inLanguage": view.language, "abstract": view.abstract,
        "pageStart": view.start_page, "pageEnd": view.end_page, "numberOfPages": view.page_count,
        "pagination": "-".join(p for p in (view.start_page, view.end_page) if p) or None,
        "identifier": view.doi_url, "sameAs": view.doi_url, "keywords": view.keywords or None,
        "about": [{"@type": "DefinedTerm", "@id": s.iri, "name": s.name, "termCode": s.code}
                  for s in view.subjects] or None,
        "publisher": ({"@type": "Organization", "@id": view.publisher.iri, "name": view.publisher.text}
                      if view.publisher else None),
        "isPartOf": container(view),
        "isbn": view.isbns if view.isbns and not view.host_title else None,
    }
    data.update({key: value for key, value in optional.items() if value})
    return data


def container(view: RecordView) -> dict | None:
    if view.host_title:
        host = {"@type": "Book", "name": view.host_title}
        return {**host, "isbn": view.isbns} if view.isbns else host
    part = None
    if view.journal:
        part = {"@type": "Periodical", "@id": view.journal.iri, "name": view.journal.text}
        if view.issns:
            part["issn"] = view.issns
    for kind, level, key in (("PublicationVolume", view.volume, "volumeNumber"),
                             ("PublicationIssue", view.issue, "issueNumber")):
        if level:
            part = {"@type": kind, "@id": level.iri, key: level.text, **({"isPartOf": part} if part else {})}
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
