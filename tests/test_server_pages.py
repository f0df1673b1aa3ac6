"""Pages for people, search and "cite this", through the real server."""
from __future__ import annotations

import json

import bibtexparser
import pytest
import rispy
from bs4 import BeautifulSoup

from kgpub.graph import search_plans
from kgpub.server.app import create_app

from conftest import doc_path

LUND_DOI = "10.1016/s0964-8305(98)00042-0"



def soup(response) -> BeautifulSoup:
    assert response.status_code == 200, response.text[:500]
    return BeautifulSoup(response.text, "html.parser")


def test_record_page_shows_the_seed_in_pure_order(web):
    page = soup(web.get(doc_path(web.iris["seed-record.txt"]), headers={"Accept": "text/html"}))
    text = page.get_text(" ", strip=True)
    in_order = ["Contribution to journal › Article", "40", "Abstract", "English (US)", "193-213",
                "Europe - Asia Studies", "Published - Mar 2006", "Geography, Planning and Development",
                "Cite this"]
    positions = [text.find(part) for part in in_order]
    assert -1 not in positions, dict(zip(in_order, positions))
    assert positions == sorted(positions)
    subject = page.find("a", string="Sociology and Political Science")
    assert subject is not None and subject["href"] == "/doc/asjc/3312"


def test_record_page_has_highwire_tags_schema_org_and_alternates(web):
    page = soup(web.get(doc_path(web.iris["lund-journal-article.json"]), headers={"Accept": "text/html"}))
    meta = {}
    for tag in page.find_all("meta", attrs={"name": True}):
        meta.setdefault(tag["name"], []).append(tag["content"])
    assert meta["citation_doi"] == [LUND_DOI]
    assert len(meta["citation_author"]) == 2 and "Wadsö" in meta["citation_author"][1]
    assert meta["citation_publication_date"][0].startswith("1998")
    embedded = json.loads(page.find("script", type="application/ld+json").string)
    assert embedded["@type"] == "ScholarlyArticle"
    alternates = {link["type"] for link in page.find_all("link", rel="alternate")}
    assert {"text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml"} <= alternates


def test_cite_this_on_the_page_and_at_its_own_urls(web):
    key = web.iris["lund-journal-article.json"].rsplit("/", 1)[-1]
    page = soup(web.get(doc_path(web.iris["lund-journal-article.json"])))
    assert {"APA", "Harvard", "Vancouver", "Chicago"} <= {s.get_text(strip=True) for s in page.find_all("summary")}
    apa = web.get(f"/cite/output/{key}/apa?format=text")
    assert apa.status_code == 200 and "Markova" in apa.text and "1998" in apa.text
    bibtex = web.get(f"/cite/output/{key}/bibtex")
    entry = bibtexparser.parse_string(bibtex.text).entries[0]
    assert entry.entry_type == "article" and entry.fields_dict["doi"].value == LUND_DOI
    assert "attachment" in bibtex.headers["Content-Disposition"]
    ris = rispy.loads(web.get(f"/cite/output/{key}/ris").text)[0]
    assert ris["type_of_reference"] == "JOUR" and ris["doi"] == LUND_DOI
    csl = web.get(f"/cite/output/{key}/csl-json").json()
    assert csl[0]["DOI"] == LUND_DOI and csl[0]["issued"]["date-parts"][0][0] == 1998
    assert web.get(f"/cite/output/{key}/mla").status_code == 404
    assert web.get("/cite/output/no-such-key/apa").status_code == 404


def test_script_in_a_title_renders_inert(web):
    response = web.get(doc_path(web.iris["script-title.txt"]), headers={"Accept": "text/html"})
    assert '<script>alert("pwned")</script>' not in response.text
    page = soup(response)
    assert 'Clay <script>alert("pwned")</script> plaster' in page.find("h1").get_text()
    assert [s.get("type") for s in page.find_all("script")] == ["application/ld+json"]


