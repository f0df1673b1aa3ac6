"""One contract, every backend: the embedded store, Oxigraph Server and Virtuoso behind the same
`kgpub` and the same app give the same answers (as rdflib tests its store plugins).

The reference is the embedded store loaded with the same files; what must differ (the time a
graph was written, and so its digest) is left out of every comparison."""
from __future__ import annotations

import gzip
import json
from collections import Counter

import pyoxigraph
import pytest
from conftest import BASE, CROSSREF_OF_AN_OC_META_WORK, REPO, SEED, SHARED_DATA, App, Cli, doc_path, remote_cli

EXAMPLES = REPO / "examples"
OC_META = SHARED_DATA / "real" / "other" / "opencitations-meta" / "oc_meta-example_metadata.csv"
TOKEN = "contract-token"
CHANGING = {"http://purl.org/dc/terms/modified", "http://purl.org/dc/terms/created", "http://www.w3.org/ns/prov#generatedAtTime",
            "https://w3id.org/kgpub/ns#contentDigest"}
DOCUMENT_FORMATS = {"text/turtle": pyoxigraph.RdfFormat.TURTLE, "application/n-triples": pyoxigraph.RdfFormat.N_TRIPLES,
                    "application/ld+json": pyoxigraph.RdfFormat.JSON_LD,
                    "application/rdf+xml": pyoxigraph.RdfFormat.RDF_XML}
SEARCHES = ["moisture timber", "mould", "register allocation", "repositories", "language models"]
QUERIES = [
    "SELECT ?s ?title WHERE { ?s <http://purl.org/dc/terms/title> ?title } ORDER BY ?s ?title",
    "SELECT ?type (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?type FILTER(STRSTARTS(STR(?type), "
    "'http://purl.org/spar/fabio/')) } GROUP BY ?type ORDER BY ?type",
    "ASK { ?s <http://purl.org/spar/datacite/hasIdentifier> ?i }",
    "SELECT ?s (COUNT(?a) AS ?authors) WHERE { ?s <http://purl.org/spar/pro/isDocumentContextFor> ?a } "
    "GROUP BY ?s ORDER BY ?s",
    f"SELECT ?doi WHERE {{ GRAPH ?g {{ ?i <http://www.essepuntato.it/2010/06/literalreification/hasLiteralValue> ?doi }} "
    f"FILTER(STRSTARTS(STR(?g), '{BASE}graph/output/')) FILTER(STRSTARTS(?doi, '10.')) }} ORDER BY ?doi",
]


@pytest.fixture(params=["embedded", "oxigraph_server", "virtuoso_server"], ids=["embedded", "oxigraph", "virtuoso"])
def backend(request, tmp_path, monkeypatch) -> Cli:
    """A Cli on an empty store of each kind; the test process's environment names its endpoints
    too, for the app the test makes."""
    if request.param == "embedded":
        return Cli(tmp_path / "store")
    server = request.getfixturevalue(request.param)
    cli = remote_cli(server, tmp_path)
    for name, value in cli.env.items():
        monkeypatch.setenv(name, value)
    return cli


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Cli:
    """The embedded store with the contract's records."""
    cli = Cli(tmp_path_factory.mktemp("reference") / "store")
    load(cli)
    return cli


def load(cli: Cli) -> list[dict]:
    return cli.ingest(EXAMPLES, SEED, OC_META, check_exit=None)


def comparable(quads) -> set[str]:
    return {str(q) for q in quads if q.predicate.value not in CHANGING}


def exported(cli: Cli) -> set[str]:
    out = cli("export", "--format", "nquads").stdout.encode("utf-8")
    return comparable(pyoxigraph.parse(out, pyoxigraph.RdfFormat.N_QUADS))


def app(cli: Cli, **settings) -> App:
    return App(cli, ADMIN_TOKEN=TOKEN, **settings)


