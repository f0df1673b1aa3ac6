"""The server while the store changes: imports show up without a restart, never half-written;
withdrawn records answer 410 Gone, merged ones 301 to the survivor."""
from __future__ import annotations

import json
import threading
import time

import pytest
import rdflib

from conftest import BASE, PURE_API, REPO, SEED, Cli, Server, doc_path

TURTLE = {"Accept": "text/turtle"}


@pytest.fixture
def served(tmp_path):
    cli = Cli(tmp_path / "store")
    report = cli.ingest(SEED)
    server = Server(cli)
    server.seed = report[0]["iri"]
    yield server
    server.stop()


def wait_for(condition, seconds: float = 10):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_an_import_while_serving_shows_without_a_restart(served):
    report = served.cli.ingest(PURE_API)
    lund = next(r["iri"] for r in report if "lund-journal-article" in r["source"])
    assert wait_for(lambda: served.get(doc_path(lund), headers=TURTLE).status_code == 200), \
        "every worker sees the new record within seconds"
    for _ in range(6):  # both workers, whichever answers
        assert served.get(doc_path(lund), headers=TURTLE).status_code == 200
    assert served.get("/search?q=Wadso&format=json").json()["total"] == 1


def test_readers_never_see_a_half_written_record(served, tmp_path):
    """While an ingest replaces many records batch by batch, every document served is one
    whole version: the title and the abstract always come from the same import."""
    from bench.synthetic import records, write_jsonl

    first, second = tmp_path / "v1.jsonl", tmp_path / "v2.jsonl"
    write_jsonl(first, 300)
    versions = []
    for n, record in enumerate(records(300)):
        record["title"]["value"] += " (second version)"
        record["abstract"]["text"][0]["value"] += " (second version)"
        versions.append(record)
    second.write_text("".join(json.dumps(r) + "\n" for r in versions))
    report = served.cli.ingest(first)
    probe = [r["iri"] for r in report[::30]]
    assert wait_for(lambda: served.get(doc_path(probe[-1]), headers=TURTLE).status_code == 200)

    seen, errors, stop = [], [], threading.Event()

    def read_continuously():
        while not stop.is_set():
            for iri in probe:
                response = served.get(doc_path(iri), headers=TURTLE)
                if response.status_code != 200:
                    errors.append((iri, response.status_code))
                    continue
                graph = rdflib.Graph().parse(data=response.text, format="turtle")
                thing = rdflib.URIRef(iri)
                titles = [str(t) for t in graph.objects(thing, rdflib.DCTERMS.title)]
                abstracts = [str(a) for a in graph.objects(thing, rdflib.DCTERMS.abstract)]
                seen.append((titles, abstracts))

    reader = threading.Thread(target=read_continuously)
    reader.start()
    try:
        served.cli.ingest(second, options=("--batch-size", "50"))  # six batches, each visible before the next
    finally:
        stop.set()
        reader.join()
    assert not errors
    assert seen and all(len(titles) == len(abstracts) == 1 for titles, abstracts in seen)
    versions_seen = {("(second version)" in t[0], "(second version)" in a[0]) for t, a in seen}
    assert versions_seen <= {(False, False), (True, True)}, "title and abstract always from one import"
    assert wait_for(lambda: "(second version)" in served.get(doc_path(probe[0]), headers=TURTLE).text)


def test_withdrawn_record_is_410_with_a_tombstone(served):
    served.cli("withdraw", served.seed, "--reason", "Duplicate entry created in error")
    assert wait_for(lambda: served.get(doc_path(served.seed)).status_code == 410)
    page = served.get(doc_path(served.seed), headers={"Accept": "text/html"})
    assert "Duplicate entry created in error" in page.text and "withdrawn" in page.text
    tombstone = served.get(doc_path(served.seed), headers=TURTLE)
    assert tombstone.status_code == 410
    graph = rdflib.Graph().parse(data=tombstone.text, format="turtle")
    assert graph.value(rdflib.URIRef(served.seed), rdflib.URIRef("http://www.w3.org/ns/prov#invalidatedAtTime"))
    assert served.get("/" + served.seed[len(BASE):]).status_code == 410
    assert served.get("/search?q=Europe&format=json").json()["total"] == 0
    assert served.get(f"/cite/output/{served.seed.rsplit('/', 1)[-1]}/apa").status_code == 410

    # Importing the same source again does not bring it back.
    result = served.cli("ingest", str(SEED), check_exit=1)
    assert "withdrawn" in result.stderr
    assert served.get(doc_path(served.seed)).status_code == 410


def test_merged_record_redirects_301_to_the_survivor(served):
    report = served.cli.ingest(REPO / "examples" / "journal-article-tabs.txt")
    survivor = report[0]["iri"]
    served.cli("merge", served.seed, survivor)
    assert wait_for(lambda: served.get(doc_path(served.seed)).status_code == 301)
    moved = served.get(doc_path(served.seed) + ".ttl")
    assert moved.headers["Location"] == doc_path(survivor) + ".ttl"
    assert served.get(doc_path(served.seed) + "?format=nt").headers["Location"] == doc_path(survivor) + "?format=nt"
    assert served.get("/" + served.seed[len(BASE):]).headers["Location"] == "/" + survivor[len(BASE):]
    followed = served.get(doc_path(served.seed), headers=TURTLE, allow_redirects=True)
    assert followed.status_code == 200 and survivor in followed.text
    cite = served.get(f"/cite/output/{served.seed.rsplit('/', 1)[-1]}/bibtex")
    assert cite.status_code == 301 and cite.headers["Location"] == f"/cite/output/{survivor.rsplit('/', 1)[-1]}/bibtex"


def test_withdraw_and_merge_refuse_unknown_records(served):
    assert "there is no record" in served.cli("withdraw", "nope", "--reason", "x", check_exit=2).stderr
    assert "into itself" in served.cli("merge", served.seed, served.seed, check_exit=2).stderr
