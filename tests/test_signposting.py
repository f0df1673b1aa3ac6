"""FAIR Signposting, Level 1 (Link headers) and Level 2 (linksets), read by the `signposting`
parser from PyPI off the real server."""
from __future__ import annotations

import pyoxigraph
import pytest
import requests
import signposting
from conftest import BASE, SEED, doc_path

ORCID = "https://orcid.org/"
SHAPES = BASE + "shapes/records"


def landing(iri: str) -> str:
    return BASE + doc_path(iri).lstrip("/")


def record_authors(site, iri: str) -> list[str]:
    """The record's authors as the signposts should name them: ORCID where known, else their IRI."""
    ttl = site.get(doc_path(iri), headers={"Accept": "application/n-triples"}).content
    graph = list(pyoxigraph.parse(ttl, pyoxigraph.RdfFormat.N_TRIPLES))
    held = {t.object.value for t in graph if t.predicate.value == "http://purl.org/spar/pro/isHeldBy"}
    orcids = {}
    for t in graph:
        if t.predicate.value == "http://www.essepuntato.it/2010/06/literalreification/hasLiteralValue" \
                and "#orcid" in t.subject.value:
            orcids[t.subject.value.split("#")[0]] = ORCID + t.object.value
    return sorted(orcids.get(person, person) for person in held)


def test_every_record_page_signposts_its_citation_types_authors_and_metadata(site):
    for name, iri in site.iris.items():
        found = signposting.find_signposting_http(site.url + doc_path(iri))
        assert found.citeAs is not None, name
        doi = next((t for t in [str(found.citeAs.target)] if t.startswith("https://doi.org/")), None)
        assert str(found.citeAs.target) in (doi, iri), name
        types = {str(t.target) for t in found.types}
        assert "https://schema.org/AboutPage" in types and len(types) == 2, (name, types)
        assert sorted(str(a.target) for a in found.authors) == record_authors(site, iri), name
        described = {(str(d.target), str(d.type)) for d in found.describedBy}
        assert (landing(iri) + ".ttl", "text/turtle") in described, name
        assert all(d.profiles == {SHAPES} for d in found.describedBy), "each names the shapes it conforms to"
        assert {str(s.type) for s in found.linksets} == {"application/linkset", "application/linkset+json"}
        assert str(found.collection.target) == BASE


def test_an_article_with_a_doi_is_cited_by_it_and_names_its_authors(site):
    iri = site.iris["lund-journal-article.json"]
    found = signposting.find_signposting_http(site.url + doc_path(iri))
    assert str(found.citeAs.target) == "https://doi.org/10.1016/s0964-8305(98)00042-0"
    assert "https://schema.org/ScholarlyArticle" in {str(t.target) for t in found.types}
    assert found.authors and {str(a.target) for a in found.authors} == set(record_authors(site, iri))


def test_a_record_without_a_doi_is_cited_by_its_iri(site):
    iri = site.iris["seed-record.txt"]
    assert str(signposting.find_signposting_http(site.url + doc_path(iri)).citeAs.target) == iri


def test_rdf_documents_carry_the_same_signposts(site):
    iri = site.iris["lund-journal-article.json"]
    page = signposting.find_signposting_http(site.url + doc_path(iri))
    turtle = site.get(doc_path(iri), headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200
    for rel in ("cite-as", "describedby", "type", "author", "linkset"):
        assert f'rel="{rel}"' in turtle.headers["Link"], rel
    assert str(page.citeAs.target) in turtle.headers["Link"]


@pytest.mark.parametrize("suffix, accept", [("", None), ("", "application/linkset+json"), (".json", None)])
def test_the_level_2_linkset_says_what_the_headers_say(site, suffix, accept):
    iri = site.iris["lund-journal-article.json"]
    key = iri.rsplit("/", 1)[-1]
    url = f"{site.url}/linkset/output/{key}{suffix}"
    from_headers = signposting.find_signposting_http(site.url + doc_path(iri))
    from_linkset = signposting.find_signposting_linkset(url, accept).for_context(landing(iri))
    assert from_linkset.citeAs == from_headers.citeAs.with_context(landing(iri))
    assert {str(t.target) for t in from_linkset.types} == {str(t.target) for t in from_headers.types}
    assert {str(a.target) for a in from_linkset.authors} == {str(a.target) for a in from_headers.authors}
    assert len(from_linkset.describedBy) == len(from_headers.describedBy) == 6


def test_the_json_linkset_is_rfc_9264(site):
    key = site.iris["seed-record.txt"].rsplit("/", 1)[-1]
    reply = requests.get(f"{site.url}/linkset/output/{key}.json", timeout=30)
    assert reply.headers["Content-Type"].startswith("application/linkset+json")
    [entry] = reply.json()["linkset"]
    assert entry["anchor"] == landing(site.iris["seed-record.txt"])
    assert all(isinstance(targets, list) and all("href" in t for t in targets)
               for rel, targets in entry.items() if rel != "anchor")


def test_linksets_of_unknown_and_withdrawn_records(seed_copy):
    from conftest import App

    iri = seed_copy.ingest(SEED)[0]["iri"]
    key = iri.rsplit("/", 1)[-1]
    web = App(seed_copy)
    assert web.get("/linkset/output/nosuchrecord").status_code == 404
    assert web.get(f"/linkset/output/{key}").status_code == 200
    seed_copy("withdraw", iri, "--reason", "Entered twice")
    assert App(seed_copy).get(f"/linkset/output/{key}").status_code == 410


def test_authors_with_an_orcid_are_signposted_by_it(cli):
    """A Crossref work whose authors have ORCIDs (the site's records have none)."""
    from conftest import App, SHARED_DATA

    [record] = cli.ingest(SHARED_DATA / "real" / "crossref" / "abbotsbury" / "test1.json", check_exit=None)
    links = App(cli).get(doc_path(record["iri"]), headers={"Accept": "text/turtle"}).headers["Link"]
    authors = [part for part in links.split(", ") if 'rel="author"' in part]
    assert authors and any(part.startswith(f"<{ORCID}") for part in authors), authors