def test_home_page_shows_figures_and_browsing(web):
    page = soup(web.get("/"))
    assert page.find(id="figures").strong.get_text() == str(len(web.iris)), "every stored record counted"
    assert page.find("a", href="/search?year=2006") is not None
    assert page.find("a", href="/doc/asjc/3312") is not None
    assert page.find("a", href="/sparql") is not None, "the SPARQL endpoint is linked"
    routes = {rule.rule for rule in create_app({"STORE": "/nonexistent"}).url_map.iter_rules()}
    for service in ("/dumps/", "/.well-known/void"):
        assert (page.find("a", href=service) is not None) == (service in routes), f"{service} linked iff served"


def test_search_html_and_json(web):
    response = web.get("/search?q=moisture+buffering")
    assert response.headers["Vary"] == "Accept"
    page = soup(response)
    assert "Moisture buffering of clay plaster" in page.get_text()
    assert page.find("mark") is not None, "matches are marked, not shown as escaped tags"
    body = web.get("/search?q=Wadso", headers={"Accept": "application/json"}).json()
    assert body["total"] >= 1 and body["hits"][0]["iri"] == web.iris["lund-journal-article.json"]
    by_year = web.get("/search?year=2006&format=json").json()
    assert web.iris["seed-record.txt"] in {h["iri"] for h in by_year["hits"]}
    assert body["order"] == "relevance" and page.find(id="search-order") is None


def test_a_search_too_common_to_rank_says_its_order(web, monkeypatch):
    monkeypatch.setattr(search_plans, "RANKED_MATCHES", 1)
    page = soup(web.get("/search?q=clay"))
    assert "newest come first" in " ".join(page.find(id="search-order").get_text().split())
    assert page.find("h2").get_text() == "More than 1 results"
    body = web.get("/search?q=clay&format=json").json()
    assert (body["order"], body["total"], body["total_is_lower_bound"]) == ("newest", 1, True)


@pytest.mark.parametrize("query", ['"unbalanced', "AND OR NOT", "*", "title:x", "x" * 600, "(", "'; DROP TABLE"])
def test_hostile_search_text_never_breaks_the_server(web, query):
    response = web.get("/search", params={"q": query})
    assert response.status_code in (200, 400)
    assert "Traceback" not in response.text
    as_json = web.get("/search", params={"q": query, "format": "json"})
    assert as_json.status_code in (200, 400)
    if as_json.status_code == 400:
        assert as_json.json()["detail"]


def test_concept_and_journal_pages_list_what_links_to_them(web):
    concept = soup(web.get("/doc/asjc/3312", headers={"Accept": "text/html"}))
    assert concept.find("h1").get_text(strip=True) == "Sociology and Political Science"
    seed_link = concept.find("a", href=doc_path(web.iris["seed-record.txt"]))
    assert seed_link is not None and "Law enforcement and civil society in Russia" in seed_link.get_text()
    lund = soup(web.get(doc_path(web.iris["lund-journal-article.json"]), headers={"Accept": "text/html"}))
    journal_href = lund.find("a", string="International Biodeterioration and Biodegradation")["href"]
    journal = soup(web.get(journal_href, headers={"Accept": "text/html"}))
    # label-own-line.txt names the same journal "International Biodeterioration & Biodegradation": one
    # journal (graph/journals.py), labelled by the first of its titles in code point order.
    assert journal.find("h1").get_text(strip=True) == "International Biodeterioration & Biodegradation"
    assert journal.find("a", string="Volume 42") is not None


def test_a_language_given_as_a_code_or_keyword_shows_by_its_english_name(cli, tmp_path):
    from conftest import App

    bib = tmp_path / "languages.bib"
    bib.write_text("@article{a, title = {Eins}, author = {Berg, Jonas}, journal = {J}, year = {2020}, "
                   "langid = {ngerman}}\n@article{b, title = {Two}, author = {Berg, Jonas}, journal = {J}, "
                   "year = {2020}, language = {english}}\n")
    web = App(cli)
    shown = []
    for row in cli.ingest(bib):
        page = BeautifulSoup(web.get(doc_path(row["iri"]), headers={"Accept": "text/html"}).text, "html.parser")
        shown.append(next(tr.td.text for tr in page.select("tr") if tr.th and tr.th.text == "Original language"))
    assert shown == ["German", "English"]
