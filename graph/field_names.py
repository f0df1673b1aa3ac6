"""What a SHACL finding is about, in the words of the record's source: "TI" in RIS, "year" in
BibTeX, "Publication status" on a Pure page, rather than `dcterms:title` or `prism:publicationDate`.
The RDF term stays in the JSON report (Problem.term); the console and the report's `field` name the
source's field, so that an importer's problem and a SHACL finding about one field become one message.

Two tables: which record field an RDF path on a kind of node comes from, and what each source
format calls that record field (the first name is shown; all of them are the importer's names for it).
"""
from __future__ import annotations

from kgpub.graph import iris
from kgpub.graph.namespaces import (C4O, DATACITE, DCTERMS, FABIO, FOAF, FRBR, KGV, LITERAL, OCO, PRISM, PRO, PSO,
                                    SCHEMA)

# (RDF path, the kind of node it is on: node_kind()) -> the record field it comes from.
RECORD_FIELDS = {
    (DCTERMS.title, "output"): "title", (FABIO.hasSubtitle, "output"): "subtitle",
    (DCTERMS.title, "host"): "host title", (DCTERMS.title, "journal"): "journal",
    (DCTERMS.title, "series"): "series", (PRISM.publicationDate, "output"): "date",
    (DCTERMS.date, "status"): "date", (PSO.withStatus, "status"): "date", (PSO.holdsStatusInTime, "output"): "date",
    (PRO.isDocumentContextFor, "output"): "authors", (OCO.hasNext, "author"): "authors",
    (PRO.isHeldBy, "author"): "authors", (PRO.withRole, "author"): "authors",
    (FOAF.name, "person"): "authors", (FOAF.givenName, "person"): "authors", (FOAF.familyName, "person"): "authors",
    (FRBR.partOf, "output"): "journal", (FRBR.partOf, "issue"): "volume",
    (FABIO.hasSequenceIdentifier, "issue"): "issue", (FABIO.hasSequenceIdentifier, "output"): "issue", (FABIO.hasSequenceIdentifier, "volume"): "volume",
    (DCTERMS.abstract, "output"): "abstract", (DCTERMS.language, "output"): "language",
    (KGV.languageLabel, "output"): "language", (DCTERMS.type, "output"): "type",
    (PRISM.startingPage, "output"): "pages", (PRISM.endingPage, "output"): "pages",
    (FABIO.hasPageCount, "output"): "pages", (FABIO.hasElectronicArticleIdentifier, "output"): "article number",
    (DCTERMS.publisher, "output"): "publisher", (DCTERMS.publisher, "host"): "publisher",
    (PRISM.keyword, "output"): "keywords", (DCTERMS.subject, "output"): "subjects",
    (FABIO.hasURL, "output"): "url", (KGV.presentedAt, "output"): "event",
    (SCHEMA.name, "event"): "event", (SCHEMA.startDate, "event"): "event", (SCHEMA.endDate, "event"): "event",
    (SCHEMA.location, "event"): "event", (C4O.hasGlobalCitationFrequency, "output"): "citations",
    (C4O.hasGlobalCountValue, "citations"): "citations", (C4O.hasGlobalCountDate, "citations"): "citations",
    (C4O.hasGlobalCountSource, "citations"): "citations",
    (DATACITE.hasIdentifier, "output"): "DOI", (LITERAL.hasLiteralValue, "doi identifier"): "DOI",
    (LITERAL.hasLiteralValue, "issn identifier"): "ISSN", (LITERAL.hasLiteralValue, "isbn identifier"): "ISBN",
    (LITERAL.hasLiteralValue, "orcid identifier"): "authors",
    (DATACITE.hasIdentifier, "journal"): "ISSN", (DATACITE.hasIdentifier, "host"): "ISBN",
}

