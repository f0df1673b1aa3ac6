"""View models for pages of things other than records: journals, volumes, issues, persons, ASJC
concepts, Pure types, topics and publishers. A label, what kind of thing it is, and one row per
property; the page adds what links to it (server/documents.py)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import rdflib
from rdflib import URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, RDFS, SKOS

from kgpub.server.views import (DATACITE, FABIO, FRBR, KGV, Row, base_of, compact, identifier_link,
                                identifiers, label_of, link_to, natural_key, objects, part_label)

KINDS_BY_CLASS = {FABIO.Journal: "Journal", FABIO.JournalVolume: "Journal volume",
                  FABIO.JournalIssue: "Journal issue", FOAF.Person: "Person"}
KINDS_BY_PATH = (  # the IRI layout of docs/modelling.md, below the base
    (r"id/asjc/area/", "ASJC broad subject area"), (r"id/asjc/\d{4}$", "ASJC subject area"),
    (r"id/asjc/\d{2}$", "ASJC major subject area"), (r"id/asjc$", "ASJC classification"),
    (r"id/type/[^/]+/", "Research output type"), (r"id/type/[^/]+$", "Research output type group"),
    (r"id/type$", "Research output types"), (r"id/topic/", "Fingerprint topic"),
    (r"id/publisher/", "Publisher"), (r"id/person/", "Person"), (r"id/journal/.*/issue/", "Journal issue"),
    (r"id/journal/.*/volume/", "Journal volume"), (r"id/journal/", "Journal"), (r"id/output/", "Research output"),
)
BACKLINK_HEADINGS = {
    "Person": "Research outputs", "ASJC subject area": "Research outputs", "Research output type": "Research outputs",
    "Fingerprint topic": "Research outputs", "Publisher": "Research outputs", "Journal issue": "Research outputs",
    "Journal": "Volumes, issues and research outputs", "Journal volume": "Issues and research outputs",
    "ASJC major subject area": "Subject areas", "ASJC broad subject area": "Major subject areas",
    "Research output type group": "Research output types",
}
PROPERTY_LABELS = {
    DCTERMS.title: "Title", FOAF.name: "Name", FOAF.givenName: "Given name", FOAF.familyName: "Family name",
    SKOS.prefLabel: "Name", SKOS.altLabel: "Also called", SKOS.notation: "Code", SKOS.definition: "Definition",
    FABIO.hasSequenceIdentifier: "Number", FRBR.partOf: "Part of", SKOS.broader: "Broader",
    SKOS.narrower: "Narrower", SKOS.topConceptOf: "Top concept of", SKOS.hasTopConcept: "Top concepts",
    SKOS.inScheme: "In scheme", KGV.topicDomain: "Domain", KGV.fabioClass: "FaBiO class",
    KGV.pureUri: "Pure type URI", SKOS.exactMatch: "Same concept elsewhere", OWL.sameAs: "Same as",
    RDFS.label: "Label", RDFS.comment: "Description",
}
SKIPPED = {RDF.type, KGV.contentDigest, DATACITE.hasIdentifier}


@dataclass
class ThingView:
    iri: str
    label: str
    kind: str  # "Journal", "Person", "ASJC subject area", ...
    rows: list[Row] = field(default_factory=list)

    @property
    def backlinks_heading(self) -> str:
        """What links here, as a heading: mostly research outputs, for some kinds their parts."""
        return BACKLINK_HEADINGS.get(self.kind, "Linked from")


def thing_view(graph: rdflib.Graph, iri: str) -> ThingView:
    """A label, what kind of thing it is, and one row per property it has in its document."""
    thing, base = URIRef(iri), base_of(iri)
    rows = []
    by_predicate: dict = {}
    for predicate, value in graph.predicate_objects(thing):
        if predicate not in SKIPPED:
            by_predicate.setdefault(predicate, []).append(value)
    order = list(PROPERTY_LABELS)
    for predicate in sorted(by_predicate, key=lambda p: (order.index(p) if p in order else len(order), str(p))):
        label = PROPERTY_LABELS.get(predicate) or label_of(graph, predicate) or compact(str(predicate))
        values = sorted((link_to(graph, v, base) for v in by_predicate[predicate]), key=lambda l: natural_key(l.text))
        rows.append(Row(label, tuple(values)))
    rows += [identifier_link(*found) for found in identifiers(graph, thing)]
    return ThingView(iri, label_of(graph, thing) or part_label(graph, thing) or compact(iri), kind_of(graph, thing, base), rows)


def kind_of(graph: rdflib.Graph, thing, base: str | None) -> str:
    for cls in objects(graph, thing, RDF.type):
        if cls in KINDS_BY_CLASS:
            return KINDS_BY_CLASS[cls]
    path = str(thing)[len(base):] if base and str(thing).startswith(base) else ""
    return next((kind for pattern, kind in KINDS_BY_PATH if re.search(pattern, path)), "Thing")