def test_ingest_reports_stored_unchanged_updated_and_rejected(backend, tmp_path):
    first = load(backend)
    assert Counter(r["status"] for r in first) == {"stored": 21}
    assert Counter(r["status"] for r in load(backend)) == {"unchanged": 21}
    changed = tmp_path / "changed.txt"
    changed.write_text(SEED.read_text().replace("40 Scopus citations", "41 Scopus citations"))
    [updated] = backend.ingest(changed)
    assert updated["status"] == "updated"
    broken = tmp_path / "broken.txt"
    broken.write_text(SEED.read_text().replace("Number of pages21", "Number of pages0"))
    [rejected] = backend.ingest(broken, check_exit=1)
    assert rejected["status"] == "rejected"
    assert backend.ingest(changed)[0]["status"] == "unchanged", "the stored record is intact"


def test_one_record_per_work_across_sources(backend, tmp_path):
    report = load(backend)
    crossref = tmp_path / "work.crossref.json"
    crossref.write_text(CROSSREF_OF_AN_OC_META_WORK)
    [merged] = backend.ingest(crossref)
    first = next(r for r in report if r["source"] == f"{OC_META}:4")
    assert (merged["status"], merged["iri"]) == ("updated", first["iri"])
    # Importing the same two sources again changes nothing: the merge is stored with the records.
    assert backend.ingest(crossref)[0]["status"] == "unchanged"


def test_one_journal_per_journal_across_runs(backend, tmp_path):
    """Journals are found in the store by ISSN and by name (Store.find_journals): the second run's
    records join the first run's journals, and the reports agree, on every backend."""
    first, second = tmp_path / "first.bib", tmp_path / "second.bib"
    first.write_text("@article{a, title={A}, author={Berg, J.}, journal={Appl. Phys. Lett.}, year=2001}\n"
                     "@article{b, title={B}, author={Berg, J.}, journal={Nano Lett.}, issn={1530-6984}, year=2001}\n")
    second.write_text("@article{c, title={C}, author={Berg, J.}, journal={Applied Physics Letters}, year=2002}\n"
                      "@article{d, title={D}, author={Berg, J.}, journal={Nano Letters}, issn={1530-6984}, year=2002}\n")
    stored = [row["iri"] for row in backend.ingest(first) + backend.ingest(second)]
    rows = json.loads(backend("query", "--format", "json", "SELECT ?o ?j WHERE { ?o "
                              "<http://purl.org/vocab/frbr/core#partOf> ?j }").stdout)["results"]["bindings"]
    journal_of = {row["o"]["value"]: row["j"]["value"] for row in rows}
    a, b, c, d = (journal_of[iri] for iri in stored)
    assert a == c and b == d and a != b
    journals = json.loads(backend("journals", "--json").stdout)
    assert journals["journals"] == 2 and journals["suspected_duplicates"] == []


def test_export_holds_the_same_dataset(backend, reference):
    load(backend)
    assert exported(backend) == exported(reference)


def test_every_document_in_every_format_is_the_same(backend, reference):
    report = load(backend)
    ours, theirs = app(backend), app(reference)
    for record in report[:8]:
        for media_type, rdf_format in DOCUMENT_FORMATS.items():
            got = [a.get(doc_path(record["iri"]), headers={"Accept": media_type}) for a in (ours, theirs)]
            assert [g.status_code for g in got] == [200, 200], (record["iri"], media_type)
            graphs = [comparable(pyoxigraph.parse(_inlined(a, g, media_type), rdf_format, base_iri=BASE))
                      for a, g in zip((ours, theirs), got)]
            assert graphs[0] == graphs[1], (record["iri"], media_type, graphs[0] ^ graphs[1])


def _inlined(client: App, reply, media_type: str) -> bytes:
    """A JSON-LD document with this app's @context put in, as a client fetches it."""
    if media_type != "application/ld+json":
        return reply.content
    document = json.loads(reply.content)
    context = document.get("@context")
    if isinstance(context, str) and context.startswith(client.url):
        document["@context"] = client.get(context[len(client.url):]).json()["@context"]
    return json.dumps(document).encode("utf-8")


def test_record_pages_read_the_same(backend, reference):
    report = load(backend)
    ours, theirs = app(backend), app(reference)
    for record in report[:8]:
        pages = [a.get(doc_path(record["iri"]), headers={"Accept": "text/html"}) for a in (ours, theirs)]
        assert [p.status_code for p in pages] == [200, 200]
        assert _main_text(pages[0].text) == _main_text(pages[1].text), record["iri"]


