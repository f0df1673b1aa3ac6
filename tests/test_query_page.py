"""The query page at /sparql: YASGUI from our own static files, its example queries over the real
records, the plain form without JavaScript, and headless Chromium running a query on it.

Chromium is driven over the DevTools protocol on a pipe (tests/chromium.py), so the test needs
nothing beyond the browser.
"""
from __future__ import annotations

import json
import time
from urllib.parse import urljoin, urlsplit

import pytest
import rdflib
import requests
from bs4 import BeautifulSoup

from chromium import DevTools, chromium_browser, png_size  # noqa: F401 (the `browser` fixture)
from conftest import BASE, PURE_API, REPO, SEED
from kgpub.graph.namespaces import PREFIXES
from kgpub.server import query_page

ARTIFACTS = REPO / "tests" / "artifacts"
STATIC = REPO / "server" / "static" / "yasgui"
HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"  # what Chromium sends
EXAMPLE_TITLES = [example.title for example in query_page.EXAMPLES]


def run_on_endpoint(site, query: str) -> requests.Response:
    """The query as the page sends it: a form POST to /sparql."""
    accept = "application/n-triples" if "CONSTRUCT" in query else "application/sparql-results+json"
    response = requests.post(site.url + "/sparql", data={"query": query}, headers={"Accept": accept}, timeout=60)
    assert response.status_code == 200, response.text
    return response


def example_rows(site, title: str) -> list[dict]:
    query = dict(query_page.examples(BASE))[title]
    bindings = run_on_endpoint(site, query).json()["results"]["bindings"]
    return [{name: term["value"] for name, term in row.items()} for row in bindings]


# --- the example queries, through the real endpoint -------------------------------------------------

@pytest.mark.parametrize("title", EXAMPLE_TITLES)
def test_every_example_query_runs_and_returns_rows(site, title):
    query = dict(query_page.examples(BASE))[title]
    response = run_on_endpoint(site, query)
    if "CONSTRUCT" in query:
        graph = rdflib.Graph().parse(data=response.text, format="nt")
        assert len(graph) > 10
    else:
        assert response.json()["results"]["bindings"], f"{title} returned no rows"


def test_examples_declare_only_the_prefixes_they_use():
    for title, query in query_page.examples(BASE):
        declared = [line.split()[1].rstrip(":") for line in query.splitlines() if line.startswith("PREFIX ")]
        body = "\n".join(line for line in query.splitlines() if not line.startswith("PREFIX "))
        assert declared, title
        for prefix in declared:
            assert f"{prefix}:" in body, f"{title} declares {prefix} but does not use it"
    citations = dict(query_page.examples(BASE))["Outputs by Scopus citation count"]
    assert "PREFIX https:" not in citations, "an IRI in <…> is not a prefixed name"


def test_citation_example_ranks_the_seed_with_its_scopus_count(site):
    lines = SEED.read_text().splitlines()
    count = next(int(line.split()[0]) for line in lines if line.endswith("Scopus citations"))
    rows = example_rows(site, "Outputs by Scopus citation count")
    assert rows[0]["title"] == lines[0] and int(rows[0]["citations"]) == count
    assert [int(r["citations"]) for r in rows] == sorted((int(r["citations"]) for r in rows), reverse=True)


def test_author_example_lists_the_authors_in_the_source_order(site):
    # the example picks the output with most authors: the UMN article, with 51
    record = json.loads((PURE_API / "umn-journal-article.json").read_text())
    rows = example_rows(site, "Authors of an output, in order")
    assert {row["title"] for row in rows} == {record["title"]["value"]}
    assert [row["position"] for row in rows] == [str(n) for n in range(1, len(rows) + 1)]
    assert [row["name"] for row in rows] == [source_author_name(a) for a in record["personAssociations"]]


def source_author_name(association: dict) -> str:
    """A person's first and last name in Pure's JSON, else the collaboration's name."""
    if "name" in association:
        return f"{association['name']['firstName'].strip()} {association['name']['lastName'].strip()}"
    return association["authorCollaboration"]["name"]["text"][0]["value"]


