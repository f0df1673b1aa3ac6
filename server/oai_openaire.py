"""The `oai_openaire` metadata of a research output for OAI-PMH (oai_pmh.py): the OpenAIRE
Guidelines for Literature Repositories v4 (DataCite, Dublin Core and OpenAIRE elements), mapped
from the stored record (graph/record_reader.py) by one table, ELEMENTS.

Its type is a COAR resource type, found from the record's FaBiO classes (COAR_TYPES, most specific
first). Access rights are "metadata only": kgpub publishes metadata and no source it imports gives
a file or a licence, so nothing here claims one.
"""
from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

import langcodes

from kgpub.graph.record_reader import Agent, StoredRecord

NAMESPACE = "http://namespace.openaire.eu/schema/oaire/"
SCHEMA = "https://www.openaire.eu/schema/repo-lit/4.0/openaire.xsd"
DATACITE = "http://datacite.org/schema/kernel-4"
DC = "http://purl.org/dc/elements/1.1/"
COAR_TYPE = "http://purl.org/coar/resource_type/"
METADATA_ONLY = "http://purl.org/coar/access_right/c_14cb"
ORCID = "https://orcid.org/"

# FaBiO class -> (COAR resource type, its label, resourceTypeGeneral); the first class a record has wins.
COAR_TYPES = (
    ("DoctoralThesis", "c_db06", "doctoral thesis", "literature"),
    ("MastersThesis", "c_bdcc", "master thesis", "literature"),
    ("Thesis", "c_46ec", "thesis", "literature"),
    ("ReviewArticle", "c_dcae04bc", "review article", "literature"),
    ("JournalEditorial", "c_b239", "editorial", "literature"),
    ("Letter", "c_545b", "letter to the editor", "literature"),
    ("ConferencePoster", "c_6670", "conference poster", "literature"),
    ("ConferencePaper", "c_5794", "conference paper", "literature"),
    ("Abstract", "c_c94f", "conference object", "literature"),
    ("JournalArticle", "c_6501", "journal article", "literature"),
    ("Comment", "c_3e5a", "contribution to journal", "literature"),
    ("MagazineArticle", "c_3e5a", "contribution to journal", "literature"),
    ("PeriodicalItem", "c_3e5a", "contribution to journal", "literature"),
    ("JournalIssue", "c_0640", "journal", "literature"),
    ("BookChapter", "c_3248", "book part", "literature"),
    ("ReferenceEntry", "c_3248", "book part", "literature"),
    ("Book", "c_2f33", "book", "literature"),
    ("Preprint", "c_816b", "preprint", "literature"),
    ("ReportDocument", "c_93fc", "report", "literature"),
    ("PatentDocument", "c_15cd", "patent", "literature"),
    ("ComputerProgram", "c_5ce6", "software", "software"),
    ("WebContent", "c_7ad9", "website", "other research product"),
)
OTHER_TYPE = ("c_1843", "other", "other research product")


def resource_type(r: StoredRecord) -> str:
    uri, label, general = next(((uri, label, general) for cls, uri, label, general in COAR_TYPES if r.is_a(cls)),
                               OTHER_TYPE)
    return f'<resourceType resourceTypeGeneral="{general}" uri="{COAR_TYPE}{uri}">{label}</resourceType>'


def titles(r: StoredRecord) -> str:
    subtitle = f'<datacite:title titleType="Subtitle">{escape(r.subtitle)}</datacite:title>' if r.subtitle else ""
    return f"<datacite:titles><datacite:title>{escape(r.title or r.subtitle or '')}</datacite:title>{subtitle}</datacite:titles>"


def person(agent: Agent, element: str, attributes: str = "") -> str:
    parts = [f'<datacite:{element}Name nameType="Personal">{escape(agent.name)}</datacite:{element}Name>']
    if agent.given_name:
        parts.append(f"<datacite:givenName>{escape(agent.given_name)}</datacite:givenName>")
    if agent.family_name:
        parts.append(f"<datacite:familyName>{escape(agent.family_name)}</datacite:familyName>")
    if agent.orcid:
        parts.append(f'<datacite:nameIdentifier nameIdentifierScheme="ORCID" schemeURI="{ORCID}">'
                     f"{ORCID}{escape(agent.orcid)}</datacite:nameIdentifier>")
    return f"<datacite:{element}{attributes}>{''.join(parts)}</datacite:{element}>"


def creators(r: StoredRecord) -> str | None:
    authors = "".join(person(a, "creator") for a in r.authors)
    return authors and f"<datacite:creators>{authors}</datacite:creators>"


