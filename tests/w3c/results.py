"""Query results, expected and actual, parsed into one shape and compared up to blank-node renaming.

A SELECT result is a list of solutions, each a dict from variable name to a term key; an ASK
result a bool; a CONSTRUCT/DESCRIBE result an rdflib Graph. Literals keep their lexical forms
(rdflib would otherwise turn "01"^^xsd:integer into "1" and hide a wrong answer).
"""
from __future__ import annotations

import io
from contextlib import contextmanager
from pathlib import Path

import rdflib
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, XSD
from rdflib.query import Result

RS = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/result-set#")
# Expected-result file suffix -> the media type we ask the endpoint for and rdflib's parser name.
RESULT_FORMATS = {
    ".srx": ("application/sparql-results+xml", "xml"),
    ".srj": ("application/sparql-results+json", "json"),
    ".tsv": ("text/tab-separated-values", "tsv"),
}
GRAPH_FORMATS = {".ttl": ("text/turtle", "turtle"), ".rdf": ("application/rdf+xml", "xml"),
                 ".nt": ("application/n-triples", "nt")}
DEFAULT_RESULTS = RESULT_FORMATS[".srj"]  # for SELECT/ASK results written in RDF (.ttl, .rdf)


@contextmanager
def lexical_forms_kept():
    """rdflib reads this global when a literal is made; other tests in the process keep the default."""
    saved, rdflib.NORMALIZE_LITERALS = rdflib.NORMALIZE_LITERALS, False
    try:
        yield
    finally:
        rdflib.NORMALIZE_LITERALS = saved


def term_key(term) -> tuple:
    """A term as a comparable tuple. A simple literal is an xsd:string (RDF 1.1: the 1.0 results
    write it without a datatype); language tags are case-insensitive."""
    if isinstance(term, URIRef):
        return ("uri", str(term))
    if isinstance(term, BNode):
        return ("bnode", str(term))
    if isinstance(term, Literal):
        if term.language:
            return ("literal", str(term), "", term.language.lower())
        return ("literal", str(term), str(term.datatype or XSD.string), "")
    raise TypeError(f"not an RDF term: {term!r}")


def _solutions(result: Result) -> list[dict]:
    return [{str(var): term_key(value) for var, value in row.items() if value is not None}
            for row in result.bindings]


def parse_results(body: bytes, parser: str):
    """A SPARQL results document (XML, JSON, TSV): a bool for ASK, else the list of solutions."""
    with lexical_forms_kept():
        result = Result.parse(io.BytesIO(body), format=parser)
        return result.askAnswer if result.type == "ASK" else _solutions(result)


def parse_graph(body: bytes, parser: str, base: str) -> Graph:
    with lexical_forms_kept():
        return Graph().parse(data=body, format=parser, publicID=base)


def read_expected(path: Path, base: str, form: str):
    """The expected result in whichever file format the suite wrote it."""
    body = path.read_bytes()
    if path.suffix in RESULT_FORMATS:
        return parse_results(body, RESULT_FORMATS[path.suffix][1])
    graph = parse_graph(body, GRAPH_FORMATS[path.suffix][1], base)
    if form in ("construct", "describe"):
        return graph
    return _result_set_vocabulary(graph)


def _result_set_vocabulary(graph: Graph):
    """SELECT/ASK results in the DAWG result-set vocabulary (the 1.0 suite's .ttl/.rdf results).
    rdflib's own reader of it drops rs:index, which ordered results need."""
    result_set = graph.value(predicate=RDF.type, object=RS.ResultSet)
    answer = graph.value(result_set, RS.boolean)
    if answer is not None:
        return answer.toPython()
    solutions = []
    for solution in graph.objects(result_set, RS.solution):
        index = graph.value(solution, RS.index)
        bindings = {str(graph.value(b, RS.variable)): term_key(graph.value(b, RS.value))
                    for b in graph.objects(solution, RS.binding)}
        solutions.append((int(index) if index is not None else None, bindings))
    if any(index is None for index, _ in solutions):
        return Unordered(bindings for _, bindings in solutions)  # the file gives no order to check
    return [bindings for _, bindings in sorted(solutions, key=lambda pair: pair[0])]