def test_subject_area_example_names_the_seed_areas(site):
    rows = example_rows(site, "Outputs per ASJC subject area")
    by_area = {row["areaName"]: row for row in rows}
    # the seed lists "Geography, Planning and Development" (3305): subject area 33, Social Sciences
    assert "Geography, Planning and Development" in by_area["Social Sciences"]["subjects"]


def test_journal_example_gives_volume_and_issue(site):
    rows = example_rows(site, "Outputs in a journal, by volume and issue")
    seed = next(row for row in rows if row["title"] == SEED.read_text().splitlines()[0])
    assert (seed["journal"], seed["issue"], seed["pages"]) == ("Europe - Asia Studies", "2", "193-213")
    assert "volume" not in seed, "the seed names no volume"
    assert any("volume" in row and "issue" in row for row in rows)


def test_docs_show_every_example_as_it_runs():
    docs = (REPO / "docs" / "sparql.md").read_text()
    section = docs.split("\n## The query page\n", 1)[1].split("\n## ", 1)[0]
    for example in query_page.EXAMPLES:
        assert f"### {example.title}\n\n```sparql\n{query_page.example_query(example, '{base}')}\n```" in section


# --- the page without JavaScript --------------------------------------------------------------------

@pytest.fixture(scope="module")
def page(site) -> BeautifulSoup:
    response = site.get("/sparql", headers={"Accept": HTML})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    return BeautifulSoup(response.text, "html.parser")


def test_page_loads_yasgui_from_our_own_static_files(site, page):
    assets = [tag["src"] for tag in page.find_all("script", src=True)]
    assets += [tag["href"] for tag in page.find_all("link", rel="stylesheet")]
    assert "/static/yasgui/yasgui.min.js" in assets and "/static/yasgui/yasgui.min.css" in assets
    for asset in assets:
        assert not urlsplit(asset).netloc, f"{asset} is loaded from another host"
        response = site.get(asset)
        assert response.status_code == 200, asset
        assert response.content == (REPO / "server" / asset.removeprefix("/")).read_bytes()


def test_vendored_yasgui_is_the_package_named_in_source_txt():
    source = (STATIC / "SOURCE.txt").read_text()
    assert "@zazuko/yasgui" in source and "MIT" in source
    assert "Permission is hereby granted" in (STATIC / "LICENSE.txt").read_text()
    js = (STATIC / "yasgui.min.js").read_text()
    assert js.startswith("(function(e,t){") and "Yasgui" in js[:400], "the UMD browser build"


def test_plain_form_posts_the_query_without_javascript(site, page):
    form = page.noscript.find("form")
    assert form["method"] == "post" and form["action"] == "/sparql"
    query = form.find("textarea", attrs={"name": "query"}).get_text()
    response = requests.post(urljoin(site.url, form["action"]), data={"query": query, "format": "csv"}, timeout=60)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    assert response.text.splitlines()[0] == "output,title,date" and len(response.text.splitlines()) > 5


def test_plain_page_offers_every_example_as_a_form(page):
    forms = page.noscript.find_all("form")[1:]
    assert [form.h3.get_text() for form in forms] == EXAMPLE_TITLES
    assert [form.find("input", attrs={"name": "query"})["value"] for form in forms] == \
           [query for _, query in query_page.examples(BASE)]


# --- headless Chromium ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def watched_browser(browser) -> DevTools:
    """The browser, collecting in `window.blockedByPolicy` what a page's Content-Security-Policy blocked."""
    browser.send("Page.addScriptToEvaluateOnNewDocument", source="""
        window.blockedByPolicy = [];
        document.addEventListener("securitypolicyviolation",
            (e) => window.blockedByPolicy.push(e.violatedDirective + " " + e.blockedURI));""")
    return browser


@pytest.fixture
def loaded_page(watched_browser, site) -> DevTools:
    """/sparql freshly loaded in Chromium with the YASGUI editor drawn (each test its own page:
    YASGUI keeps the last query and its results in local storage, so that is cleared first)."""
    browser = watched_browser
    browser.send("Storage.clearDataForOrigin", origin=site.url, storageTypes="local_storage")
    browser.events.clear()
    browser.send("Page.navigate", url=site.url + "/sparql")
    browser.wait_for("document.querySelector('.yasqe .CodeMirror') !== null")
    return browser


