"""A stored record's RDF -> one CSL-JSON item, the form every citation and export starts from.

`csl_item` reads the record graph (docs/modelling.md) plus the labels of what it points to (the
Pure type's skos:prefLabel from the vocabulary graph). A field the record lacks is simply absent.
Formatting (cite.py) and the BibTeX/RIS/CSL-JSON files (bibformats.py) work on CSL items only,
so any source of CSL-JSON can be cited and exported the same way.
"""
from __future__ import annotations

import re

import rdflib
from rdflib import RDF, RDFS, URIRef

from kgpub.graph.mapping import DOI_RESOLVER, LANGUAGE_IRI
from kgpub.graph.namespaces import rdflib_namespaces

DATACITE, DCTERMS, FABIO, FOAF, FRBR, KGV, LITERAL, OCO, PRISM, PRO, PSO, SCHEMA, SKOS = rdflib_namespaces(
    "datacite", "dcterms", "fabio", "foaf", "frbr", "kgv", "literal", "oco", "prism", "pro", "pso", "schema", "skos")

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
GENRE_CLASSES = {FABIO[c] for c in
                 ("Thesis", "DoctoralThesis", "MastersThesis", "ReportDocument", "Preprint")}

# A record that is not (yet) published: its furthest status, as CSL's `status` words it.
UNPUBLISHED_STATUSES = {
    KGV["early-online"]: "advance online publication", PSO["in-press"]: "in press",
    PSO["accepted-for-publication"]: "accepted", PSO.submitted: "submitted", PSO.unpublished: "unpublished",
}


# ---- RDF -> CSL-JSON ---------------------------------------------------------------------------

def csl_item(graph: rdflib.Graph, iri: str) -> dict:
    """The CSL-JSON item for the research output `iri`; ValueError when the graph says nothing of it."""
    output = URIRef(iri)
    if (output, None, None) not in graph:
        raise ValueError(f"record {iri}: the graph has no triples about it")
    item: dict = {"id": iri, "type": csl_type(graph, output)}
    if GENRE_CLASSES.intersection(graph.objects(output, RDF.type)):
        put(item, "genre", type_label(graph, output))
    item.update(title_fields(graph, output))
    for role, key in ((PRO.author, "author"), (PRO.editor, "editor")):
        names = [csl_name(graph, person) for person in role_holders(graph, output, role)]
        if any(names):
            item[key] = [name for name in names if name]
    item.update(container_fields(graph, output))
    item.update(page_fields(graph, output))
    item.update(date_fields(graph, output))
    item.update(identifier_fields(graph, output, item))
    item.update(description_fields(graph, output))
    return item


def text(graph: rdflib.Graph, subject, predicate) -> str | None:
    """One value of a property (the smallest, so the choice is stable), or None."""
    values = sorted(str(o) for o in graph.objects(subject, predicate) if str(o).strip())
    return values[0].strip() if values else None


def label(graph: rdflib.Graph, thing) -> str | None:
    for predicate in (FOAF.name, RDFS.label, SKOS.prefLabel, SCHEMA.name, DCTERMS.title):
        value = text(graph, thing, predicate)
        if value:
            return value
    return None


def csl_type(graph: rdflib.Graph, output: URIRef) -> str:
    classes = set(graph.objects(output, RDF.type))
    for fabio_class, csl in CSL_TYPES:
        if FABIO[fabio_class] in classes:
            return csl
    # An untyped piece in a journal (an abstract, an erratum) is still a journal contribution.
    if any(kind == FABIO.Journal for _, kind in container_chain(graph, output)):
        return "article-journal"
    return DEFAULT_CSL_TYPE


def type_label(graph: rdflib.Graph, output: URIRef) -> str | None:
    """The Pure type's own label ("Thesis › Doctoral Thesis" -> "Doctoral Thesis"), if the
    vocabulary graph is in `graph`."""
    for pure_type in sorted(graph.objects(output, DCTERMS.type)):
        value = text(graph, pure_type, SKOS.prefLabel)
        if value:
            return value.split("›")[-1].strip()
    return None


def title_fields(graph: rdflib.Graph, output: URIRef) -> dict:
    title, subtitle = text(graph, output, DCTERMS.title), text(graph, output, FABIO.hasSubtitle)
    if not title:
        return {}
    # CSL has no subtitle variable: styles expect "Title: Subtitle" (as Zotero writes it).
    return {"title": f"{title}: {subtitle}" if subtitle else title}


def role_holders(graph: rdflib.Graph, output: URIRef, role: URIRef) -> list:
    """Who holds `role` for the output, in the order of the oco:hasNext chain (or #author-N)."""
    roles = {r for r in graph.objects(output, PRO.isDocumentContextFor) if (r, PRO.withRole, role) in graph}
    following = {r: graph.value(r, OCO.hasNext) for r in roles}
    ordered: list = []
    heads = sorted((r for r in roles if r not in following.values()), key=role_position)
    for role_node in heads:
        while role_node in roles and role_node not in ordered:
            ordered.append(role_node)
            role_node = following[role_node]
    ordered += sorted(roles.difference(ordered), key=role_position)  # a broken or circular chain
    return [person for r in ordered if (person := graph.value(r, PRO.isHeldBy)) is not None]


def role_position(role: URIRef) -> tuple[int, str]:
    match = re.search(r"-(\d+)$", str(role))
    return (int(match.group(1)) if match else 1_000_000, str(role))