def contributors(r: StoredRecord) -> str | None:
    editors = "".join(person(e, "contributor", ' contributorType="Editor"') for e in r.editors)
    return editors and f"<datacite:contributors>{editors}</datacite:contributors>"


def identifier(r: StoredRecord) -> str:
    """The DOI where there is one (the guidelines' preference), else our IRI."""
    kind, value = ("DOI", r.doi) if r.doi else ("URL", r.iri)
    return f'<datacite:identifier identifierType="{kind}">{escape(value)}</datacite:identifier>'


def alternate_identifiers(r: StoredRecord) -> str | None:
    others = [("URL", r.iri)] if r.doi else []
    others += [("ISBN", isbn) for isbn in r.isbns if r.is_a("Book")]
    items = "".join(f'<datacite:alternateIdentifier alternateIdentifierType="{kind}">{escape(value)}'
                    f"</datacite:alternateIdentifier>" for kind, value in others)
    return items and f"<datacite:alternateIdentifiers>{items}</datacite:alternateIdentifiers>"


def related_identifiers(r: StoredRecord) -> str | None:
    """The journal's ISSNs, or the host book's ISBNs, as what the output is part of."""
    related = [(i.scheme.upper(), i.value) for i in (r.journal.identifiers if r.journal else ())
               if i.scheme in ("issn", "eissn")]
    related += [("ISBN", isbn) for isbn in r.isbns if not r.is_a("Book")]
    items = "".join(f'<datacite:relatedIdentifier relatedIdentifierType="{kind}" relationType="IsPartOf">'
                    f"{escape(value)}</datacite:relatedIdentifier>" for kind, value in dict.fromkeys(related))
    return items and f"<datacite:relatedIdentifiers>{items}</datacite:relatedIdentifiers>"


def dates(r: StoredRecord) -> str | None:
    found = [("Issued", r.publication_date)]
    found += [("Accepted", s.date) for s in r.statuses if s.name == "accepted"]
    found += [("Submitted", s.date) for s in r.statuses if s.name == "submitted"]
    items = "".join(f'<datacite:date dateType="{kind}">{escape(date)}</datacite:date>' for kind, date in found if date)
    return items and f"<datacite:dates>{items}</datacite:dates>"


def language(r: StoredRecord) -> str | None:
    """ISO 639-3, as the guidelines ask (a record keeps ISO 639-1 or -2)."""
    if not r.language:
        return None
    try:
        return f"<dc:language>{langcodes.Language.get(r.language).to_alpha3()}</dc:language>"
    except (LookupError, ValueError):
        return None


def subjects(r: StoredRecord) -> str | None:
    items = [f"<datacite:subject>{escape(k)}</datacite:subject>" for k in r.keywords]
    items += [f'<datacite:subject subjectScheme="ASJC" valueURI={quoteattr(s.iri)}>{escape(s.label)}</datacite:subject>'
              for s in r.subjects if s.label]
    return items and f"<datacite:subjects>{''.join(items)}</datacite:subjects>"


def simple(element: str, value: str | None) -> str | None:
    return f"<{element}>{escape(value)}</{element}>" if value else None


def citation_title(r: StoredRecord) -> str | None:
    return (r.journal and r.journal.title) or (r.host and r.host.title) or None


ELEMENTS = (
    titles,
    creators,
    contributors,
    identifier,
    alternate_identifiers,
    related_identifiers,
    dates,
    language,
    lambda r: simple("dc:publisher", r.publisher.title if r.publisher else None),
    resource_type,
    lambda r: simple("dc:description", r.abstract),
    lambda r: f'<datacite:rights rightsURI="{METADATA_ONLY}">metadata only access</datacite:rights>',
    subjects,
    lambda r: simple("citationTitle", citation_title(r)),
    lambda r: simple("citationVolume", r.volume.number if r.volume else None),
    lambda r: simple("citationIssue", r.issue.number if r.issue else None),
    lambda r: simple("citationStartPage", r.start_page),
    lambda r: simple("citationEndPage", r.end_page),
    lambda r: simple("citationConferencePlace", r.event.place if r.event else None),
    lambda r: simple("citationConferenceDate", r.event and "/".join(filter(None, (r.event.start, r.event.end)))),
)


def metadata(record: StoredRecord) -> str:
    values = "".join(element for read in ELEMENTS if (element := read(record)))
    return (f'<resource xmlns="{NAMESPACE}" xmlns:datacite="{DATACITE}" xmlns:dc="{DC}" '
            f'xsi:schemaLocation="{NAMESPACE} {SCHEMA}">{values}</resource>')
