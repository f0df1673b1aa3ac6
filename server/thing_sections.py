"""What the pages of a journal, a person and an ASJC subject area show besides the thing's own
properties (thing_page.py): their research outputs newest first, counts per year as a chart, and
for a journal its ISSNs, publishers, volumes and issues, for a person their co-authors.

Counts and the newest outputs of a journal or subject area come from the search index (one SQL
query each, on every backend: graph/search.py); a person is not in the index, so their outputs are
the records that name them. Whatever a page shows of a record (authors in order, volume, issue,
publisher) is read by graph/record_reader.py from the records themselves.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from pyoxigraph import NamedNode

from kgpub.graph import iris
from kgpub.graph.namespaces import FABIO, FRBR, RDF
from kgpub.graph.record_reader import StoredRecord, TripleIndex, identifiers, natural_key, read_record
from kgpub.graph.search import year_of
from kgpub.graph.store.base import Store
from kgpub.server import charts
from kgpub.server.record_page import IDENTIFIER_LABELS, Link

SHOWN_OUTPUTS = 50  # a journal's or subject area's newest; the search lists them all
MAX_PERSON_OUTPUTS = 2000  # a person's outputs read for their page (figures say when there are more)
SHOWN_AUTHORS = 8
ISSN_SCHEMES = ("issn", "eissn")


@dataclass(frozen=True)
class OutputItem:
    """One research output in a list: linked title, authors, year and where it appeared."""

    iri: str
    title: str
    authors: tuple[Link, ...]
    more_authors: int  # not shown ("et al.")
    year: str | None
    where: str | None  # "Volume 117, Issue 4", or the journal's title


@dataclass(frozen=True)
class Volume:
    link: Link
    issues: tuple[Link, ...]


@dataclass
class ThingSections:
    outputs_heading: str  # "Articles", "Research outputs"
    outputs: list[OutputItem]
    outputs_total: int
    all_outputs_href: str | None = None  # the search listing every one, when not all are shown
    year_chart: charts.BarChart | None = None
    issns: list[tuple[str, str]] = field(default_factory=list)  # (label, value)
    publishers: list[Link] = field(default_factory=list)
    volumes: list[Volume] = field(default_factory=list)
    loose_issues: list[Link] = field(default_factory=list)  # issues of no volume
    coauthors: list[tuple[Link, int]] = field(default_factory=list)  # with the number of shared outputs
    capped: bool = False  # more outputs than MAX_PERSON_OUTPUTS: the figures count the first ones


def sections_for(kind: str, g: TripleIndex, thing: str, store: Store, search_href) -> ThingSections | None:
    """The sections of a page of this kind, or None for kinds that list only what links to them.
    `search_href(**filters)` is the search page's URL for filters (site_pages.search_href)."""
    if kind == "Journal":
        return journal_sections(g, thing, store, search_href)
    if kind == "Person":
        return person_sections(thing, store, search_href)
    if kind == "ASJC subject area" and (code := iris.asjc_code(thing)):
        return subject_sections(code, store, search_href)
    return None


def journal_sections(g: TripleIndex, journal: str, store: Store, search_href) -> ThingSections:
    found = store.search.search(journal=journal, limit=SHOWN_OUTPUTS)
    records = read_records(store, [hit.iri for hit in found.hits])
    publishers = Counter((r.publisher.iri, r.publisher.title) for r in records if r.publisher and r.publisher.title)
    volumes, loose_issues = journal_parts(store, journal)
    return ThingSections(
        "Articles", [output_item(r, with_journal=False) for r in records], found.total or 0,
        search_href(journal=journal) if (found.total or 0) > len(records) else None,
        charts.year_chart("chart-years", "Articles per year", store.search.years(journal=journal),
                          lambda year: search_href(journal=journal, year=year)),
        issns=[(IDENTIFIER_LABELS[i.scheme], i.value) for scheme in ISSN_SCHEMES
               for i in identifiers(g, NamedNode(journal)) if i.scheme == scheme],
        publishers=[Link(title, iri=iri) for (iri, title), _ in publishers.most_common()],
        volumes=volumes, loose_issues=loose_issues)


def person_sections(person: str, store: Store, search_href) -> ThingSections:
    outputs, capped = person_outputs(store, person)
    records = sorted(read_records(store, outputs), key=lambda r: r.publication_date or "", reverse=True)
    coauthors = Counter((a.iri, a.name) for r in records for a in dict.fromkeys(r.authors) if a.iri != person)
    years = Counter(year for r in records if (year := year_of(r.publication_date)))
    return ThingSections(
        "Research outputs", [output_item(r) for r in records], len(records), None,
        charts.year_chart("chart-years", "Research outputs per year", years.items()),
        coauthors=[(Link(name, iri=iri), n) for (iri, name), n in
                   sorted(coauthors.items(), key=lambda item: (-item[1], natural_key(item[0][1])))],
        capped=capped)


