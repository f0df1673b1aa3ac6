"""Real Linked Data clients against the real server: headless Chromium, Comunica v4 and jsonld.js.

No mocks: each client is the program a user would point at `kgpub serve`. A missing client fails
under CI=true (.ci/run installs them) and is a skip locally (see `required_client`).
"""
from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
import rdflib
import requests
from bs4 import BeautifulSoup
from rdflib.compare import isomorphic

from conftest import PURE_API, REPO, SCRIPT_TITLE, SEED, doc_path, required_client, thing_path

CLIENTS = REPO / "tests" / "clients"
ARTIFACTS = REPO / "tests" / "artifacts"
LUND = PURE_API / "lund-journal-article.json"
# One table of the alternate formats every record page must link to (suffix → media type).
ALTERNATES = {".ttl": "text/turtle", ".jsonld": "application/ld+json", ".rdf": "application/rdf+xml",
              ".nt": "application/n-triples", ".nq": "application/n-quads", ".trig": "application/trig"}
# Switches that keep Chromium quiet, offline and repeatable in a container run as root.
CHROMIUM_SWITCHES = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SPARQL_RESULTS_JSON = "application/sparql-results+json"



def doc_url(site, source: str, suffix: str = "") -> str:
    """The server URL of a record's document, e.g. http://127.0.0.1:PORT/doc/output/KEY.ttl."""
    return site.url + source_doc_path(site, source) + suffix


def source_doc_path(site, source: str) -> str:
    return doc_path(site.iris[source])


def thing_url(site, source: str) -> str:
    return site.url + thing_path(site.iris[source])


# --- Chromium ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def chromium(tmp_path_factory):
    """Runs headless Chromium, each time with a fresh throw-away profile; returns its stdout."""
    found = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    required_client("chromium", bool(found), "Debian: apt-get install -y chromium")

    def run(*args: str) -> str:
        profile = tmp_path_factory.mktemp("chromium-profile")
        command = [found, *CHROMIUM_SWITCHES, f"--user-data-dir={profile}", *args]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, f"{' '.join(command)} exited {result.returncode}:\n{result.stderr[-3000:]}"
        return result.stdout

    return run


def rendered_dom(chromium, url: str) -> BeautifulSoup:
    """The DOM after Chromium loaded the page and ran whatever scripts it would run."""
    return BeautifulSoup(chromium("--dump-dom", url), "html.parser")


@pytest.fixture(scope="module")
def lund_page(chromium, site) -> BeautifulSoup:
    """The Lund article's record page as Chromium rendered it."""
    return rendered_dom(chromium, doc_url(site, LUND.name))


def lund_record() -> dict:
    return json.loads(LUND.read_text())


def test_chromium_sees_title_and_highwire_citation_tags(lund_page):
    record = lund_record()
    title = record["title"]["value"]
    assert lund_page.h1.get_text(strip=True) == title

    def meta(name):
        return [tag["content"] for tag in lund_page.find_all("meta", attrs={"name": name})]

    assert meta("citation_title") == [title]
    assert meta("citation_author") == [f"{a['name']['lastName']}, {a['name']['firstName']}"
                                       for a in record["personAssociations"]]
    assert meta("citation_doi") == ["10.1016/s0964-8305(98)00042-0"]
    # the source says https://doi.org/10.1016/S0964-8305(98)00042-0: DOIs compare case-insensitively
    assert record["electronicVersions"][0]["doi"].lower().endswith(meta("citation_doi")[0])
    assert meta("citation_publication_date") == [str(record["publicationStatuses"][0]["publicationDate"]["year"])]


def test_chromium_page_links_every_alternate_format_and_each_resolves(lund_page, site):
    links = {link["type"]: link["href"] for link in lund_page.find_all("link", rel="alternate")}
    path = source_doc_path(site, LUND.name)
    assert links == {media_type: path + suffix for suffix, media_type in ALTERNATES.items()}
    for media_type, href in links.items():
        response = requests.get(site.url + href, timeout=30)
        assert response.status_code == 200, href
        assert response.headers["Content-Type"].split(";")[0] == media_type, href


def test_chromium_page_carries_schema_org_json_ld(lund_page, site):
    record = lund_record()
    [script] = lund_page.find_all("script", type="application/ld+json")
    article = json.loads(script.string)
    assert article["@context"] == "https://schema.org"
    assert article["@type"] == "ScholarlyArticle"
    assert article["@id"] == site.iris[LUND.name]
    assert article["name"] == record["title"]["value"]
    assert [author["familyName"] for author in article["author"]] == \
           [a["name"]["lastName"] for a in record["personAssociations"]]
    assert article["sameAs"] == "https://doi.org/10.1016/s0964-8305(98)00042-0"


def test_chromium_screenshot_of_a_record_page(chromium, site):
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "record-page.png"
    shot.unlink(missing_ok=True)
    chromium(f"--screenshot={shot}", "--window-size=1280,2400", doc_url(site, LUND.name))
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    assert struct.unpack(">II", png[16:24]) == (1280, 2400)
    # a blank 1280×2400 page compresses to a few kilobytes; rendered text and styles do not
    assert len(png) > 30_000, f"screenshot is only {len(png)} bytes: the page probably did not render"


