"""Generate ontology/asjc.ttl and ontology/pure-types.ttl from their sources.

    python -m kgpub.ontology.build [--asjc-csv PATH]

asjc.csv (default ../shared/data/asjc.csv from the repository root) becomes a SKOS scheme: broad
areas on top, then the 27 two-digit subject areas, then the 334 four-digit codes. pure-types.tsv
becomes a SKOS scheme of Pure's type groups and types. Output is deterministic (rdflib sorts it).

Our instance IRIs are written relative (`<id/asjc/3312>`) with no @base, so loading a file with the
installation's base IRI puts them under that base. rdflib cannot write relative IRIs, so the graph
is built under a placeholder base that is cut from the serialised text.
`skos:notation` values are plain strings: they match `"3312"` in SPARQL and survive the
rdflib/pyoxigraph round trip unchanged.
"""
from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from kgpub.ontology import HERE, KGV, AsjcEntry, PureType, SourceError, read_pure_types

PLACEHOLDER = "http://kgpub.invalid/"
REPO_ROOT = HERE.parent
DEFAULT_ASJC_CSV = REPO_ROOT / ".." / "shared" / "data" / "asjc.csv"
ASJC_COLUMNS = ["code", "label", "subject_area_code", "subject_area_label", "broad_area"]
# The same codes published as SKOS by the Italian OntoPiA vocabularies (see ASJC-SOURCE.txt).
ONTOPIA_ASJC = "https://w3id.org/italia/controlled-vocabulary/classifications-for-her/all-science-journal/"

FABIO = Namespace("http://purl.org/spar/fabio/")
KGV_NS = Namespace(KGV)
OURS = Namespace(PLACEHOLDER)


def read_asjc_csv(path: Path) -> list[AsjcEntry]:
    """Rows of asjc.csv, checked: 4-digit unique codes whose first two digits are the subject area."""
    if not path.is_file():
        raise SourceError(f"ASJC table not found: {path}")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [column for column in ASJC_COLUMNS if column not in (reader.fieldnames or [])]
        if missing:
            raise SourceError(f"{path.name}: missing column(s) {', '.join(missing)}")
        entries = [_asjc_entry(path.name, reader.line_num, row) for row in reader]
    codes = [entry.code for entry in entries]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    if duplicates:
        raise SourceError(f"{path.name}: code(s) listed twice: {', '.join(duplicates)}")
    return entries


def _asjc_entry(source: str, line: int, row: dict) -> AsjcEntry:
    entry = AsjcEntry(**{column: (row[column] or "").strip() for column in ASJC_COLUMNS})
    if not re.fullmatch(r"\d{4}", entry.code):
        raise SourceError(f"{source} line {line}: code {entry.code!r} is not 4 digits")
    if entry.subject_area_code != entry.code[:2]:
        raise SourceError(f"{source} line {line}: subject_area_code {entry.subject_area_code!r} "
                          f"is not the first two digits of {entry.code}")
    if not (entry.label and entry.subject_area_label and entry.broad_area):
        raise SourceError(f"{source} line {line}: label, subject_area_label and broad_area are required")
    return entry


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")


def new_graph() -> Graph:
    graph = Graph()
    graph.bind("skos", SKOS)
    graph.bind("fabio", FABIO)
    graph.bind("dcterms", DCTERMS)
    graph.bind("kgv", KGV_NS)
    return graph


def add_concept(graph: Graph, concept: URIRef, scheme: URIRef, label: str, notation: str | None) -> None:
    graph.add((concept, RDF.type, SKOS.Concept))
    graph.add((concept, SKOS.inScheme, scheme))
    graph.add((concept, SKOS.prefLabel, Literal(label, lang="en")))
    if notation is not None:
        graph.add((concept, SKOS.notation, Literal(notation)))


def add_top_concept(graph: Graph, concept: URIRef, scheme: URIRef) -> None:
    graph.add((scheme, SKOS.hasTopConcept, concept))
    graph.add((concept, SKOS.topConceptOf, scheme))


def asjc_graph(entries: list[AsjcEntry]) -> Graph:
    graph = new_graph()
    scheme = OURS["id/asjc"]
    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    graph.add((scheme, RDF.type, FABIO.TermDictionary))
    graph.add((scheme, SKOS.prefLabel, Literal("All Science Journal Classification (ASJC)", lang="en")))
    graph.add((scheme, DCTERMS.description, Literal(
        "Scopus subject areas: broad areas, 27 subject areas and 334 four-digit codes.", lang="en")))
    for entry in entries:
        broad = OURS[f"id/asjc/area/{slug(entry.broad_area)}"]
        area = OURS[f"id/asjc/{entry.subject_area_code}"]
        concept = OURS[f"id/asjc/{entry.code}"]
        add_concept(graph, broad, scheme, entry.broad_area, notation=None)
        add_top_concept(graph, broad, scheme)
        add_concept(graph, area, scheme, entry.subject_area_label, entry.subject_area_code)
        graph.add((area, SKOS.broader, broad))
        add_concept(graph, concept, scheme, entry.label, entry.code)
        graph.add((concept, SKOS.broader, area))
        graph.add((concept, SKOS.exactMatch, URIRef(ONTOPIA_ASJC + entry.code)))
    return graph


def pure_types_graph(types: list[PureType]) -> Graph:
    graph = new_graph()
    scheme = OURS["id/type"]
    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    graph.add((scheme, SKOS.prefLabel, Literal("Pure research-output types", lang="en")))
    groups: dict[str, str] = {}
    for pure_type in types:
        group_key = pure_type.key.split("/")[0]
        if groups.setdefault(group_key, pure_type.group) != pure_type.group:
            raise SourceError(f"pure-types.tsv: group {group_key!r} is called both "
                              f"{groups[group_key]!r} and {pure_type.group!r}")
        group = OURS[f"id/type/{group_key}"]
        add_concept(graph, group, scheme, pure_type.group, group_key)
        add_top_concept(graph, group, scheme)
        concept = OURS[f"id/type/{pure_type.key}"]
        add_concept(graph, concept, scheme, pure_type.portal_label, pure_type.key)
        graph.add((concept, SKOS.altLabel, Literal(pure_type.label, lang="en")))
        graph.add((concept, SKOS.broader, group))
        graph.add((concept, KGV_NS.pureUri, Literal(pure_type.uri)))
        for fabio_class in pure_type.classes:
            graph.add((concept, KGV_NS.fabioClass, URIRef(fabio_class)))
    return graph


def relative_turtle(graph: Graph) -> str:
    """Turtle with our instance IRIs relative to whatever base the reader supplies."""
    text = graph.serialize(format="turtle")
    return text.replace(f"<{PLACEHOLDER}", "<")


def write(path: Path, graph: Graph) -> None:
    path.write_text(relative_turtle(graph), encoding="utf-8")
    print(f"wrote {path.name}: {len(graph)} triples")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kgpub.ontology.build",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--asjc-csv", type=Path, default=DEFAULT_ASJC_CSV.resolve(),
                        help="the ASJC table (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        asjc = asjc_graph(read_asjc_csv(args.asjc_csv))
        types = pure_types_graph(read_pure_types())
    except (SourceError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    write(HERE / "asjc.ttl", asjc)
    write(HERE / "pure-types.ttl", types)
    return 0


if __name__ == "__main__":
    sys.exit(main())
