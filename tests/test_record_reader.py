"""One reader of a stored record (graph/record_reader.py), and everything that shows a record
agreeing with it: the page, the citation, the search index and the exports are fed the same
deliberately broken graphs (a partial author chain, a cycle, two first authors, missing labels, a
container cycle) and must say the same."""
from __future__ import annotations

import bibtexparser
import pytest
import rispy
from pyoxigraph import Literal, NamedNode, Triple

from conftest import BASE, PURE_API
from kgpub.graph import bibformats, csl, search
from kgpub.graph.mapping import map_record
from kgpub.graph.namespaces import DCTERMS, FABIO, FOAF, FRBR, OCO, PRO, RDF
from kgpub.graph.pipeline import read_file
from kgpub.graph.record import Record
from kgpub.graph.record_reader import read_record
from kgpub.server import record_page

PREPRINT = PURE_API / "lund-preprint.json"  # five authors: van den Bosch, Risco Patón, Buijse, Berck, van Gompel
IN_SOURCE_ORDER = ["Antal van den Bosch", "Ainhoa Risco Patón", "Teun Buijse", "Peter Berck", "Maarten van Gompel"]


def mapped(path=PREPRINT):
    [record] = [r for r in read_file(path, None) if isinstance(r, Record)]
    result = map_record(record, BASE)
    return result.triples, result.iri.value, result.graph


def role(iri: str, n: int) -> NamedNode:
    return NamedNode(f"{iri}#author-{n}")


def without_next(triples, *positions: int, iri: str) -> list:
    """The triples with the oco:hasNext links out of these author positions removed."""
    cut = {role(iri, n) for n in positions}
    return [t for t in triples if not (t.predicate == OCO.hasNext and t.subject in cut)]


def broken_graphs() -> dict[str, tuple[list, str, NamedNode]]:
    triples, iri, graph = mapped()
    roles = [role(iri, n) for n in range(1, 6)]
    chain_only = [t for t in triples if t.predicate != OCO.hasNext]
    return {
        "whole chain": (triples, iri, graph),
        "no chain": (chain_only, iri, graph),
        # 1 -> 3 -> 4 -> 5 and 2 alone: a chain that misses an author (the issue's "Ann, Cy, Dee, Bob")
        "partial chain": (chain_only + [Triple(roles[0], OCO.hasNext, roles[2]), Triple(roles[2], OCO.hasNext, roles[3]),
                                        Triple(roles[3], OCO.hasNext, roles[4])], iri, graph),
        "cycle": (chain_only + [Triple(a, OCO.hasNext, b) for a, b in zip(roles, roles[1:] + roles[:1])], iri, graph),
        "two first authors": (without_next(triples, 2, iri=iri), iri, graph),
        "no person names": ([t for t in triples if t.predicate != FOAF.name], iri, graph),
    }


@pytest.mark.parametrize("case", list(broken_graphs()))
def test_page_citation_search_and_exports_agree_on_the_authors(case):
    triples, iri, graph = broken_graphs()[case]
    record = read_record(triples, iri)
    on_the_page = [a.name for a in record_page.record_view(record, BASE).authors]
    item = csl.csl_item(record)
    in_the_citation = [f"{n['given']} {n['family']}" if "given" in n else n.get("family") or n.get("literal")
                       for n in item["author"]]
    in_the_index = list(search.extract(graph, triples).authors)
    bibtex = bibtexparser.parse_string(bibformats.to_bibtex([item])).entries[0]["author"]
    ris = rispy.loads(bibformats.to_ris([item]))[0]["authors"]
    assert on_the_page == in_the_citation == in_the_index
    assert len(on_the_page) == 5 and len(bibtex.split(" and ")) == 5 and len(ris) == 5
    if case != "no person names":
        assert on_the_page == IN_SOURCE_ORDER, "every broken chain falls back to the positions the mapping wrote"


def test_a_whole_chain_wins_over_the_positions():
    """A chain that holds every author once, from one head, is the order, whatever the IRIs say."""
    triples, iri, _ = mapped()
    roles = [role(iri, n) for n in range(1, 6)]
    reordered = [t for t in triples if t.predicate != OCO.hasNext]
    order = [roles[4], roles[0], roles[1], roles[2], roles[3]]
    reordered += [Triple(a, OCO.hasNext, b) for a, b in zip(order, order[1:])]
    assert [a.name for a in read_record(reordered, iri).authors] == [IN_SOURCE_ORDER[4], *IN_SOURCE_ORDER[:4]]


def test_people_without_names_read_as_given_and_family_name():
    triples, iri, _ = broken_graphs()["no person names"]
    assert [a.name for a in read_record(triples, iri).authors] == IN_SOURCE_ORDER


def test_a_container_cycle_and_missing_labels_read_as_less_not_as_an_error():
    triples, iri, _ = mapped(PURE_API / "lund-journal-article.json")
    record = read_record(triples, iri)
    journal = NamedNode(record.journal.iri)
    looped = [t for t in triples if t.predicate != DCTERMS.title or t.subject != journal]
    looped.append(Triple(journal, FRBR.partOf, NamedNode(record.issue.iri)))  # journal part of its own issue
    again = read_record(looped, iri)
    assert (again.journal.iri, again.journal.title) == (record.journal.iri, None)
    assert (again.volume, again.issue) == (record.volume, record.issue)
    assert csl.csl_item(again)["volume"] == record.volume.number
    assert search.extract(NamedNode(iri.replace("/id/", "/graph/")), looped).journal_title is None


def test_labels_prefer_english_or_untagged_and_then_the_first_in_order():
    thing = NamedNode(BASE + "id/output/x")
    triples = [Triple(thing, RDF.type, FABIO.JournalArticle),
               Triple(thing, DCTERMS.title, Literal("Zebra", language="de")),
               Triple(thing, DCTERMS.title, Literal("Yak", language="en")),
               Triple(thing, DCTERMS.title, Literal("Xylophone"))]
    assert read_record(triples, thing.value).title == "Xylophone"


def test_an_output_of_nothing_reads_as_empty():
    record = read_record([], BASE + "id/output/nothing")
    assert (record.title, record.authors, record.journal, record.identifiers) == (None, (), None, ())
    with pytest.raises(ValueError, match="nothing is said of it"):
        csl.csl_item(record)


def test_editors_are_read_like_authors():
    triples, iri, _ = mapped()
    output = NamedNode(iri)
    editor, person = NamedNode(iri + "#editor-1"), NamedNode(BASE + "id/person/ed")
    triples = triples + [Triple(output, PRO.isDocumentContextFor, editor), Triple(editor, PRO.withRole, PRO.editor),
                         Triple(editor, PRO.isHeldBy, person), Triple(person, FOAF.name, Literal("Eda Editor"))]
    record = read_record(triples, iri)
    assert [e.name for e in record.editors] == ["Eda Editor"] and len(record.authors) == 5
    assert csl.csl_item(record)["editor"] == [{"literal": "Eda Editor"}]