def subject_sections(code: str, store: Store, search_href) -> ThingSections:
    found = store.search.search(subject=code, limit=SHOWN_OUTPUTS)
    items = [OutputItem(h.iri, h.title or "(untitled)", tuple(Link(a) for a in h.authors[:SHOWN_AUTHORS]),
                        max(len(h.authors) - SHOWN_AUTHORS, 0), h.year, h.journal_title) for h in found.hits]
    return ThingSections(
        "Research outputs", items, found.total or 0,
        search_href(subject=code) if (found.total or 0) > len(items) else None,
        charts.year_chart("chart-years", "Research outputs per year", store.search.years(subject=code),
                          lambda year: search_href(subject=code, year=year)))


def read_records(store: Store, outputs: list[str]) -> list[StoredRecord]:
    """These outputs as their records read, in the order given (one read of all their graphs)."""
    graphs = store.graphs_triples([iris.graph_of_output(iri) for iri in outputs])
    return [read_record(triples, iri) for iri in outputs
            if (triples := graphs.get(iris.graph_of_output(iri)))]


def person_outputs(store: Store, person: str) -> tuple[list[str], bool]:
    """The outputs whose records name the person (an author's or editor's role, a hash part of the
    record, points at them), as rdf_documents.py finds what links to a thing; and whether there
    were more than MAX_PERSON_OUTPUTS."""
    rows = store.query(f"SELECT DISTINCT ?s WHERE {{ ?s ?p {NamedNode(person)} }} LIMIT {MAX_PERSON_OUTPUTS * 4}")
    owners = dict.fromkeys(row["s"].value.split("#", 1)[0] for row in rows if isinstance(row["s"], NamedNode))
    outputs = [iri for iri in owners if iris.is_output(iri)]
    return outputs[:MAX_PERSON_OUTPUTS], len(outputs) > MAX_PERSON_OUTPUTS


def journal_parts(store: Store, journal: str) -> tuple[list[Volume], list[Link]]:
    """The journal's volumes, newest (highest number) first, each with its issues; and the issues
    that belong to no volume."""
    journal_node = NamedNode(journal)
    rows = store.query(f"""SELECT ?part ?class ?number ?parent WHERE {{
        {{ ?part {FRBR.partOf} {journal_node} BIND({journal_node} AS ?parent) }}
        UNION {{ ?volume {FRBR.partOf} {journal_node} ; a {FABIO.JournalVolume} .
                 ?part {FRBR.partOf} ?volume BIND(?volume AS ?parent) }}
        ?part {RDF.type} ?class ; {FABIO.hasSequenceIdentifier} ?number .
        FILTER(?class IN ({FABIO.JournalVolume}, {FABIO.JournalIssue})) }}""")
    volumes: dict[str, str] = {}
    issues: dict[str, list[tuple[str, str]]] = {}
    for row in rows:
        part, number, parent = row["part"].value, row["number"].value, row["parent"].value
        if row["class"] == FABIO.JournalVolume and parent == journal:
            volumes[part] = number
        elif row["class"] == FABIO.JournalIssue:
            issues.setdefault(parent, []).append((part, number))

    def links(parts, word: str) -> tuple[Link, ...]:
        ordered = sorted(dict(parts).items(), key=lambda item: natural_key(item[1]), reverse=True)
        return tuple(Link(f"{word} {number}", iri=iri) for iri, number in ordered)

    shown = [Volume(link, links(issues.get(link.iri, ()), "Issue")) for link in links(volumes.items(), "Volume")]
    return shown, list(links(issues.get(journal, ()), "Issue"))


def output_item(record: StoredRecord, with_journal: bool = True) -> OutputItem:
    authors = tuple(Link(a.name, iri=a.iri) for a in record.authors[:SHOWN_AUTHORS])
    parts = [f"Volume {record.volume.number}" if record.volume else None,
             f"Issue {record.issue.number}" if record.issue else None]
    venue = record.journal.title if record.journal else (record.host.title if record.host else None)
    where = ", ".join(filter(None, [venue if with_journal else None, *parts])) or None
    return OutputItem(record.iri, record.full_title or "(untitled)", authors,
                      max(len(record.authors) - SHOWN_AUTHORS, 0), year_of(record.publication_date), where)
