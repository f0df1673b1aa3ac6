"""The SHACL shapes (shapes/records.ttl) and their SPARQL compiler (graph/shacl_sparql.py)."""
from __future__ import annotations

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.collection import Collection

from kgpub import ontology
from kgpub.graph.shacl_sparql import UnsupportedShapeFeature, compile_shapes
from kgpub.graph.rdflib_bridge import ox_to_rdflib, rdflib_to_ox, triples_to_rdflib_graph
from kgpub.graph.validate import Validator, validate_with_pyshacl, violations
from kgpub.shapes import NAMESPACE, shapes_graph, shapes_paths

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
KGSH = rdflib.Namespace(NAMESPACE)
FABIO = "http://purl.org/spar/fabio/"
CONTAINER_CLASSES = {FABIO + name for name in ("Book", "JournalIssue")}
BASE = "https://data.example.edu/"


def type_table_classes() -> set[str]:
    return {cls for pure_type in ontology.pure_types().values() for cls in pure_type.classes}


def targeted_classes() -> set[str]:
    return {str(c) for c in shapes_graph().objects(None, SH.targetClass)}


def constraint_shapes() -> list:
    """Every shape of ours that holds a constraint (and so produces results)."""
    graph = shapes_graph()
    return sorted({s for s, p, _ in graph if isinstance(s, rdflib.URIRef) and str(s).startswith(NAMESPACE)
                   and str(p).startswith(str(SH)) and p not in (SH.targetClass, SH.property)
                   and (s, SH.message, None) in graph}, key=str)


# --- what the shapes say --------------------------------------------------------------------------

def test_shapes_are_the_turtle_files_of_the_shapes_folder():
    assert [p.name for p in shapes_paths()] == ["records.ttl"]
    assert len(shapes_graph()) > 300


def test_every_class_of_the_type_table_is_targeted():
    assert type_table_classes() <= targeted_classes()


def test_research_output_shape_targets_the_type_table_except_container_classes():
    targets = {str(c) for c in shapes_graph().objects(KGSH.ResearchOutputShape, SH.targetClass)}
    assert targets == type_table_classes() - CONTAINER_CLASSES
    subjects_of = set(shapes_graph().objects(KGSH.ResearchOutputShape, SH.targetSubjectsOf))
    assert subjects_of == {rdflib.DCTERMS.type}


def test_output_classes_allowed_are_exactly_the_type_table():
    allowed = {str(c) for c in Collection(shapes_graph(), shapes_graph().value(KGSH["output-class"], SH["in"]))}
    assert allowed == type_table_classes()


def test_every_container_class_of_the_chain_has_a_shape():
    chain = {FABIO + name for name in ("JournalIssue", "JournalVolume", "Journal", "Book",
                                       "ConferenceProceedings", "BookSeries")}
    assert chain <= targeted_classes()


def test_every_shape_with_a_constraint_has_an_english_message_and_a_severity():
    graph = shapes_graph()
    shapes = [s for s in graph.subjects(SH.severity, None)]
    assert len(shapes) > 80
    for shape in shapes:
        messages = list(graph.objects(shape, SH.message))
        assert [m.language for m in messages] == ["en"], shape
        assert str(messages[0]).endswith("."), shape
        assert graph.value(shape, SH.severity) in (SH.Violation, SH.Warning, SH.Info), shape


def test_nothing_outside_the_record_graph_is_checked_with_sh_class():
    # ASJC and Pure-type concepts, languages and publishers live in other graphs
    graph = shapes_graph()
    outside = [rdflib.DCTERMS.subject, rdflib.DCTERMS.type, rdflib.DCTERMS.language, rdflib.DCTERMS.publisher]
    for shape in graph.subjects(SH["class"], None):
        assert graph.value(shape, SH.path) not in outside, shape


def test_the_shapes_compile_to_sparql():
    checks = compile_shapes(shapes_graph())
    assert len(checks) > 100
    assert all(check.query.startswith("SELECT DISTINCT ?g ") for check in checks)


# --- what they catch, for every output type -------------------------------------------------------

def record_of_class(cls: str, with_type: bool = True) -> list[ox.Triple]:
    """A research output of class `cls` with its Pure type, but no title."""
    output = ox.NamedNode(BASE + "id/output/k")
    triples = [ox.Triple(output, ox.NamedNode(str(rdflib.RDF.type)), ox.NamedNode(cls))]
    if with_type:
        triples.append(ox.Triple(output, ox.NamedNode(str(rdflib.DCTERMS.type)), ox.NamedNode(BASE + "id/type/x")))
    return triples


