"""SPARQL Update, for every backend: which graphs an update touches, and the protocol's dataset.

The store keeps derived data beside the records (search index, record copies, content digests),
so before an update runs it must know which record graphs the update may change. rdflib's update
parser tells: the graphs named by INSERT DATA, DELETE DATA, DELETE WHERE, the templates and WITH
of DELETE/INSERT, and the targets of CLEAR, DROP, CREATE, ADD, MOVE and COPY. A graph variable,
ALL or NAMED means any graph may change.

pyoxigraph's `Store.update` takes no dataset, so the protocol's `using-graph-uri` and
`using-named-graph-uri` become `USING <g>` / `USING NAMED <g>` clauses written into the text,
before the WHERE of each DELETE/INSERT operation.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from pyparsing import ParseException
from rdflib import URIRef, Variable
from rdflib.plugins.sparql.algebra import translateUpdate
from rdflib.plugins.sparql.parser import parseUpdate

from kgpub.graph.sparql_text import IRI_REF, blanked
from kgpub.graph.store.base import StoreError

_BRACE_OR_WHERE = re.compile(r"[{}]|(?<![\w:?$])WHERE(?![\w:])", re.IGNORECASE)
_ENDS_WITH_DELETE = re.compile(r"(?<![\w:?$])DELETE\s*$", re.IGNORECASE)
_TARGETS = ("graphiri",)  # Clear, Drop, Create, Load


class UpdateError(StoreError):
    """The update cannot be run as sent (syntax, a dataset conflict, LOAD); the message says why."""


@dataclass(frozen=True)
class UpdatePlan:
    text: str  # what to give pyoxigraph
    graphs: frozenset[str] | None  # IRIs of the named graphs it may change; None: any graph


def plan_update(update: str, using: Iterable[str] = (), using_named: Iterable[str] = (),
                base_iri: str | None = None) -> UpdatePlan:
    using, using_named = list(using), list(using_named)
    operations = parse(update, base_iri)
    if any(op.name == "Load" for op in operations):
        # LOAD would make the server fetch any URL it is given; data comes in by the Graph Store Protocol.
        raise UpdateError("LOAD is not supported here; PUT or POST the data to /graph-store instead")
    if using or using_named:
        if any(op.name == "Modify" and (_field(op, "using") or _field(op, "withClause")) for op in operations):
            raise UpdateError("the request gives using-graph-uri or using-named-graph-uri and the update has "
                              "its own USING or WITH; use one or the other (SPARQL 1.1 Protocol §2.2.3)")
        update = with_using_clauses(update, using, using_named)
    return UpdatePlan(update, touched_graphs(operations))


def parse(update: str, base_iri: str | None = None) -> list:
    try:
        return list(translateUpdate(parseUpdate(update), base=base_iri).algebra)
    except ParseException as err:
        raise UpdateError(f"the update is not valid SPARQL: {err}") from None
    except Exception as err:  # rdflib's algebra raises plain Exceptions for bad input (unknown prefix)
        raise UpdateError(f"the update is not valid SPARQL: {err}") from None


def touched_graphs(operations: list) -> frozenset[str] | None:
    graphs: set[str] = set()
    for op in operations:
        for graph in _targets(op):
            if graph in ("ALL", "NAMED") or isinstance(graph, Variable):
                return None
            if isinstance(graph, URIRef):
                graphs.add(str(graph))
    return frozenset(graphs)


def _targets(op) -> list:
    """The graphs one operation writes ('DEFAULT' and None stand for the default graph)."""
    if op.name in ("InsertData", "DeleteData", "DeleteWhere"):
        return list(_field(op, "quads") or {})
    if op.name == "Modify":
        templates = [clause for clause in (_field(op, "delete"), _field(op, "insert")) if clause]
        return [_field(op, "withClause"), *(g for clause in templates for g in _field(clause, "quads") or {})]
    if op.name in ("Add", "Move", "Copy"):
        return list(_field(op, "graph") or [])
    return [_field(op, name) for name in _TARGETS]


def _field(part, name: str):
    """A field of rdflib's algebra, None when absent (CompValue.get answers the name itself)."""
    return dict.get(part, name)


def with_using_clauses(update: str, using: list[str], using_named: list[str]) -> str:
    """The update with the protocol's dataset written before the WHERE of every DELETE/INSERT.

    Only WHEREs outside braces count (a subquery's WHERE is inside its group), and not the one of
    DELETE WHERE, which cannot take USING.
    """
    clauses = " ".join([f"USING <{g}>" for g in using] + [f"USING NAMED <{g}>" for g in using_named])
    for iri in [*using, *using_named]:
        if IRI_REF.fullmatch(f"<{iri}>") is None:
            raise UpdateError(f"{iri!r} is not an IRI")
    blanked_update = blanked(update)
    positions, depth = [], 0
    for match in _BRACE_OR_WHERE.finditer(blanked_update):
        token = match.group()
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        elif depth == 0 and not _ENDS_WITH_DELETE.search(blanked_update, 0, match.start()):
            positions.append(match.start())
    for position in reversed(positions):
        update = f"{update[:position]}{clauses} {update[position:]}"
    return update
