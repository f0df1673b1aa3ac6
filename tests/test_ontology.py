"""The vocabularies: generated ASJC and Pure-type schemes, our own terms, and the lookups importers use."""
import json
import re
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS, SKOS

from kgpub.ontology import (
    KGV,
    VOCAB_GRAPHS,
    SourceError,
    asjc_codes,
    pure_type_by_portal_text,
    pure_type_by_uri,
    pure_types,
    read_pure_types,
    resolve_asjc,
)
from kgpub.ontology import build

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
ASJC_CSV = SHARED / "asjc.csv"
PURE_API = sorted((SHARED / "real" / "pure-api").glob("*.json"))
BASE = "https://data.example.edu/"
PSO = "http://purl.org/spar/pso/"
# FaBiO classes that are FRBR Works (or sub-classes of one): never put on a record (docs/decisions.md, Vocabulary).
FABIO_WORK_LEVEL = {"Work", "Report", "WorkingPaper", "Patent", "Review", "BookReview", "Correction",
                    "Erratum", "Corrigendum", "ScholarlyWork", "ResearchPaper", "Dataset", "Software"}


def load(name: str) -> Graph:
    return Graph().parse(VOCAB_GRAPHS[name], format="turtle", publicID=BASE)


def parse_text(text: str) -> Graph:
    return Graph().parse(data=text, format="turtle", publicID=BASE)


def ours(path: str) -> URIRef:
    return URIRef(BASE + path)


def seed_subject_labels() -> list[str]:
    text = (SHARED / "seed-record.txt").read_text(encoding="utf-8")
    section = text.split("ASJC Scopus subject areas", 1)[1].split("Dive into", 1)[0]
    return [line.strip(" •") for line in section.splitlines() if line.strip().startswith("•")]


def pure_api_records() -> list[dict]:
    return [json.loads(path.read_text(encoding="utf-8")) for path in PURE_API]


# --- generated files are what the build makes from the sources -----------------------------------

def test_regenerating_asjc_from_the_shared_csv_gives_the_committed_file():
    regenerated = build.relative_turtle(build.asjc_graph(build.read_asjc_csv(ASJC_CSV)))
    assert isomorphic(parse_text(regenerated), load("graph/asjc"))


def test_regenerating_pure_types_from_the_tsv_gives_the_committed_file():
    regenerated = build.relative_turtle(build.pure_types_graph(read_pure_types()))
    assert isomorphic(parse_text(regenerated), load("graph/pure-types"))


def test_generated_files_write_our_iris_relative_without_a_base():
    for name in ("graph/asjc", "graph/pure-types"):
        text = Path(VOCAB_GRAPHS[name]).read_text(encoding="utf-8")
        assert "@base" not in text and build.PLACEHOLDER not in text
    assert "<id/asjc/3312>" in Path(VOCAB_GRAPHS["graph/asjc"]).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(VOCAB_GRAPHS))
def test_every_vocabulary_file_parses_with_pyoxigraph_under_the_installation_base(name):
    with open(VOCAB_GRAPHS[name], "rb") as handle:
        quads = list(pyoxigraph.parse(handle, pyoxigraph.RdfFormat.TURTLE, base_iri=BASE))
    assert quads
    if name != "graph/vocab":
        assert any(str(quad.subject.value).startswith(BASE + "id/") for quad in quads)


# --- the ASJC scheme ---------------------------------------------------------------------------------

def test_asjc_scheme_has_334_codes_in_27_subject_areas():
    graph = load("graph/asjc")
    notations = [str(notation) for notation in graph.objects(None, SKOS.notation)]
    assert len([n for n in notations if len(n) == 4]) == 334
    assert len([n for n in notations if len(n) == 2]) == 27
    assert len(asjc_codes()) == 334


def test_asjc_scheme_is_a_fabio_term_dictionary_with_a_label():
    graph = load("graph/asjc")
    scheme = ours("id/asjc")
    assert {SKOS.ConceptScheme, URIRef("http://purl.org/spar/fabio/TermDictionary")} <= set(
        graph.objects(scheme, RDF.type))
    assert graph.value(scheme, SKOS.prefLabel)


