"""SHACL validation of record graphs against the shapes in `shapes/`.

Two validators that must give the same findings (tests/test_validate_differential.py proves it):

- `validate_with_pyshacl(triples)`: the reference. pyshacl over a plain in-memory rdflib graph
  (never an oxrdflib-backed one: pyshacl misjudges those). With our shapes it does ~90 records/s.
- `Validator().validate(batch)`: the fast path the ingest uses. The shapes are compiled once to
  SPARQL (graph/shacl_sparql.py); a batch of records is loaded into an in-memory Oxigraph store,
  one named graph per record, and every compiled check runs once over the whole batch
  (~1,400 records/s on 2 cores, a third of it spent loading the store).

A record whose findings include one with severity "Violation" must not be stored.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

import pyoxigraph as ox
import pyshacl
import rdflib

from kgpub.graph.shacl_sparql import HAS_SUBCLASSES, SH, Check, compile_shapes, original, readable_path, verbatim
from kgpub.graph.rdflib_bridge import rdflib_to_ox, triples_to_rdflib_graph
from kgpub.shapes import load_shapes_graph, shapes_graph


@dataclass(frozen=True)
class Finding:
    """One validation result. Terms other than the focus IRI are in N-Triples form."""

    focus: str  # IRI of the focus node (N-Triples form if it is a blank node or a literal)
    path: str | None  # the property IRI, or a SPARQL path for complex paths; None for node shapes
    component: str  # full IRI, e.g. http://www.w3.org/ns/shacl#MinCountConstraintComponent
    severity: str  # "Violation" | "Warning" | "Info"
    message: str
    value: str | None  # the offending value in N-Triples form, when the result names one
    shape: str | None  # IRI of the shape that failed (_:id for an anonymous one)


def node_text(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
    return term.value if isinstance(term, ox.NamedNode) else str(term)


# --- the reference: pyshacl -----------------------------------------------------------------------

def validate_with_pyshacl(triples: Iterable[ox.Triple], shapes: rdflib.Graph | None = None) -> list[Finding]:
    """pyshacl's findings for one data graph (one record, or many records as one graph)."""
    shapes = shapes if shapes is not None else shapes_graph()
    data = triples_to_rdflib_graph(triples)
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=False,
                                    meta_shacl=False, abort_on_first=False, allow_warnings=True)
    return [pyshacl_finding(report, result) for result in report.subjects(rdflib.RDF.type, SH.ValidationResult)]


def pyshacl_finding(report: rdflib.Graph, result) -> Finding:
    def term(predicate):
        value = report.value(result, predicate)
        return None if value is None else rdflib_to_ox(value)

    shape = report.value(result, SH.sourceShape)
    value = term(SH.value)
    return Finding(
        focus=node_text(term(SH.focusNode)),
        path=readable_path(report, report.value(result, SH.resultPath)),
        component=str(report.value(result, SH.sourceConstraintComponent)),
        severity=str(report.value(result, SH.resultSeverity)).removeprefix(str(SH)),
        message=english_message(report.objects(result, SH.resultMessage)),
        value=None if value is None else str(value),
        shape=f"_:{shape}" if isinstance(shape, rdflib.BNode) else str(shape),
    )


def english_message(messages) -> str:
    messages = list(messages)
    english = [m for m in messages if getattr(m, "language", None) in ("en", None)]
    return str((english or messages or [""])[0])


# --- the fast path --------------------------------------------------------------------------------

class Validator:
    """The shapes compiled once; `validate` judges a batch of record graphs at a time."""

    def __init__(self, shapes_paths: Iterable[Path | str] | None = None, shapes: rdflib.Graph | None = None):
        if shapes is None:
            shapes = shapes_graph() if shapes_paths is None else load_shapes_graph([Path(p) for p in shapes_paths])
        self.checks: list[Check] = compile_shapes(shapes)

    def validate(self, graphs: Mapping[str, Iterable[ox.Triple]]) -> dict[str, list[Finding]]:
        """Graph IRI -> its findings (an empty list when the record conforms), for every graph given."""
        store = ox.Store()
        store.bulk_extend(
            ox.Quad(t.subject, t.predicate, verbatim(t.object), graph)
            for name, triples in graphs.items()
            for graph in [graph_node(name)]
            for t in triples
        )
        findings: dict[str, list[Finding]] = {name: [] for name in graphs}
        has_subclasses = bool(store.query(HAS_SUBCLASSES))
        for check in self.checks:
            for row in store.query(check.query_for(has_subclasses)):
                findings[row["g"].value].append(self.finding(check, row))
        return findings

    def validate_one(self, triples: Iterable[ox.Triple]) -> list[Finding]:
        name = "urn:kgpub:validate:one"
        return self.validate({name: triples})[name]

    @staticmethod
    def finding(check: Check, row: ox.QuerySolution) -> Finding:
        value = row[check.value_var] if check.value_var else None
        return Finding(
            focus=node_text(original(row[check.focus_var])),
            path=check.path,
            component=check.component,
            severity=check.severity,
            message=check.message,
            value=None if value is None else str(original(value)),
            shape=check.shape,
        )


def graph_node(name: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(name)
    except ValueError as err:
        raise ValueError(f"graph name {name!r} is not an IRI: {err}") from None


def violations(findings: Iterable[Finding]) -> list[Finding]:
    """The findings that make a record unusable."""
    return [f for f in findings if f.severity == "Violation"]

