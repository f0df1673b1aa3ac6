"""The page of a thing other than a record: a journal, volume, issue, person, ASJC concept, Pure
type, topic or publisher. A label, what kind of thing it is, and one row per property, read from
its document (rdf_documents.py); the page adds what links to it."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask import current_app, render_template, request
from pyoxigraph import Literal, NamedNode

from kgpub.graph import iris
from kgpub.graph.namespaces import DATACITE, DCTERMS, FABIO, FOAF, FRBR, KGV, OWL, RDF, RDFS, SKOS, compact
from kgpub.graph.record_reader import TripleIndex, identifiers, natural_key
from kgpub.server import site_pages, snapshot_view, thing_sections
from kgpub.server.rdf_documents import Document
from kgpub.server.record_page import Link, Row, identifier_row, link_to

KINDS_BY_CLASS = {FABIO.Journal: "Journal", FABIO.JournalVolume: "Journal volume",
                  FABIO.JournalIssue: "Journal issue", FOAF.Person: "Person"}
KINDS_BY_STEM = (  # what a thing is, by its path below {base}id/ (iris.py, docs/modelling.md)
    (r"^asjc/area/", "ASJC broad subject area"), (r"^asjc/\d{4}$", "ASJC subject area"),
    (r"^asjc/\d{2}$", "ASJC major subject area"), (r"^asjc$", "ASJC classification"),
    (r"^type/[^/]+/", "Research output type"), (r"^type/[^/]+$", "Research output type group"),
    (r"^type$", "Research output types"), (r"^topic/", "Fingerprint topic"),
    (r"^publisher/", "Publisher"), (r"^person/", "Person"), (r"^journal/.*/issue/", "Journal issue"),
    (r"^journal/.*/volume/", "Journal volume"), (r"^journal/", "Journal"), (r"^output/", "Research output"),
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
SKIPPED = {RDF.type, KGV.contentDigest, DATACITE.hasIdentifier, KGV.nameKey}  # nameKey: a journal's match key, not for readers


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


def thing_view(g: TripleIndex, iri: str, base: str) -> ThingView:
    """A label, what kind of thing it is, and one row per property it has in its document."""
    thing = NamedNode(iri)
    by_predicate: dict = {}
    for predicate, value in g.pairs_of(thing):
        if predicate not in SKIPPED:
            by_predicate.setdefault(predicate, []).append(value)
    order = list(PROPERTY_LABELS)
    rows = []
    for predicate in sorted(by_predicate, key=lambda p: (order.index(p) if p in order else len(order), p.value)):
        label = PROPERTY_LABELS.get(predicate) or g.label(predicate) or compact(predicate.value)
        values = sorted((value_link(g, v, base) for v in by_predicate[predicate]), key=lambda l: natural_key(l.text))
        rows.append(Row(label, tuple(values)))
    rows += [identifier_row(identifier) for identifier in identifiers(g, thing)]
    return ThingView(iri, g.label(thing) or part_label(g, thing) or compact(iri), kind_of(g, thing, base), rows)


def render(doc: Document, stem: str, alternates: list[dict]) -> str:
    base = current_app.config["BASE"]
    doc_url = iris.document(base, stem).value
    root = request.script_root
    next_href = f"{root}{iris.document_path(stem)}?page={doc.page + 1}" if doc.has_next else None
    prev_href = f"{root}{iris.document_path(stem)}?page={doc.page - 1}" if doc.page > 1 else None
    g = TripleIndex(doc.triples)
    view = thing_view(g, doc.thing.value, base)
    sections = thing_sections.sections_for(view.kind, g, view.iri, snapshot_view.current().store,
                                           site_pages.search_href)
    return render_template("thing.html", view=view, sections=sections,
                           canonical=doc_url, alternates=alternates, backlinks=doc.links, total=doc.links_total,
                           next_href=next_href, prev_href=prev_href)


def value_link(g: TripleIndex, value, base: str) -> Link:
    if isinstance(value, Literal):
        return Link(value.value)
    return link_to(value.value, g.label(value) or part_label(g, value), base)


def part_label(g: TripleIndex, thing) -> str | None:
    """"Europe - Asia Studies, Volume 117, Issue 2" for a volume or issue (they have no title)."""
    parts, node, seen = [], thing, set()
    while node is not None and node not in seen:
        seen.add(node)
        number = g.text(node, FABIO.hasSequenceIdentifier)
        if g.has(node, RDF.type, FABIO.JournalIssue) and number:
            parts.insert(0, f"Issue {number}")
        elif g.has(node, RDF.type, FABIO.JournalVolume) and number:
            parts.insert(0, f"Volume {number}")
        elif node != thing and g.label(node):
            parts.insert(0, g.label(node))
        node = g.first(node, FRBR.partOf)
    return ", ".join(parts) or None


def kind_of(g: TripleIndex, thing, base: str) -> str:
    for cls in g.objects(thing, RDF.type):
        if cls in KINDS_BY_CLASS:
            return KINDS_BY_CLASS[cls]
    stem = iris.stem_of(base, thing.value) or ""
    return next((kind for pattern, kind in KINDS_BY_STEM if re.search(pattern, stem)), "Thing")
