"""The `oai_dc` metadata of a research output for OAI-PMH (oai_pmh.py): unqualified Dublin Core,
mapped from the stored record (graph/record_reader.py) by one table."""
from __future__ import annotations

from xml.sax.saxutils import escape

from kgpub.graph.mapping import DOI_RESOLVER
from kgpub.graph.record_reader import StoredRecord

NAMESPACE = "http://www.openarchives.org/OAI/2.0/oai_dc/"
SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
DC = "http://purl.org/dc/elements/1.1/"

# Dublin Core element -> its values for a record, in the order DC lists its elements.
ELEMENTS = (
    ("title", lambda r: [r.full_title]),
    ("creator", lambda r: [a.name for a in r.authors]),
    ("subject", lambda r: [*r.keywords, *(s.label for s in r.subjects)]),
    ("description", lambda r: [r.abstract]),
    ("publisher", lambda r: [r.publisher.title if r.publisher else None]),
    ("contributor", lambda r: [e.name for e in r.editors]),
    ("date", lambda r: [r.publication_date]),
    ("type", lambda r: [r.type.label if r.type else None, *(f"http://purl.org/spar/fabio/{c}" for c in r.classes)]),
    ("identifier", lambda r: [r.iri, DOI_RESOLVER + r.doi if r.doi else None]),
    ("source", lambda r: [r.journal.title if r.journal else None]),
    ("language", lambda r: [r.language]),
)


def metadata(record: StoredRecord) -> str:
    values = "".join(f"<dc:{name}>{escape(value)}</dc:{name}>"
                     for name, read in ELEMENTS for value in dict.fromkeys(read(record)) if value)
    return (f'<oai_dc:dc xmlns:oai_dc="{NAMESPACE}" xmlns:dc="{DC}" '
            f'xsi:schemaLocation="{NAMESPACE} {SCHEMA}">{values}</oai_dc:dc>')