@pytest.fixture(scope="module")
def validator() -> Validator:
    return Validator()


@pytest.mark.parametrize("cls", sorted(type_table_classes()))
def test_an_output_of_any_type_without_title_is_rejected(cls, validator):
    findings = validator.validate_one(record_of_class(cls))
    assert "The output has no title." in {f.message for f in violations(findings)}


@pytest.mark.parametrize("cls", sorted(type_table_classes() - CONTAINER_CLASSES))
def test_an_output_without_pure_type_is_rejected(cls, validator):
    findings = validator.validate_one(record_of_class(cls, with_type=False))
    assert "The output has no Pure research-output type." in {f.message for f in violations(findings)}


def test_a_chapter_host_book_is_not_judged_as_an_output(validator):
    turtle = """
    @prefix fabio: <http://purl.org/spar/fabio/> . @prefix frbr: <http://purl.org/vocab/frbr/core#> .
    @prefix dcterms: <http://purl.org/dc/terms/> .
    <https://x.org/id/output/c> a fabio:BookChapter ; dcterms:type <https://x.org/id/type/chapter> ;
        dcterms:title "A chapter" ; frbr:partOf <https://x.org/id/output/c#host> .
    <https://x.org/id/output/c#host> a fabio:Book ; dcterms:title "The book" .
    """
    triples = [q.triple for q in ox.parse(turtle.encode(), ox.RdfFormat.TURTLE)]
    host_findings = [f for f in validator.validate_one(triples) if f.focus.endswith("#host")]
    assert host_findings == []


# --- the compiler refuses what it cannot check ----------------------------------------------------

UNSUPPORTED = {
    "sh:closed": "sh:closed true",
    "sh:languageIn": 'sh:path ex:p ; sh:languageIn ( "en" )',
    "sh:equals": "sh:path ex:p ; sh:equals ex:q",
    "sh:qualifiedValueShape": "sh:path ex:p ; sh:qualifiedValueShape [ sh:class ex:C ] ; sh:qualifiedMinCount 1",
    "sh:sparql": 'sh:sparql [ sh:select "SELECT $this WHERE { }" ]',
    "sh:flags s": 'sh:path ex:p ; sh:pattern "a.b" ; sh:flags "s"',
    "a recursive shape": "sh:path ex:p ; sh:node ex:S",
}


@pytest.mark.parametrize("feature", sorted(UNSUPPORTED))
def test_compiler_refuses_a_feature_it_does_not_implement(feature):
    turtle = f"""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
    ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ {UNSUPPORTED[feature]} ] ."""
    if feature in ("sh:closed", "sh:sparql"):
        turtle = turtle.replace(f"sh:property [ {UNSUPPORTED[feature]} ]", UNSUPPORTED[feature])
    with pytest.raises(UnsupportedShapeFeature):
        compile_shapes(rdflib.Graph().parse(data=turtle, format="turtle"))


# --- terms crossing from pyoxigraph to rdflib ----------------------------------------------------

def test_plain_and_xsd_string_literals_become_the_same_rdflib_literal():
    typed = ox.Literal("en", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#string"))
    assert ox_to_rdflib(typed) == rdflib.Literal("en")
    assert ox_to_rdflib(ox.Literal("en")) == rdflib.Literal("en")


def test_lexical_forms_survive_the_crossing_both_ways():
    for literal in (ox.Literal("01", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
                    ox.Literal("2006-03", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYearMonth")),
                    ox.Literal("Wadsö", language="sv"), ox.BlankNode("b1"), ox.NamedNode("https://x.org/a")):
        assert rdflib_to_ox(ox_to_rdflib(literal)) == literal
    assert str(ox_to_rdflib(literal := ox.Literal("1.50", datatype=ox.NamedNode(
        "http://www.w3.org/2001/XMLSchema#decimal")))) == literal.value


def test_an_ill_formed_literal_reaches_pyshacl_as_written():
    value = ox.Literal("2006-02-31", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))
    graph = triples_to_rdflib_graph([ox.Triple(ox.NamedNode("https://x.org/a"), ox.NamedNode("https://x.org/p"), value)])
    [(_, _, converted)] = list(graph)
    assert str(converted) == "2006-02-31" and converted.ill_typed


def test_pyshacl_reference_and_fast_path_read_the_same_shapes(validator):
    record = record_of_class(FABIO + "JournalArticle")
    assert {f.shape for f in validate_with_pyshacl(record)} == {f.shape for f in validator.validate_one(record)}