def test_every_code_has_one_broader_subject_area_which_has_one_broad_area():
    graph = load("graph/asjc")
    for code, entry in asjc_codes().items():
        broader = list(graph.objects(ours(f"id/asjc/{code}"), SKOS.broader))
        assert broader == [ours(f"id/asjc/{entry.subject_area_code}")], code
        areas = list(graph.objects(broader[0], SKOS.broader))
        assert len(areas) == 1 and str(areas[0]).startswith(BASE + "id/asjc/area/"), code


def test_broad_areas_are_the_top_concepts():
    graph = load("graph/asjc")
    tops = set(graph.objects(ours("id/asjc"), SKOS.hasTopConcept))
    assert tops == {ours(f"id/asjc/area/{slug}") for slug in (
        "life-sciences", "physical-sciences", "health-sciences", "social-sciences", "multidisciplinary")}
    assert all((top, SKOS.topConceptOf, ours("id/asjc")) in graph for top in tops)


def test_codes_are_matched_to_the_published_ontopia_iris():
    graph = load("graph/asjc")
    match = graph.value(ours("id/asjc/3312"), SKOS.exactMatch)
    assert match == URIRef(
        "https://w3id.org/italia/controlled-vocabulary/classifications-for-her/all-science-journal/3312")
    assert len(list(graph.objects(None, SKOS.exactMatch))) == 334


def test_subject_areas_take_their_label_and_general_codes_keep_theirs():
    graph = load("graph/asjc")
    assert graph.value(ours("id/asjc/33"), SKOS.prefLabel) == Literal("Social Sciences", lang="en")
    assert asjc_codes()["3300"].label == "General Social Sciences"
    assert asjc_codes()["1000"].subject_area_code == "10"
    assert asjc_codes()["3312"].broad_area == "Social Sciences"


# --- resolving subjects as sources show them --------------------------------------------------------

def test_seed_subject_labels_resolve_to_their_codes():
    codes = [resolve_asjc(None, label) for label in seed_subject_labels()]
    assert codes == ["3305", "1202", "3312", "2002"]


def test_pure_api_subject_labels_resolve_to_the_code_in_their_uri():
    pairs = [(keyword["structuredKeyword"]["uri"], keyword["structuredKeyword"]["term"]["text"][0]["value"])
             for record in pure_api_records() for group in record.get("keywordGroups", [])
             if group.get("logicalName") == "ASJCSubjectAreas" for keyword in group["keywordContainers"]]
    assert ("/dk/atira/pure/subjectarea/asjc/3100", "Physics and Astronomy(all)") in pairs
    for uri, label in pairs:
        assert resolve_asjc(None, label) == uri.rsplit("/", 1)[1]
        assert resolve_asjc(uri, None) == uri.rsplit("/", 1)[1]


@pytest.mark.parametrize("label, code", [
    ("Physics and Astronomy (all)", "3100"),
    ("General Physics and Astronomy", "3100"),
    ("  sociology  and political SCIENCE ", "3312"),
    ("Ageing", "1302"),
    ("Aging", "1302"),
    ("Physics and Astronomy", "31"),
    ("Multidisciplinary", "1000"),
])
def test_label_variants_resolve(label, code):
    assert resolve_asjc(None, label) == code


def test_code_wins_over_label_and_unknown_subjects_are_none():
    assert resolve_asjc("1202", "Sociology and Political Science") == "1202"
    assert resolve_asjc("9999", "History") == "1202"
    assert resolve_asjc("9999", "Underwater basket weaving") is None
    assert resolve_asjc(None, None) is None


# --- Pure research-output types -----------------------------------------------------------------------

def test_seed_type_text_resolves_glued_or_separated():
    assert pure_type_by_portal_text("Contribution to journalArticle") == "contributiontojournal/article"
    assert pure_type_by_portal_text("Contribution to journal › Article") == "contributiontojournal/article"
    assert pure_type_by_portal_text("Contribution to journal\tArticle") == "contributiontojournal/article"
    assert pure_type_by_portal_text("Research output: Contribution to journalArticlepeer-review") == \
        "contributiontojournal/article"
    assert pure_type_by_portal_text("Contribution to journal › Haiku") is None