def test_chromium_runs_no_script_from_a_title(chromium, site):
    title = SCRIPT_TITLE.read_text().splitlines()[0]
    assert "<script>" in title, "the fixture must carry a script tag"
    dom = rendered_dom(chromium, doc_url(site, SCRIPT_TITLE.name))
    assert dom.h1.get_text(strip=True) == title, "the title is shown as text"
    assert dom.title.get_text().startswith(title), "document.title is the literal text too"
    # --dump-dom serialises the live DOM: an injected script would be a <script> element here
    scripts = dom.find_all("script")
    assert [script.get("type") for script in scripts] == ["application/ld+json"]
    assert json.loads(scripts[0].string)["name"] == title
    abstract = dom.find(id="abstract")
    assert abstract.find("b") is None and "<b>markup</b>" in abstract.get_text()


# --- Node clients: Comunica and jsonld.js ------------------------------------------------------------

@pytest.fixture(scope="module")
def node():
    found = shutil.which("node")
    required_client("node", bool(found), "Node.js 20 with npm")
    required_client("tests/clients/node_modules", (CLIENTS / "node_modules" / "jsonld").is_dir()
                    and (CLIENTS / "node_modules" / ".bin" / "comunica-sparql").exists(),
                    "run `npm ci` in tests/clients")
    return found


SEED_QUERY = """
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX frbr: <http://purl.org/vocab/frbr/core#>
PREFIX fabio: <http://purl.org/spar/fabio/>
SELECT ?title ?journalTitle (COUNT(DISTINCT ?subject) AS ?subjects) WHERE {
  <%s> dcterms:title ?title ; frbr:partOf+ ?journal ; dcterms:subject ?subject .
  ?journal a fabio:Journal ; dcterms:title ?journalTitle .
} GROUP BY ?title ?journalTitle
"""


def comunica_command(node, source: str, query: str) -> list[str]:
    """comunica-sparql over one source (a document URL, or `sparql@URL` for an endpoint)."""
    return [node, str(CLIENTS / "node_modules" / ".bin" / "comunica-sparql"), source, query,
            "-t", SPARQL_RESULTS_JSON, "-l", "info"]


def comunica(node, source: str, query: str) -> tuple[list[dict], str]:
    """Runs comunica-sparql over one source; returns the result bindings and its info log."""
    command = comunica_command(node, source, query)
    result = subprocess.run(command, capture_output=True, text=True, timeout=180, cwd=CLIENTS)
    assert result.returncode == 0, f"comunica-sparql exited {result.returncode}:\n{result.stderr[-3000:]}"
    return json.loads(result.stdout)["results"]["bindings"], result.stderr


def seed_facts() -> dict:
    """Title, journal and ASJC subject count as the seed record's text states them."""
    lines = SEED.read_text().splitlines()
    journal = next(line.removeprefix("Journal") for line in lines if line.startswith("Journal"))
    start = lines.index("ASJC Scopus subject areas")
    subjects = [line for line in lines[start + 1:] if line.strip().startswith("•")]
    return {"title": lines[0], "journalTitle": journal.strip(), "subjects": str(len(subjects))}


def as_values(bindings: list[dict]) -> list[dict]:
    return [{name: term["value"] for name, term in row.items()} for row in bindings]


def test_comunica_dereferences_a_thing_iri_and_answers_sparql(node, site):
    iri = site.iris[SEED.name]
    bindings, log = comunica(node, thing_url(site, SEED.name), SEED_QUERY % iri)
    assert as_values(bindings) == [seed_facts()]
    assert bindings[0]["title"]["xml:lang"] == "en"
    assert bindings[0]["subjects"]["value"] == "4"
    # Which representation did Comunica get? Replay its own Accept header against the thing IRI.
    [accept] = re.findall(r"Requesting \S+/id/\S+ \{ headers: \{ accept: '([^']+)'", log)
    response = requests.get(thing_url(site, SEED.name), headers={"Accept": accept}, timeout=30)
    assert response.history[0].status_code == 303
    assert response.url == doc_url(site, SEED.name)
    assert response.headers["Content-Type"].split(";")[0] == "application/n-quads", \
        "Comunica ranks N-Quads first; the server should honour that"
    dataset = rdflib.Dataset().parse(data=response.text, format="nquads")
    graphs = {graph_name for *_, graph_name in dataset.quads()}
    assert graphs == {rdflib.graph.DATASET_DEFAULT_GRAPH_ID}, \
        "document triples sit in the default graph, so a plain SELECT over the document sees them"


def test_comunica_reads_json_ld_resolving_the_remote_context(node, site):
    iri = site.iris[SEED.name]
    bindings, log = comunica(node, doc_url(site, SEED.name, ".jsonld"), SEED_QUERY % iri)
    assert as_values(bindings) == [seed_facts()]
    assert f"Requesting {site.url}/context/v1.jsonld" in log


def test_jsonld_js_expands_to_the_same_graph_as_the_turtle(node, site):
    result = subprocess.run([node, str(CLIENTS / "expand.js"), thing_url(site, LUND.name)],
                            capture_output=True, text=True, timeout=120, cwd=CLIENTS)
    assert result.returncode == 0, f"expand.js exited {result.returncode}:\n{result.stderr[-3000:]}"
    output = json.loads(result.stdout)
    assert output["documentUrl"] == doc_url(site, LUND.name), "jsonld's loader followed the 303"
    assert output["loaded"] == [doc_url(site, LUND.name), site.url + "/context/v1.jsonld"]
    from_jsonld_js = rdflib.Graph().parse(data=output["nquads"], format="nt")
    turtle = rdflib.Graph().parse(data=requests.get(doc_url(site, LUND.name, ".ttl"), timeout=30).text,
                                  format="turtle")
    assert len(from_jsonld_js) > 40
    assert isomorphic(from_jsonld_js, turtle)