# record field -> format -> the source's names for it (the first is the one shown).
SOURCE_NAMES = {
    "title": {"bibtex": ("title",), "ris": ("TI", "T1"), "csl-json": ("title",), "crossref": ("title",),
              "oc-meta": ("title",), "pure-json": ("title",), "pure-page": ("Title",)},
    "subtitle": {"bibtex": ("subtitle",), "ris": ("ST",), "csl-json": ("title",), "crossref": ("subtitle",),
                 "pure-json": ("subTitle",), "pure-page": ("Title",)},
    "host title": {"bibtex": ("booktitle", "crossref"), "ris": ("T2", "BT"), "csl-json": ("container-title",),
                   "crossref": ("container-title",), "oc-meta": ("venue",), "pure-json": ("hostPublicationTitle",),
                   "pure-page": ("Title of host publication",)},
    "journal": {"bibtex": ("journal", "journaltitle"), "ris": ("JO", "JF", "T2", "JA", "J2"),
                "csl-json": ("container-title",), "crossref": ("container-title",), "oc-meta": ("venue",),
                "pure-json": ("journalAssociation",), "pure-page": ("Journal",)},
    "series": {"bibtex": ("series",), "ris": ("T3",), "csl-json": ("collection-title",)},
    "date": {"bibtex": ("year", "date", "month"), "ris": ("PY", "Y1", "DA"), "csl-json": ("issued",),
             "crossref": ("published", "issued"), "oc-meta": ("pub_date",), "pure-json": ("publicationStatuses",),
             "pure-page": ("Publication status", "State")},
    "authors": {"bibtex": ("author",), "ris": ("AU", "A1"), "csl-json": ("author",), "crossref": ("author",),
                "oc-meta": ("author",), "pure-json": ("contributors", "personAssociations"),
                "pure-page": ("Authors",)},
    "volume": {"bibtex": ("volume",), "ris": ("VL", "VO"), "csl-json": ("volume",), "crossref": ("volume",),
               "oc-meta": ("volume",), "pure-json": ("volume",), "pure-page": ("Volume",)},
    "issue": {"bibtex": ("number", "issue"), "ris": ("IS",), "csl-json": ("issue",), "crossref": ("issue",),
              "oc-meta": ("issue",), "pure-json": ("journalNumber",), "pure-page": ("Issue number",)},
    "pages": {"bibtex": ("pages", "pagetotal"), "ris": ("SP", "EP"), "csl-json": ("page", "number-of-pages"),
              "crossref": ("page",), "oc-meta": ("page",), "pure-json": ("pages", "numberOfPages"),
              "pure-page": ("Pages (from-to)", "Pages", "Number of pages")},
    "abstract": {"bibtex": ("abstract",), "ris": ("AB", "N2"), "csl-json": ("abstract",), "crossref": ("abstract",),
                 "pure-json": ("abstract",), "pure-page": ("Abstract",)},
    "language": {"bibtex": ("language", "langid"), "ris": ("LA",), "csl-json": ("language",),
                 "crossref": ("language",), "pure-json": ("language",), "pure-page": ("Original language",)},
    "type": {"bibtex": ("ENTRYTYPE",), "ris": ("TY",), "csl-json": ("type",), "crossref": ("type",),
             "oc-meta": ("type",), "pure-json": ("type",), "pure-page": ("Research output",)},
    "publisher": {"bibtex": ("publisher",), "ris": ("PB",), "csl-json": ("publisher",), "crossref": ("publisher",),
                  "oc-meta": ("publisher",), "pure-json": ("publisher",), "pure-page": ("Publisher",)},
    "keywords": {"bibtex": ("keywords",), "ris": ("KW",), "csl-json": ("keyword",), "pure-json": ("keywordGroups",),
                 "pure-page": ("Keywords",)},
    "DOI": {"bibtex": ("doi",), "ris": ("DO",), "csl-json": ("DOI",), "crossref": ("DOI",),
            "oc-meta": ("id",), "pure-json": ("electronicVersions",), "pure-page": ("DOI", "DOIs")},
    "ISSN": {"bibtex": ("issn",), "ris": ("SN",), "csl-json": ("ISSN",), "crossref": ("ISSN",), "oc-meta": ("venue",),
             "pure-page": ("ISSN",)},
    "ISBN": {"bibtex": ("isbn",), "ris": ("SN",), "csl-json": ("ISBN",), "crossref": ("ISBN",),
             "pure-page": ("ISBN (Print)", "ISBN (Electronic)")},
}


# An identifier node's fragment ("#doi", "#issn", "#host-isbn-1") -> what kind of identifier it is.
IDENTIFIER_KINDS = {"doi": "doi identifier", "uuid": "pure identifier", "eid": "scopus identifier",
                    "issn": "issn identifier", "eissn": "issn identifier", "orcid": "orcid identifier"}


def node_kind(focus: str) -> str:
    """What a finding's focus node is, from its IRI (iris.py, mapping.py's #parts)."""
    head, _, fragment = focus.partition("#")
    if fragment:
        parts = fragment.split("-")
        if parts[-1] in IDENTIFIER_KINDS:
            return IDENTIFIER_KINDS[parts[-1]]
        if len(parts) > 1 and parts[-2] in ("isbn", "issn"):  # "#host-isbn-1", "#series-1-issn-2"
            return f"{parts[-2]} identifier"
        return {"host": "host", "author": "author", "status": "status", "event": "event", "series": "series",
                "citations": "citations", "topic": "topic"}.get(parts[0], "other")
    if iris.is_output(focus):
        return "output"
    if f"/{iris.THING}journal/" in focus:
        return "issue" if "/issue/" in focus else "volume" if "/volume/" in focus else "journal"
    if f"/{iris.THING}person/" in focus:
        return "person"
    return "other"


def record_field(path: str | None, focus: str) -> str | None:
    """The record field a finding on `path` at `focus` is about; None when the table does not say."""
    if path is None:
        return None
    return next((field for (term, kind), field in RECORD_FIELDS.items()
                 if term.value == path and kind == node_kind(focus)), None)


def source_names(field: str, formats: set[str]) -> tuple[str, ...]:
    """What the record's source formats call a record field, first the one to show; the record
    field's own name when no format says (a work merged from several sources shows each's)."""
    names = tuple(dict.fromkeys(n for f in sorted(formats) for n in SOURCE_NAMES.get(field, {}).get(f, ())))
    return names or (field,)