def test_pure_api_type_uris_resolve():
    keys = [pure_type_by_uri(record["type"]["uri"]) for record in pure_api_records()]
    assert sorted(keys) == ["contributiontojournal/article", "contributiontojournal/article",
                            "workingpaper/preprint"]
    assert pure_type_by_uri("/dk/atira/pure/researchoutput/researchoutputtypes/nosuch/type") is None


def test_pure_types_carry_portal_labels_and_full_class_iris():
    article = pure_types()["contributiontojournal/article"]
    assert article.portal_label == "Contribution to journal › Article"
    assert article.classes == ("http://purl.org/spar/fabio/JournalArticle",)
    assert pure_types()["contributiontojournal/systematicreview"].classes[1].endswith("/ReviewArticle")


def test_no_pure_type_puts_a_work_level_fabio_class_on_a_record():
    for pure_type in pure_types().values():
        names = {iri.rsplit("/", 1)[1] for iri in pure_type.classes}
        assert not names & FABIO_WORK_LEVEL, pure_type.key


def test_pure_type_scheme_links_types_to_groups_uris_and_classes():
    graph = load("graph/pure-types")
    article = ours("id/type/contributiontojournal/article")
    assert graph.value(article, SKOS.prefLabel) == Literal("Contribution to journal › Article", lang="en")
    assert graph.value(article, SKOS.altLabel) == Literal("Article", lang="en")
    assert graph.value(article, SKOS.broader) == ours("id/type/contributiontojournal")
    assert graph.value(article, URIRef(KGV + "pureUri")) == Literal(
        "/dk/atira/pure/researchoutput/researchoutputtypes/contributiontojournal/article")
    assert graph.value(article, URIRef(KGV + "fabioClass")) == URIRef(
        "http://purl.org/spar/fabio/JournalArticle")
    assert len(list(graph.subjects(SKOS.broader, None))) == len(pure_types())


# --- our own vocabulary --------------------------------------------------------------------------------

def kgv_terms_in_use() -> set[str]:
    modelling = (REPO / "docs" / "modelling.md").read_text(encoding="utf-8")
    generated = Path(VOCAB_GRAPHS["graph/pure-types"]).read_text(encoding="utf-8")
    return {match.rstrip("-.") for match in re.findall(r"kgv:([A-Za-z][\w-]*)", modelling + generated)}


def test_every_kgv_term_in_use_is_declared_with_a_label_and_comment():
    vocab = load("graph/vocab")
    terms = kgv_terms_in_use()
    assert {"languageLabel", "FingerprintEntry", "weight", "early-online", "pureUri"} <= terms
    for term in sorted(terms):
        iri = URIRef(KGV + term)
        assert vocab.value(iri, RDFS.label), term
        assert vocab.value(iri, RDFS.comment), term


def test_early_online_is_a_pso_publication_status_like_pso_published():
    vocab = load("graph/vocab")
    assert (URIRef(KGV + "early-online"), RDF.type, URIRef(PSO + "PublicationStatus")) in vocab


# --- bad sources give a clear message, not a traceback ----------------------------------------------

def test_build_reports_a_missing_csv(tmp_path, capsys):
    assert build.main(["--asjc-csv", str(tmp_path / "missing.csv")]) == 1
    assert "ASJC table not found" in capsys.readouterr().err


def test_malformed_asjc_row_names_the_line(tmp_path):
    bad = tmp_path / "asjc.csv"
    bad.write_text("code,label,subject_area_code,subject_area_label,broad_area\n"
                   '3312,"Sociology, again",34,Social Sciences,Social Sciences\n', encoding="utf-8")
    with pytest.raises(SourceError, match=r"asjc.csv line 2: subject_area_code '34'"):
        build.read_asjc_csv(bad)


def test_malformed_pure_type_row_names_the_line(tmp_path):
    bad = tmp_path / "pure-types.tsv"
    bad.write_text("# comment\nkey\tgroup\tlabel\tclasses\n"
                   "contributiontojournal/article\tContribution to journal\tArticle\tbibo:Article\n",
                   encoding="utf-8")
    with pytest.raises(SourceError, match=r"line 3: classes must be fabio: names"):
        read_pure_types(bad)