def csl_name(graph: rdflib.Graph, person) -> dict:
    family, given = text(graph, person, FOAF.familyName), text(graph, person, FOAF.givenName)
    if family:
        return {"family": family, "given": given} if given else {"family": family}
    name = label(graph, person) or given
    return {"literal": name} if name else {}


def container_chain(graph: rdflib.Graph, output: URIRef) -> list[tuple]:
    """(node, kind) for everything the output is part of: issue, volume, journal, host, series."""
    chain, seen, todo = [], {output}, sorted(graph.objects(output, FRBR.partOf))
    while todo:
        node = todo.pop(0)
        if node in seen:
            continue
        seen.add(node)
        kinds = set(graph.objects(node, RDF.type))
        chain.append((node, next(iter(sorted(kinds)), None)))
        todo += sorted(graph.objects(node, FRBR.partOf))
    return chain


def container_fields(graph: rdflib.Graph, output: URIRef) -> dict:
    fields: dict = {}
    for node, kind in container_chain(graph, output):
        number = text(graph, node, FABIO.hasSequenceIdentifier)
        if kind == FABIO.JournalIssue and number:
            fields.setdefault("issue", number)
        elif kind == FABIO.JournalVolume and number:
            fields.setdefault("volume", number)
        elif kind == FABIO.BookSeries:
            put(fields, "collection-title", text(graph, node, DCTERMS.title))
        elif kind in (FABIO.Journal, FABIO.Book, FABIO.ConferenceProceedings) or kind is None:
            put(fields, "container-title", text(graph, node, DCTERMS.title))
            issn = identifier(graph, node, DATACITE.issn) or identifier(graph, node, DATACITE.eissn)
            put(fields, "ISSN", issn)
            put(fields, "ISBN", identifier(graph, node, DATACITE.isbn))
            put(fields, "publisher", publisher_name(graph, node))
            if kind != FABIO.Journal:
                put(fields, "collection-number", number)  # the host's volume in its series
    event = graph.value(output, KGV.presentedAt)
    if event is not None:
        put(fields, "event-title", text(graph, event, SCHEMA.name))
        put(fields, "event-place", text(graph, event, SCHEMA.location))
    return fields


def put(fields: dict, key: str, value) -> None:
    """Set a field once: the nearest container wins, and an absent value leaves it absent."""
    if value and key not in fields:
        fields[key] = value


def identifier(graph: rdflib.Graph, thing, scheme: URIRef) -> str | None:
    values = sorted(str(v) for node in graph.objects(thing, DATACITE.hasIdentifier)
                    if (node, DATACITE.usesIdentifierScheme, scheme) in graph
                    for v in graph.objects(node, LITERAL.hasLiteralValue))
    return values[0] if values else None


def publisher_name(graph: rdflib.Graph, thing) -> str | None:
    names = sorted(filter(None, (label(graph, p) for p in graph.objects(thing, DCTERMS.publisher))))
    return names[0] if names else None


def page_fields(graph: rdflib.Graph, output: URIRef) -> dict:
    fields: dict = {}
    start, end = text(graph, output, PRISM.startingPage), text(graph, output, PRISM.endingPage)
    if start:
        fields["page"] = f"{start}-{end}" if end and end != start else start
    put(fields, "number-of-pages", text(graph, output, FABIO.hasPageCount))
    put(fields, "number", text(graph, output, FABIO.hasElectronicArticleIdentifier))
    return fields


def date_parts(value) -> list[int] | None:
    """[2006, 3] from "2006-03"^^xsd:gYearMonth: as precise as the literal, never padded."""
    match = re.match(r"^(-?\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", str(value or ""))
    return [int(part) for part in match.groups() if part] if match else None


def date_fields(graph: rdflib.Graph, output: URIRef) -> dict:
    parts = date_parts(text(graph, output, PRISM.publicationDate))
    statuses = {graph.value(s, PSO.withStatus): s for s in graph.objects(output, PSO.holdsStatusInTime)}
    fields: dict = {}
    if PSO.published not in statuses:
        for status, words in UNPUBLISHED_STATUSES.items():
            if status in statuses:
                fields["status"] = words
                # An unpublished work is cited with the date of its status (a preprint's submission).
                parts = parts or date_parts(text(graph, statuses[status], DCTERMS.date))
                break
    if parts:
        fields["issued"] = {"date-parts": [parts]}
    return fields


def identifier_fields(graph: rdflib.Graph, output: URIRef, item: dict) -> dict:
    fields: dict = {}
    doi = identifier(graph, output, DATACITE.doi)
    put(fields, "DOI", doi)
    if "ISBN" not in item:  # a whole book or thesis carries its own ISBNs
        put(fields, "ISBN", identifier(graph, output, DATACITE.isbn))
    if "publisher" not in item:
        put(fields, "publisher", publisher_name(graph, output))
    urls = sorted(str(u) for u in graph.objects(output, FABIO.hasURL))
    put(fields, "URL", DOI_RESOLVER + doi if doi else (urls[0] if urls else None))
    return fields


def description_fields(graph: rdflib.Graph, output: URIRef) -> dict:
    fields: dict = {}
    put(fields, "abstract", text(graph, output, DCTERMS.abstract))
    language = graph.value(output, DCTERMS.language)
    if language is not None:
        fields["language"] = str(language).removeprefix(LANGUAGE_IRI).rsplit("/", 1)[-1]
    keywords = sorted({str(k) for k in graph.objects(output, PRISM.keyword)})
    put(fields, "keyword", ", ".join(keywords))
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
