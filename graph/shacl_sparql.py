"""SHACL shapes compiled to SPARQL: the fast path behind `graph.validate.Validator`.

Every constraint of every targeted shape becomes one SELECT that returns the violating rows
(record graph, focus node, value) over an Oxigraph store holding a batch of records, each in its
own named graph. All matching happens inside `GRAPH ?g { … }`, so a record is judged on its own
triples only, exactly as pyshacl judges one record's graph.

Only the SHACL Core features with a `compile_…` method below, the TARGETS and the PATH_KINDS are
compiled; any other feature raises UnsupportedShapeFeature when the shapes are compiled, so a
constraint can never pass silently because nobody implemented it.

Oxigraph canonicalises typed literals when it stores them ("01"^^xsd:integer becomes "1", and
xsd:positiveInteger becomes xsd:integer), which would hide both the datatype and ill-formed
values. So every typed literal except xsd:string goes into the store under a verbatim datatype
(`urn:kgpub:verbatim:` + the real datatype IRI) that Oxigraph does not interpret; the queries
compare against that, and `typed_value` rebuilds the real literal where a value is compared.

(Over 400 lines on purpose: one compiler, a method per SHACL constraint component, read side by
side with the SHACL specification; split, a reader would have to hunt for a component.)
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Callable, Iterator

import pyoxigraph as ox
import rdflib
from rdflib.collection import Collection

from kgpub.graph.rdflib_bridge import RDF_LANG_STRING, XSD_STRING, rdflib_to_ox

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF = rdflib.RDF
VERBATIM = "urn:kgpub:verbatim:"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
TYPE_PATH = f"{RDF_TYPE}/<http://www.w3.org/2000/01/rdf-schema#subClassOf>*"
HAS_SUBCLASSES = "ASK { GRAPH ?g { ?a <http://www.w3.org/2000/01/rdf-schema#subClassOf> ?b } }"

TARGETS = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)
PATH_KINDS = (SH.inversePath, SH.alternativePath, SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath)
# Shape properties that say nothing the validator checks, or that are read with their constraint.
NON_CONSTRAINTS = {SH.path, SH.severity, SH.message, SH.deactivated, SH.name, SH.description,
                   SH.order, SH.group, SH.defaultValue, SH.flags, *TARGETS}
NODE_KINDS = {
    SH.IRI: "isIRI({v})", SH.BlankNode: "isBlank({v})", SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "(isIRI({v}) || isBlank({v}))", SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
    SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
}
# Well-formedness of a literal's lexical form, for the datatypes rdflib (and so pyshacl) checks:
# Oxigraph's own casts where it has them, else an xsd:integer cast and the type's range.
CAST_CHECKED = {XSD + name for name in (
    "integer", "decimal", "float", "double", "boolean", "date", "time", "dateTime", "duration",
    "dayTimeDuration", "yearMonthDuration")}
INTEGER_RANGES = {
    "nonPositiveInteger": (None, 0), "negativeInteger": (None, -1), "nonNegativeInteger": (0, None),
    "positiveInteger": (1, None), "long": (-2**63, 2**63 - 1), "int": (-2**31, 2**31 - 1),
    "short": (-2**15, 2**15 - 1), "byte": (-128, 127), "unsignedLong": (0, 2**64 - 1),
    "unsignedInt": (0, 2**32 - 1), "unsignedShort": (0, 2**16 - 1), "unsignedByte": (0, 255),
}
# rdflib rejects ill-formed values of these, and Oxigraph has no cast to test them with.
UNCHECKABLE = {XSD + "hexBinary", XSD + "base64Binary",
               "http://www.w3.org/1999/02/22-rdf-syntax-ns#XMLLiteral",
               "http://www.w3.org/1999/02/22-rdf-syntax-ns#HTML"}
PATTERN_FLAGS = set("im")  # the flags pyshacl honours; others would make the two disagree


class UnsupportedShapeFeature(ValueError):
    """The shapes use a SHACL feature the SPARQL fast path does not implement."""


@dataclass(frozen=True)
class Check:
    """One constraint of one shape, as a SELECT over ?g plus the variables named here."""

    shape: str  # the IRI (or _:id) of the shape the constraint belongs to
    component: str  # the constraint component IRI
    path: str | None  # the property IRI, or a SPARQL path for complex paths
    severity: str  # "Violation" | "Warning" | "Info" (or the IRI of a custom severity)
    message: str
    focus_var: str
    value_var: str | None
    query: str

    def query_for(self, data_has_subclasses: bool) -> str:
        """Without rdfs:subClassOf triples in the data, `rdf:type/rdfs:subClassOf*` is just
        `rdf:type`, and Oxigraph evaluates that many times faster."""
        return self.query if data_has_subclasses else self.query.replace(TYPE_PATH, RDF_TYPE)


# --- terms as the store holds them ----------------------------------------------------------------

def verbatim(term):
    """The term as put into the validation store: typed literals keep their exact datatype."""
    if isinstance(term, ox.Literal) and not term.language and term.datatype.value != XSD_STRING:
        return ox.Literal(term.value, datatype=ox.NamedNode(VERBATIM + term.datatype.value))
    return term


def original(term):
    """The term as the record has it (the inverse of `verbatim`)."""
    if isinstance(term, ox.Literal) and term.datatype.value.startswith(VERBATIM):
        return ox.Literal(term.value, datatype=ox.NamedNode(term.datatype.value[len(VERBATIM):]))
    return term


def typed_value(v: str) -> str:
    """A SPARQL expression giving the real literal of a verbatim one, so it compares by value."""
    return (f'IF(STRSTARTS(STR(DATATYPE({v})), "{VERBATIM}"), '
            f'STRDT(STR({v}), IRI(STRAFTER(STR(DATATYPE({v})), "{VERBATIM}"))), {v})')


def sparql_constant(term: rdflib.term.Identifier, stored: bool = True) -> str:
    """A shapes-graph term written into a query; `stored` terms match verbatim store contents."""
    if isinstance(term, rdflib.BNode):
        raise UnsupportedShapeFeature(f"blank node {term.n3()} used as a constant in a shape")
    ox_term = rdflib_to_ox(term)
    return str(verbatim(ox_term) if stored else ox_term)


def datatype_test(datatype: str, v: str) -> str:
    """True when `v` is a literal of `datatype` whose lexical form is well-formed."""
    if datatype == XSD_STRING:
        return f"isLiteral({v}) && sameTerm(DATATYPE({v}), <{XSD_STRING}>)"
    if datatype == RDF_LANG_STRING:
        return f'isLiteral({v}) && LANG({v}) != ""'
    test = f"isLiteral({v}) && sameTerm(DATATYPE({v}), <{VERBATIM}{datatype}>)"
    local = datatype.removeprefix(XSD)
    if datatype in CAST_CHECKED:
        return f"{test} && COALESCE(isLiteral(<{datatype}>(STR({v}))), false)"
    if datatype.startswith(XSD) and local in INTEGER_RANGES:
        number = f"<{XSD}integer>(STR({v}))"
        low, high = INTEGER_RANGES[local]
        bounds = [f"{number} >= {low}" if low is not None else None,
                  f"{number} <= {high}" if high is not None else None]
        return f"{test} && COALESCE({' && '.join(filter(None, bounds))}, false)"
    return test  # gYear, anyURI, …: rdflib does not check these either


# --- paths ----------------------------------------------------------------------------------------

def sparql_path(graph: rdflib.Graph, node) -> str:
    """A SHACL property path as a SPARQL property path."""
    if isinstance(node, rdflib.URIRef):
        return f"<{node}>"
    if graph.value(node, RDF.first) is not None:
        return "(" + "/".join(sparql_path(graph, step) for step in Collection(graph, node)) + ")"
    for kind in PATH_KINDS:
        inner = graph.value(node, kind)
        if inner is None:
            continue
        if kind == SH.alternativePath:
            return "(" + "|".join(sparql_path(graph, step) for step in Collection(graph, inner)) + ")"
        wrapped = sparql_path(graph, inner)
        return {SH.inversePath: f"^{wrapped}", SH.zeroOrMorePath: f"{wrapped}*",
                SH.oneOrMorePath: f"{wrapped}+", SH.zeroOrOnePath: f"{wrapped}?"}[kind]
    raise UnsupportedShapeFeature(f"unsupported property path {node.n3()}")


def may_be_empty(graph: rdflib.Graph, node) -> bool:
    """True when the path can match zero steps, so every node reaches itself."""
    if isinstance(node, rdflib.URIRef):
        return False
    if graph.value(node, RDF.first) is not None:
        return all(may_be_empty(graph, step) for step in Collection(graph, node))
    if graph.value(node, SH.zeroOrMorePath) is not None or graph.value(node, SH.zeroOrOnePath) is not None:
        return True
    if (alternatives := graph.value(node, SH.alternativePath)) is not None:
        return any(may_be_empty(graph, step) for step in Collection(graph, alternatives))
    inner = graph.value(node, SH.inversePath) or graph.value(node, SH.oneOrMorePath)
    return may_be_empty(graph, inner)


def readable_path(graph: rdflib.Graph, node) -> str | None:
    """Finding.path: the property IRI itself, or the SPARQL form of a complex path."""
    if node is None:
        return None
    return str(node) if isinstance(node, rdflib.URIRef) else sparql_path(graph, node)


# --- the compiler ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Path:
    sparql: str
    nonempty: bool  # False when the path can match zero steps (p*, p?): then ?f p* ?f even for
    # a focus node absent from the graph, so such paths are only evaluated from a bound focus node


@dataclass(frozen=True)
class Scope:
    """Where the focus nodes of a shape come from."""

    pattern: str  # binds ?g and every variable of `variables`
    variables: tuple[str, ...]  # focus variables, outermost first; the last one is the focus node
    is_focus: Callable[[str], str] | None = None  # expression testing a bound node (top-level shapes)

    @property
    def focus(self) -> str:
        return self.variables[-1]


@dataclass(frozen=True)
class Violation:
    """Where a constraint fails at a focus node: a pattern (the value nodes, or empty) and a
    condition. Without a pattern it is a plain expression, which nested shapes (sh:or, sh:node, …)
    test without a subquery. `driver` and `anti_join` are faster forms for top-level shapes."""

    pattern: str
    condition: str
    value: str | None = None  # the variable holding the offending value, if the result has one
    key: str | None = None  # another variable that tells results apart (uniqueLang's language)
    driver: str | None = None  # binds ?g, the focus node (and value) of every failing case
    anti_join: str | None = None  # the focus nodes matching this pattern pass (minCount 1, hasValue)

    @property
    def where(self) -> str:
        return f"{self.pattern} FILTER({self.condition})"

    @property
    def absent(self) -> str:
        """An expression that is true when this violation does not occur."""
        return f"!({self.condition})" if not self.pattern else f"NOT EXISTS {{ {self.where} }}"

    def top_level(self, scope: Scope) -> str:
        # Start from the few failing values, then test the focus node, rather than test every
        # focus node: most records pass, so this touches far fewer rows.
        if self.driver and scope.is_focus:
            return f"{self.driver} FILTER({scope.is_focus(scope.focus)})"
        if self.anti_join:
            return f"{scope.pattern} MINUS {{ {self.anti_join} }}"
        return f"{scope.pattern} {self.where}"


def compile_shapes(graph: rdflib.Graph) -> list[Check]:
    """Every constraint of every targeted shape of `graph`, as a Check. Raises on unsupported features."""
    return list(ShapeCompiler(graph).checks())


class ShapeCompiler:
    def __init__(self, graph: rdflib.Graph):
        self.graph = graph
        self.counter = itertools.count()
        self.in_progress: list = []  # shapes being expanded, to refuse recursive shapes

    def fresh(self, stem: str) -> str:
        return f"?{stem}{next(self.counter)}"

    def checks(self) -> Iterator[Check]:
        for shape in sorted(self.targeted_shapes(), key=str):
            self.refuse_unsupported(shape)
            if not self.deactivated(shape):
                yield from self.shape_checks(shape, self.target_scope(shape))

    def targeted_shapes(self) -> set:
        shapes = {s for target in TARGETS for s in self.graph.subjects(target, None)}
        shape_types = (SH.NodeShape, SH.PropertyShape)
        classes = self.graph.subjects(RDF.type, rdflib.RDFS.Class)
        return shapes | {s for s in classes if any((s, RDF.type, t) in self.graph for t in shape_types)}

    def target_scope(self, shape) -> Scope:
        classes = list(self.graph.objects(shape, SH.targetClass))
        if (shape, RDF.type, rdflib.RDFS.Class) in self.graph:
            classes.append(shape)  # an implicit class target
        subjects_of = list(self.graph.objects(shape, SH.targetSubjectsOf))
        objects_of = list(self.graph.objects(shape, SH.targetObjectsOf))
        nodes = [sparql_constant(n) for n in self.graph.objects(shape, SH.targetNode)]
        known = " ".join(f"<{c}>" for c in classes)
        cls, other = self.fresh("class"), self.fresh("t")

        def patterns(f: str) -> list[str]:
            found = [f"GRAPH ?g {{ {f} {TYPE_PATH} {cls} }} VALUES {cls} {{ {known} }}"] if classes else []
            found += [f"GRAPH ?g {{ {f} <{p}> {other} }}" for p in subjects_of]
            found += [f"GRAPH ?g {{ {other} <{p}> {f} }}" for p in objects_of]
            return found

        def is_focus(f: str) -> str:
            return " || ".join([f"EXISTS {{ {p} }}" for p in patterns(f)] + [f"sameTerm({f}, {n})" for n in nodes])

        focus = self.fresh("f")
        # A target node is a focus node in every record graph, whether or not the graph mentions it.
        union = [*patterns(focus), *(f"GRAPH ?g {{ }} BIND({n} AS {focus})" for n in nodes)]
        pattern = " UNION ".join(f"{{ {p} }}" for p in union)
        return Scope(f"{{ SELECT DISTINCT ?g {focus} WHERE {{ {pattern} }} }}", (focus,), is_focus)

    def path(self, shape) -> Path | None:
        node = self.graph.value(shape, SH.path)
        if node is None:
            return None
        return Path(sparql_path(self.graph, node), not may_be_empty(self.graph, node))

    def shape_checks(self, shape, scope: Scope) -> Iterator[Check]:
        """Checks for the constraints of `shape`, and of its sh:property shapes, at the scope's focus."""
        path = self.path(shape)
        for component, parameter in self.constraints(shape):
            violation = self.violation(shape, component, parameter, scope.focus, path)
            extra = [v for v in (violation.value, violation.key) if v and v not in scope.variables]
            selected = " ".join([*scope.variables, *extra])
            query = f"SELECT DISTINCT ?g {selected} WHERE {{ {violation.top_level(scope)} }}"
            yield Check(self.shape_id(shape), str(SH[component + "ConstraintComponent"]),
                        readable_path(self.graph, self.graph.value(shape, SH.path)), self.severity(shape),
                        self.message(shape, component), scope.focus[1:],
                        violation.value[1:] if violation.value else None, query)
        for child in self.property_shapes(shape):
            if path is None:
                yield from self.shape_checks(child, scope)
            else:  # the values of a property shape are the focus nodes of its own sh:property
                value = self.fresh("v")
                pattern = f"{scope.pattern} GRAPH ?g {{ {scope.focus} {path.sparql} {value} }}"
                yield from self.shape_checks(child, Scope(pattern, (*scope.variables, value)))

    def property_shapes(self, shape) -> list:
        children = list(self.graph.objects(shape, SH.property))
        for child in children:
            self.refuse_unsupported(child)
        return [child for child in children if not self.deactivated(child)]

    def constraints(self, shape) -> list[tuple[str, rdflib.term.Identifier]]:
        """(component name, parameter value) for each constraint, e.g. ("MinCount", Literal(1))."""
        found = [(str(p).removeprefix(str(SH)), value) for p, value in self.graph.predicate_objects(shape)
                 if str(p).startswith(str(SH)) and p not in NON_CONSTRAINTS and p != SH.property]
        return sorted(((name[0].upper() + name[1:], value) for name, value in found), key=lambda c: (c[0], str(c[1])))

    def refuse_unsupported(self, shape) -> None:
        for component, _ in self.constraints(shape):
            if not hasattr(self, "compile_" + component[0].lower() + component[1:]):
                raise UnsupportedShapeFeature(f"shape {self.shape_id(shape)} uses sh:{component[0].lower()}"
                                              f"{component[1:]}, which the SPARQL fast path does not support")
        flags = self.graph.value(shape, SH.flags)
        if flags is not None and not set(str(flags)) <= PATTERN_FLAGS:
            raise UnsupportedShapeFeature(f"shape {self.shape_id(shape)}: sh:flags {flags!s} (only i and m are supported)")

    def violation(self, shape, component: str, parameter, focus: str, path: Path | None) -> Violation:
        compile_one = getattr(self, "compile_" + component[0].lower() + component[1:])
        return compile_one(shape, parameter, focus, path)

    # -- result metadata --

    def shape_id(self, shape) -> str:
        return f"_:{shape}" if isinstance(shape, rdflib.BNode) else str(shape)

    def severity(self, shape) -> str:
        return str(self.graph.value(shape, SH.severity, default=SH.Violation)).removeprefix(str(SH))

    def message(self, shape, component: str) -> str:
        messages = list(self.graph.objects(shape, SH.message))
        english = [m for m in messages if getattr(m, "language", None) in ("en", None)]
        chosen = english or messages
        return str(chosen[0]) if chosen else f"{component} constraint not satisfied"

    def deactivated(self, shape) -> bool:
        return bool(getattr(self.graph.value(shape, SH.deactivated), "value", False))

    # -- value nodes and nested shapes --

    def values(self, focus: str, path: Path | None) -> tuple[str, str]:
        """(pattern, variable) for the value nodes: the path's objects, or the focus node itself."""
        if path is None:
            return "", focus
        value = self.fresh("v")
        return f"GRAPH ?g {{ {focus} {path.sparql} {value} }}", value

    def conforms(self, shape, node: str) -> str:
        """A SPARQL expression: true when `node` conforms to `shape` (for sh:node, sh:or, …)."""
        self.refuse_unsupported(shape)
        if self.deactivated(shape):
            return "true"
        if shape in self.in_progress:
            raise UnsupportedShapeFeature(f"shape {self.shape_id(shape)} refers to itself (recursive shapes)")
        self.in_progress.append(shape)
        absences = [violation.absent for violation in self.violations(shape, node)]
        self.in_progress.pop()
        return "(" + " && ".join(absences) + ")" if absences else "true"

    def violations(self, shape, node: str) -> Iterator[Violation]:
        """Every way `node` can fail `shape`, including through its sh:property shapes."""
        path = self.path(shape)
        for component, parameter in self.constraints(shape):
            yield self.violation(shape, component, parameter, node, path)
        for child in self.property_shapes(shape):
            if path is None:
                yield from self.violations(child, node)
            else:
                pattern, value = self.values(node, path)
                for inner in self.violations(child, value):
                    yield Violation(f"{pattern} {inner.pattern}", inner.condition)

    def shape_list(self, parameter) -> list:
        return list(Collection(self.graph, parameter))

    # -- one method per constraint component --

    def filtered(self, focus: str, path: Path | None, failing: Callable[[str], str]) -> Violation:
        """A value-node constraint: each value node v for which `failing(v)` holds is a result."""
        pattern, value = self.values(focus, path)
        condition = failing(value)
        driver = None
        # rdf:type is on every node, so starting from its values would scan the whole batch.
        if path is not None and path.nonempty and path.sparql != RDF_TYPE:
            driver = f"{{ SELECT ?g {focus} {value} WHERE {{ {pattern} FILTER({condition}) }} }}"
        return Violation(pattern, condition, value, driver=driver)

    def grouped(self, focus: str, path: Path, having: str, key: tuple[str, str] | None = None) -> str | None:
        """A driver counting each focus node's values (per language when `key` is given)."""
        if not path.nonempty:
            return None
        item = self.fresh("x")
        bind, group = "", ""
        if key:
            variable, expression = key
            bind, group = f"BIND({expression.format(item)} AS {variable}) FILTER({variable} != \"\")", variable
        return (f"{{ SELECT ?g {focus} {group} WHERE {{ GRAPH ?g {{ {focus} {path.sparql} {item} }} {bind} }} "
                f"GROUP BY ?g {focus} {group} HAVING(COUNT(DISTINCT {item}) {having}) }}")

    def distinct_values(self, focus: str, path: Path, count: int) -> str:
        names = [self.fresh("c") for _ in range(count)]
        triples = " ".join(f"{focus} {path.sparql} {n} ." for n in names)
        different = " && ".join(f"!sameTerm({a}, {b})" for a, b in itertools.combinations(names, 2))
        return f"GRAPH ?g {{ {triples} }}" + (f" FILTER({different})" if different else "")

    def compile_minCount(self, shape, parameter, focus, path) -> Violation:
        count = int(parameter)
        if path is None or count > 5:
            raise UnsupportedShapeFeature(f"sh:minCount {count} on {self.shape_id(shape)} (property shapes, at most 5)")
        if count == 0:
            return Violation("", "false")
        anti_join = f"GRAPH ?g {{ {focus} {path.sparql} {self.fresh('x')} }}" if count == 1 and path.nonempty else None
        return Violation("", f"NOT EXISTS {{ {self.distinct_values(focus, path, count)} }}", anti_join=anti_join)

    def compile_maxCount(self, shape, parameter, focus, path) -> Violation:
        count = int(parameter)
        if path is None or count > 4:
            raise UnsupportedShapeFeature(f"sh:maxCount {count} on {self.shape_id(shape)} (property shapes, at most 4)")
        return Violation("", f"EXISTS {{ {self.distinct_values(focus, path, count + 1)} }}",
                         driver=self.grouped(focus, path, f"> {count}"))

    def compile_datatype(self, shape, parameter, focus, path) -> Violation:
        datatype = str(parameter)
        if datatype in UNCHECKABLE:
            raise UnsupportedShapeFeature(f"sh:datatype <{datatype}>: no well-formedness test for it")
        return self.filtered(focus, path, lambda v: f"!({datatype_test(datatype, v)})")

    def compile_nodeKind(self, shape, parameter, focus, path) -> Violation:
        if parameter not in NODE_KINDS:
            raise UnsupportedShapeFeature(f"unknown sh:nodeKind {parameter}")
        return self.filtered(focus, path, lambda v: "!" + NODE_KINDS[parameter].format(v=v))

    def compile_class(self, shape, parameter, focus, path) -> Violation:
        return self.filtered(focus, path, lambda v: f"NOT EXISTS {{ GRAPH ?g {{ {v} {TYPE_PATH} <{parameter}> }} }}")

    def compile_in(self, shape, parameter, focus, path) -> Violation:
        members = [sparql_constant(m) for m in self.shape_list(parameter)]
        return self.filtered(focus, path, lambda v: "!(" + (" || ".join(f"sameTerm({v}, {m})" for m in members) or "false") + ")")

    def compile_hasValue(self, shape, parameter, focus, path) -> Violation:
        value = sparql_constant(parameter)
        if path is None:
            return Violation("", f"!sameTerm({focus}, {value})")
        anti_join = f"GRAPH ?g {{ {focus} {path.sparql} {value} }}" if path.nonempty else None
        return Violation("", f"NOT EXISTS {{ GRAPH ?g {{ {focus} {path.sparql} {value} }} }}", anti_join=anti_join)

    def compile_pattern(self, shape, parameter, focus, path) -> Violation:
        flags = self.graph.value(shape, SH.flags)
        arguments = sparql_constant(rdflib.Literal(str(parameter)))
        if flags is not None:
            arguments += ", " + sparql_constant(rdflib.Literal(str(flags)))
        return self.filtered(focus, path, lambda v: f"isBlank({v}) || !REGEX(STR({v}), {arguments})")

    def compare(self, operator: str, parameter, focus, path) -> Violation:
        bound = sparql_constant(parameter, stored=False)
        return self.filtered(focus, path, lambda v: f"!COALESCE({typed_value(v)} {operator} {bound}, false)")

    def compile_minInclusive(self, shape, parameter, focus, path) -> Violation:
        return self.compare(">=", parameter, focus, path)

    def compile_maxInclusive(self, shape, parameter, focus, path) -> Violation:
        return self.compare("<=", parameter, focus, path)

    def compile_minExclusive(self, shape, parameter, focus, path) -> Violation:
        return self.compare(">", parameter, focus, path)

    def compile_maxExclusive(self, shape, parameter, focus, path) -> Violation:
        return self.compare("<", parameter, focus, path)

    def compile_minLength(self, shape, parameter, focus, path) -> Violation:
        if int(parameter) == 0:  # pyshacl: a minimum of 0 passes even blank nodes
            return Violation("", "false")
        return self.filtered(focus, path, lambda v: f"isBlank({v}) || STRLEN(STR({v})) < {int(parameter)}")

    def compile_maxLength(self, shape, parameter, focus, path) -> Violation:
        return self.filtered(focus, path, lambda v: f"isBlank({v}) || STRLEN(STR({v})) > {int(parameter)}")

    def compile_uniqueLang(self, shape, parameter, focus, path) -> Violation:
        if path is None:
            raise UnsupportedShapeFeature(f"sh:uniqueLang on node shape {self.shape_id(shape)}")
        if sparql_constant(parameter, stored=False) != f'"true"^^<{XSD}boolean>':  # not "1": W3C uniqueLang-002
            return Violation("", "false")
        a, b, language = self.fresh("a"), self.fresh("b"), self.fresh("lang")
        return Violation(
            f"GRAPH ?g {{ {focus} {path.sparql} {a} . {focus} {path.sparql} {b} }} BIND(LCASE(LANG({a})) AS {language})",
            f'!sameTerm({a}, {b}) && {language} != "" && {language} = LCASE(LANG({b}))', key=language,
            driver=self.grouped(focus, path, "> 1", key=(language, "LCASE(LANG({}))")))

    def compile_node(self, shape, parameter, focus, path) -> Violation:
        return self.filtered(focus, path, lambda v: f"!({self.conforms(parameter, v)})")

    def compile_not(self, shape, parameter, focus, path) -> Violation:
        return self.filtered(focus, path, lambda v: self.conforms(parameter, v))

    def logical(self, parameter, focus, path, failing: Callable[[str, int], str]) -> Violation:
        def count_conforming(v: str) -> str:
            members = [f"IF({self.conforms(member, v)}, 1, 0)" for member in self.shape_list(parameter)]
            return failing(" + ".join(members) or "0", len(members))
        return self.filtered(focus, path, count_conforming)

    def compile_and(self, shape, parameter, focus, path) -> Violation:
        return self.logical(parameter, focus, path, lambda total, n: f"({total}) != {n}")

    def compile_or(self, shape, parameter, focus, path) -> Violation:
        return self.logical(parameter, focus, path, lambda total, n: f"({total}) = 0")

    def compile_xone(self, shape, parameter, focus, path) -> Violation:
        return self.logical(parameter, focus, path, lambda total, n: f"({total}) != 1")