class Unordered(list):
    """Solutions whose order the expected file does not give (an RDF result set without rs:index)."""


def results_match(expected, actual, ordered: bool, reduced: bool = False) -> bool:
    """Booleans are equal; graphs isomorphic; solution lists equal as multisets (as sequences
    when the query orders them) under one bijection between their blank nodes. REDUCED may drop
    any duplicates, so then only the distinct solutions count."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual
    if isinstance(expected, Graph) or isinstance(actual, Graph):
        return isinstance(expected, Graph) and isinstance(actual, Graph) and isomorphic(expected, actual)
    ordered = ordered and not isinstance(expected, Unordered)
    if reduced:
        expected, actual = _distinct(expected), _distinct(actual)
    shapes = [_without_bnodes(row) for row in expected], [_without_bnodes(row) for row in actual]
    if not ordered:
        shapes = sorted(shapes[0]), sorted(shapes[1])
    if shapes[0] != shapes[1]:  # differ beyond blank nodes: no need to search (and no blow-up)
        return False
    if not any(term[0] == "bnode" for row in expected for term in row.values()):
        return True
    return _match(list(expected), list(actual), {}, ordered)


def _distinct(solutions: list[dict]) -> list[dict]:
    return [dict(row) for row in dict.fromkeys(tuple(sorted(row.items())) for row in solutions)]


def _without_bnodes(row: dict) -> list:
    return sorted((var, ("bnode",) if term[0] == "bnode" else term) for var, term in row.items())


def _match(expected: list[dict], actual: list[dict], mapping: dict, ordered: bool) -> bool:
    """Backtracking search for a bnode bijection pairing every expected solution with an actual one."""
    if not expected:
        return True
    row, rest = expected[0], expected[1:]
    candidates = [0] if ordered else range(len(actual))
    for i in candidates:
        extended = _bind(row, actual[i], mapping)
        if extended is not None and _match(rest, actual[:i] + actual[i + 1:], extended, ordered):
            return True
    return False


def _bind(expected: dict, actual: dict, mapping: dict) -> dict | None:
    """The mapping extended so that expected matches actual, or None if it cannot be."""
    if expected.keys() != actual.keys():
        return None
    mapping = dict(mapping)
    for var, term in expected.items():
        other = actual[var]
        if term[0] != "bnode" or other[0] != "bnode":
            if term != other:
                return None
        elif mapping.setdefault(term, other) != other or list(mapping.values()).count(other) > 1:
            return None
    return mapping


def difference(expected, actual) -> str:
    """For solution lists: the solutions only one side has (blank nodes aside), else both whole."""
    if not (isinstance(expected, list) and isinstance(actual, list)):
        return f"expected {describe(expected)}\ngot      {describe(actual)}"
    missing, extra = list(expected), list(actual)
    for row in actual:
        shape = _without_bnodes(row)
        found = next((i for i, e in enumerate(missing) if _without_bnodes(e) == shape), None)
        if found is not None:
            del missing[found]
            extra.remove(row)
    if not missing and not extra:  # the same solutions in another order, or other blank nodes
        return f"expected {describe(expected)}\ngot      {describe(actual)}"
    return (f"{len(expected)} solutions expected, {len(actual)} got; missing {describe(missing)}\n"
            f"unexpected {describe(extra)}")


def describe(result, limit: int = 20) -> str:
    """A result, short enough for a failure message."""
    if isinstance(result, bool):
        return str(result).lower()
    if isinstance(result, Graph):
        lines = sorted(result.serialize(format="nt").splitlines())
        return f"{len(lines)} triples:\n  " + "\n  ".join(lines[:limit])
    rows = ["{" + ", ".join(f"?{v}={_short(t)}" for v, t in sorted(row.items())) + "}" for row in result[:limit]]
    return f"{len(result)} solutions:\n  " + "\n  ".join(rows)


def _short(term: tuple) -> str:
    if term[0] == "uri":
        return f"<{term[1]}>"
    if term[0] == "bnode":
        return "_:" + term[1]
    _, lexical, datatype, language = term
    return repr(lexical) + (f"@{language}" if language else f"^^<{datatype}>")