TABLE_ROWS = "document.querySelectorAll('.yasr table.dataTable tbody tr').length"
EDITOR = "document.querySelector('.yasqe .CodeMirror').CodeMirror"  # the Yasqe instance


def test_chromium_shows_the_editor_with_our_prefixes_declared(loaded_page):
    value = loaded_page.evaluate(f"{EDITOR}.getValue()")
    for prefix, iri in PREFIXES.items():
        assert f"PREFIX {prefix}: <{iri}>" in value
    assert loaded_page.evaluate("document.getElementById('examples').hidden") is False
    assert loaded_page.evaluate("document.querySelectorAll('[data-example]').length") == len(EXAMPLE_TITLES)


def test_chromium_runs_an_example_and_shows_its_rows(loaded_page, site):
    index = EXAMPLE_TITLES.index("Outputs by Scopus citation count")
    loaded_page.evaluate(f"document.querySelector('[data-example=\"{index}\"]').click()")
    rows = loaded_page.wait_for(f"{TABLE_ROWS} > 0 && {TABLE_ROWS}")
    assert rows == len(example_rows(site, "Outputs by Scopus citation count"))
    first_row = loaded_page.evaluate("document.querySelector('.yasr table.dataTable tbody tr').innerText")
    seed_title = SEED.read_text().splitlines()[0]
    assert seed_title in first_row and "40" in first_row
    posts = [e for e in loaded_page.events if e.get("method") == "Network.requestWillBeSent"
             and e["params"]["request"]["url"] == site.url + "/sparql" and e["params"]["request"]["method"] == "POST"]
    assert posts, "the query went to this server's /sparql by POST"

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "query-page.png"
    png = loaded_page.screenshot()
    shot.write_bytes(png)
    assert png_size(png) == (1280, 1600)
    assert len(png) > 30_000, f"screenshot is only {len(png)} bytes: the page probably did not render"


def autocomplete(page, text: str) -> None:
    """Types `text` into the editor and asks for completions, as Ctrl-Space does."""
    page.evaluate(f"""(() => {{ const yasqe = {EDITOR};
        yasqe.setValue({json.dumps(text)}); yasqe.focus();
        yasqe.setCursor(yasqe.lineCount() - 1, {len(text.splitlines()[-1])}); yasqe.autocomplete(); }})()""")
    time.sleep(1.5)  # a completer that fetches would have sent its request by now


def test_chromium_page_requests_nothing_from_other_hosts(loaded_page, site):
    # after "a foaf:" YASGUI asks Linked Open Vocabularies for classes, after "?s foaf:" for
    # properties, and after "PREFIX " it may ask prefix.cc; none of it may leave this server
    declared = "PREFIX foaf: <http://xmlns.com/foaf/0.1/>\n"
    for text in (declared + "SELECT * WHERE { ?s a foaf:Pe", declared + "SELECT * WHERE { ?s foaf:na",
                 "PREFIX fo"):
        autocomplete(loaded_page, text)
    urls = [url for url in loaded_page.requested_urls() if not url.startswith(("data:", "blob:"))]
    assert {urlsplit(url).netloc for url in urls} == {urlsplit(site.url).netloc}, urls
    assert loaded_page.exceptions() == []


def test_chromium_page_works_under_its_content_security_policy(loaded_page, site):
    """The page runs no inline script; YASGUI, the examples and the results work with the policy on."""
    policy = requests.get(site.url + "/sparql", headers={"Accept": "text/html"}, timeout=30).headers
    assert "script-src 'self';" in policy["Content-Security-Policy"]
    index = EXAMPLE_TITLES.index("DOIs")
    loaded_page.evaluate(f"document.querySelector('[data-example=\"{index}\"]').click()")
    loaded_page.wait_for(f"{TABLE_ROWS} > 0")
    assert loaded_page.evaluate("window.blockedByPolicy") == []
    assert loaded_page.exceptions() == []