def _main_text(html: str) -> str:
    """The page without what changes with the time of writing (Last updated, ETag-bearing links)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    main = soup.find("main") or soup
    for stamp in main.select("time, .modified"):
        stamp.decompose()
    return " ".join(main.get_text(" ").split())


def test_journal_person_and_subject_pages_read_the_same(backend, reference):
    from bs4 import BeautifulSoup

    report = load(backend)
    ours, theirs = app(backend), app(reference)
    article = next(r["iri"] for r in report if "journal-article-tabs.txt" in r["source"])
    record = BeautifulSoup(theirs.get(doc_path(article), headers={"Accept": "text/html"}).text, "html.parser")
    paths = [record.find(id="details").find("a", string="Building and Environment")["href"],
             record.find(id="authors").a["href"], "/doc/asjc/3305"]
    for path in paths:
        pages = [a.get(path, headers={"Accept": "text/html"}) for a in (ours, theirs)]
        assert [p.status_code for p in pages] == [200, 200], path
        assert _main_text(pages[0].text) == _main_text(pages[1].text), path
        assert "per year" in _main_text(pages[0].text), path


def test_search_finds_the_same_records_first(backend, reference):
    load(backend)
    ours, theirs = app(backend), app(reference)
    for text in SEARCHES:
        found = [a.get("/search", params={"q": text, "format": "json"}).json() for a in (ours, theirs)]
        assert found[0]["total"] == found[1]["total"] > 0, text
        assert [h["iri"] for h in found[0]["hits"][:3]] == [h["iri"] for h in found[1]["hits"][:3]], text
    homes = [_main_text(a.get("/").text) for a in (ours, theirs)]
    assert homes[0] == homes[1] and "21 research outputs" in homes[0], "the home page's figures"


def test_sparql_answers_are_the_same(backend, reference):
    load(backend)
    ours, theirs = app(backend), app(reference)
    for query in QUERIES:
        answers = [a.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
                   for a in (ours, theirs)]
        assert [r.status_code for r in answers] == [200, 200], (query, answers[0].text[:300])
        assert _bindings(answers[0]) == _bindings(answers[1]), query
    # `kgpub query` on the command line, too.
    printed = [_bindings(Reply(cli("query", "--format", "json", QUERIES[0]).stdout)) for cli in (backend, reference)]
    assert printed[0] == printed[1] and printed[0]


class Reply:
    def __init__(self, text: str):
        self.text = text

    def json(self):
        return json.loads(self.text)


def _bindings(reply):
    """Solutions as values: Virtuoso says 'typed-literal' and orders keys its own way."""
    body = reply.json()
    if "boolean" in body:
        return body["boolean"]
    return [{name: value["value"] for name, value in row.items()} for row in body["results"]["bindings"]]


def test_withdraw_answers_410_and_merge_301(backend):
    report = load(backend)
    gone, duplicate, survivor = (r["iri"] for r in report[:3])
    backend("withdraw", gone, "--reason", "Entered twice")
    backend("merge", duplicate, survivor)
    client = app(backend)
    assert client.get(doc_path(gone)).status_code == 410
    moved = client.get(doc_path(duplicate))
    assert moved.status_code == 301 and moved.headers["Location"] == doc_path(survivor)
    assert client.get("/search", params={"q": "", "format": "json"}).json()["total"] == 19
    assert "withdrawn" in backend("ingest", str(EXAMPLES), check_exit=1).stderr, "a withdrawn record stays down"
    # The tombstone changed by SPARQL Update (a graph that is no record, with a digest): served as changed.
    lifecycle = f"{BASE}graph/lifecycle"
    reason = "<https://w3id.org/kgpub/ns#withdrawalReason>"
    update = (f"DELETE {{ GRAPH <{lifecycle}> {{ <{gone}> {reason} ?r }} }} INSERT {{ GRAPH <{lifecycle}> "
              f"{{ <{gone}> {reason} \"Duplicate of another record\" }} }} WHERE {{ GRAPH <{lifecycle}> {{ <{gone}> {reason} ?r }} }}")
    done = client.request("POST", "/sparql", data={"update": update}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert done.status_code == 204, done.text
    assert "Duplicate of another record" in client.get(doc_path(gone), headers={"Accept": "text/html"}).text


def test_a_record_graph_dropped_by_sparql_update_leaves_search(backend):
    report = load(backend)
    client = app(backend)
    assert client.get("/search", params={"q": "", "format": "json"}).json()["total"] == 21
    graph = report[0]["iri"].replace("/id/", "/graph/")
    done = client.request("POST", "/sparql", data={"update": f"DROP GRAPH <{graph}>"},
                          headers={"Authorization": f"Bearer {TOKEN}"})
    assert done.status_code == 204, done.text
    assert client.get(doc_path(report[0]["iri"])).status_code == 404
    assert client.get("/search", params={"q": "", "format": "json"}).json()["total"] == 20


def test_admin_writes_over_http(backend):
    load(backend)
    client = app(backend)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    # SPARQL Update on a record graph: the record reads the change, its digest follows.
    [seed] = backend.ingest(SEED)
    graph = seed["iri"].replace("/id/", "/graph/")
    update = (f"INSERT DATA {{ GRAPH <{graph}> {{ <{seed['iri']}> <http://purl.org/dc/terms/subject> "
              f"\"added over HTTP\" }} }}")
    done = client.request("POST", "/sparql", data={"update": update}, headers=auth)
    assert done.status_code == 204, done.text
    turtle = client.get(doc_path(seed["iri"]), headers={"Accept": "text/turtle"}).text
    assert "added over HTTP" in turtle
    assert backend.ingest(SEED)[0]["status"] == "updated", "the digest was put right: the import restores it"
    # Graph Store Protocol: a graph of one's own, then gone.
    mine = "https://data.example.edu/graph/notes"
    put = client.request("PUT", "/graph-store", params={"graph": mine}, headers={**auth, "Content-Type": "text/turtle"},
                         data=b"<https://data.example.edu/id/note/1> <http://www.w3.org/2000/01/rdf-schema#label> \"n\" .")
    assert put.status_code == 201, put.text
    assert "rdf-schema#label" in client.get("/graph-store", params={"graph": mine},
                                            headers={"Accept": "application/n-triples"}).text
    assert client.request("DELETE", "/graph-store", params={"graph": mine}, headers=auth).status_code == 204
    default = client.request("PUT", "/graph-store", params={"default": ""},
                             headers={**auth, "Content-Type": "application/n-triples"},
                             data=b"<https://data.example.edu/id/note/2> <http://www.w3.org/2000/01/rdf-schema#label> \"d\" .\n")
    assert default.status_code in (201, 204), default.text
    assert "note/2" in client.get("/graph-store", params={"default": ""}, headers={"Accept": "application/n-triples"}).text
    # POST /ingest: a record sent over HTTP is served.
    posted = client.request("POST", "/ingest", data=(EXAMPLES / "preprint.txt").read_bytes(),
                            headers={**auth, "Content-Type": "text/plain", "Accept": "application/json"})
    assert posted.status_code == 200, posted.text


def test_dumps_and_void_figures_are_the_same(backend, reference):
    load(backend)
    for cli in (backend, reference):
        cli("dump")
    ours, theirs = app(backend), app(reference)
    dumps = []
    for client in (ours, theirs):
        reply = client.get("/dumps/kgpub.nq.gz")
        assert reply.status_code == 200
        dumps.append(comparable(pyoxigraph.parse(gzip.decompress(reply.content), pyoxigraph.RdfFormat.N_QUADS)))
    assert dumps[0] == dumps[1]
    figures = [_void_figures(client) for client in (ours, theirs)]
    assert figures[0] == figures[1] and figures[0]["http://rdfs.org/ns/void#triples"] > 3000


def _void_figures(client: App) -> dict:
    void = client.get("/.well-known/void", headers={"Accept": "application/n-triples"}, allow_redirects=True)
    numbers = {}
    for triple in pyoxigraph.parse(void.content, pyoxigraph.RdfFormat.N_TRIPLES):
        if triple.predicate.value.startswith("http://rdfs.org/ns/void#") and isinstance(triple.object, pyoxigraph.Literal):
            # distinctObjects counts the write times too: two records written in one second share one.
            if triple.object.datatype.value.endswith("integer") and not triple.predicate.value.endswith("Objects"):
                numbers[triple.predicate.value] = numbers.get(triple.predicate.value, 0) + int(triple.object.value)
    return numbers


@pytest.mark.parametrize("kind", ["oxigraph_server", "virtuoso_server"])
def test_a_query_past_its_time_ends_in_503(kind, request, tmp_path, monkeypatch):
    cli = remote_cli(request.getfixturevalue(kind), tmp_path)
    for name, value in cli.env.items():
        monkeypatch.setenv(name, value)
    load(cli)
    client = app(cli, QUERY_TIMEOUT=0.5)
    endless = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }")
    reply = client.get("/sparql", params={"query": endless}, headers={"Accept": "application/sparql-results+json"})
    assert reply.status_code == 503 and reply.headers["Retry-After"]
    # Oxigraph runs it until our time is up; Virtuoso refuses it at once, on its cost estimate.
    assert "did not finish within 0.5 seconds" in reply.text or "estimated execution time" in reply.text


def test_sitemaps_list_the_same_pages(backend, reference):
    load(backend)
    import xml.etree.ElementTree as ET

    def pages(client: App) -> set[str]:
        root = ET.fromstring(client.get("/sitemap.xml").content)
        return {loc.text for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}

    ours, theirs = pages(app(backend)), pages(app(reference))
    assert ours == theirs and len(ours) == 21


def test_oai_pmh_lists_the_same_records(backend, reference):
    import re

    load(backend)
    args = {"verb": "ListRecords", "metadataPrefix": "oai_dc"}
    texts = [a.get("/oai", params=args).text for a in (app(backend), app(reference))]
    listed = [sorted(re.findall(r"<identifier>(oai:[^<]+)</identifier>", text)) for text in texts]
    assert listed[0] == listed[1] and len(listed[0]) == 21
    titles = [sorted(re.findall(r"<dc:title>([^<]+)</dc:title>", text)) for text in texts]
    assert titles[0] == titles[1]


def test_oai_sets_are_the_same(backend, reference):
    import re

    load(backend)
    texts = [a.get("/oai", params={"verb": "ListSets"}).text for a in (app(backend), app(reference))]
    sets = [re.findall(r"<setSpec>([^<]+)</setSpec>", text) for text in texts]
    assert sets[0] == sets[1] and "year" in sets[0]


def test_the_change_log_says_created_updated_and_deleted(backend, tmp_path):
    """First and last writes, tombstones and removals, as ResourceSync lists them."""
    import re
    import time

    report = load(backend)
    stored = sorted({row["iri"] for row in report if row["status"] == "stored"})
    time.sleep(1.1)  # times are seconds
    changed = tmp_path / "preprint.txt"
    changed.write_text((EXAMPLES / "preprint.txt").read_text().replace("language models", "language model"))
    updated = backend.ingest(changed)[0]["iri"]
    withdrawn, dropped = [iri for iri in stored if iri != updated][:2]
    backend("withdraw", withdrawn, "--reason", "Entered twice")
    client = app(backend)
    done = client.request("POST", "/sparql", data={"update": f"DROP GRAPH <{dropped.replace('/id/', '/graph/')}>"},
                          headers={"Authorization": f"Bearer {TOKEN}"})
    assert done.status_code == 204, done.text
    text = client.get("/resourcesync/changelist.xml").text
    changes: dict[str, list[str]] = {}
    for key, change in re.findall(r"/doc/output/(\w+)\.ttl</loc><lastmod>[^<]+</lastmod><rs:md change=\"(\w+)\"", text):
        changes.setdefault(key, []).append(change)
    key = {iri: iri.rsplit("/", 1)[-1] for iri in stored}
    assert changes.pop(key[updated]) == ["created", "updated"]
    assert changes.pop(key[withdrawn]) == ["deleted"] and changes.pop(key[dropped]) == ["deleted"]
    assert set(map(tuple, changes.values())) == {("created",)} and len(changes) == 18
