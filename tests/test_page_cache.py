"""Record pages made once and kept (server/page_cache.py, issue 16): found again by any worker and
any later app on this machine, and made again exactly when what they are made from changes: the
record (by any path that writes it), a label it shows, a template."""
from __future__ import annotations

import jinja2
import pytest
from conftest import BASE, REPO, SEED, App, Cli, doc_path

from kgpub.server import record_page

TOKEN = "page-cache-token"
EXAMPLES = REPO / "examples"


@pytest.fixture
def store(tmp_path) -> tuple[Cli, list[dict]]:
    cli = Cli(tmp_path / "store")
    return cli, cli.ingest(EXAMPLES, SEED)


@pytest.fixture
def renders(monkeypatch) -> list[str]:
    """The record pages made in this process (by stem)."""
    made, render = [], record_page.render

    def counted(doc, stem, alternates):
        made.append(stem)
        return render(doc, stem, alternates)

    monkeypatch.setattr(record_page, "render", counted)
    return made


def seed_of(report: list[dict]) -> str:
    return next(r["iri"] for r in report if "seed-record.txt" in r["source"])


def page(app: App, iri: str) -> str:
    reply = app.get(doc_path(iri), headers={"Accept": "text/html"})
    assert reply.status_code == 200, reply.text[:300]
    return reply.text


def test_a_page_is_made_once_and_found_by_a_later_app(store, renders):
    cli, report = store
    seed = seed_of(report)
    first = page(App(cli), seed)
    assert renders == [doc_path(seed)[len("/doc/"):]]
    again = App(cli).get(doc_path(seed), headers={"Accept": "text/html"})  # a new app: no response cache
    assert again.text == first and len(renders) == 1
    assert "Link" in again.headers and 'rel="cite-as"' in again.headers["Link"]
    assert (cli.store / "kgpub" / "pages.sqlite").is_file()


def test_a_changed_subject_label_shows_on_the_next_request(store, renders):
    cli, report = store
    seed = seed_of(report)
    app = App(cli, ADMIN_TOKEN=TOKEN)
    assert "Sociology and Political Science" in page(app, seed)
    update = (f"DELETE {{ GRAPH ?g {{ <{BASE}id/asjc/3312> ?p ?label }} }} "
              f"INSERT {{ GRAPH ?g {{ <{BASE}id/asjc/3312> ?p \"Sociology and Politics\"@en }} }} "
              f"WHERE {{ GRAPH ?g {{ <{BASE}id/asjc/3312> ?p ?label FILTER(?p = <http://www.w3.org/2004/02/skos/core#prefLabel>) }} }}")
    done = app.request("POST", "/sparql", data={"update": update}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert done.status_code == 204, done.text
    shown = page(app, seed)
    assert "Sociology and Politics" in shown and "Sociology and Political Science" not in shown
    assert len(renders) == 2


def test_a_changed_template_shows_on_the_next_request(store, renders):
    cli, report = store
    seed = seed_of(report)
    page(App(cli), seed)
    changed = App(cli)
    original = changed.app.jinja_env.loader
    source = original.get_source(changed.app.jinja_env, "record.html")[0]
    changed.app.jinja_env.loader = jinja2.ChoiceLoader([
        jinja2.DictLoader({"record.html": source.replace("</article>", "<p id='new-footer'>new</p></article>", 1)}),
        original])
    assert "new-footer" in page(changed, seed) and len(renders) == 2


def test_a_record_rewritten_over_the_graph_store_shows_its_new_title(store, renders):
    cli, report = store
    seed = seed_of(report)
    app = App(cli, ADMIN_TOKEN=TOKEN)
    assert "Law enforcement and civil society in Russia" in page(app, seed)
    graph = seed.replace("/id/", "/graph/")
    turtle = app.get("/graph-store", params={"graph": graph}, headers={"Accept": "application/n-triples"}).text
    changed = turtle.replace("Law enforcement and civil society in Russia", "Policing and civil society in Russia")
    done = app.request("PUT", "/graph-store", params={"graph": graph}, data=changed.encode(),
                       headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/n-triples"})
    assert done.status_code in (200, 204), done.text
    assert "Policing and civil society in Russia" in page(app, seed) and len(renders) == 2


def test_a_citation_at_its_own_url_is_formatted_once(store, monkeypatch):
    from kgpub.graph import cite
    from kgpub.server import cite_pages

    cli, report = store
    key = seed_of(report).rsplit("/", 1)[-1]
    formatted, format_citation = [], cite.format_citation
    monkeypatch.setattr(cite_pages.cite, "format_citation",
                        lambda item, style, html=True: formatted.append(style) or format_citation(item, style, html))
    first = App(cli).get(f"/cite/output/{key}/apa")
    again = App(cli).get(f"/cite/output/{key}/apa")
    text = App(cli).get(f"/cite/output/{key}/apa", params={"format": "text"})
    assert first.status_code == 200 and again.text == first.text and "Law enforcement" in first.text
    assert "<" not in text.text and formatted == ["apa", "apa"]  # HTML once, text once


def test_a_record_documents_link_header_is_read_once(store, monkeypatch):
    """Its Signposting reads the whole record: kept with the pages, for the document it is about."""
    from kgpub.server import linked_data

    cli, report = store
    seed = seed_of(report)
    read, record_signposts = [], linked_data.signposting.record_signposts
    monkeypatch.setattr(linked_data.signposting, "record_signposts",
                        lambda *args: read.append(args[1]) or record_signposts(*args))
    first = App(cli).get(doc_path(seed), headers={"Accept": "text/turtle"})
    again = App(cli).get(doc_path(seed), headers={"Accept": "application/n-triples"})
    assert first.headers["Link"] == again.headers["Link"] and 'rel="cite-as"' in first.headers["Link"]
    assert read == [seed]


def test_kgpub_warm_makes_every_record_page(store, renders):
    cli, report = store
    warmed = cli("warm", "--base", BASE, "--jobs", "2")
    stored = [r["iri"] for r in report if r["status"] in ("stored", "updated")]
    assert f"{len(stored)} record pages ready" in warmed.stderr
    app = App(cli)
    for iri in stored:
        page(app, iri)
    assert renders == []  # every page was made by `warm`, none here
    assert f"{len(stored)} record pages ready" in cli("warm", "--base", BASE).stderr  # found, not made again


def test_kgpub_warm_under_another_base_says_so(store):
    cli, report = store
    wrong = cli("warm", "--base", "https://elsewhere.example.org/", check_exit=2)
    assert "not under https://elsewhere.example.org/" in wrong.stderr
    assert BASE in wrong.stderr, "it shows a record's IRI, so the right base can be read off it"


def test_pages_are_served_when_the_cache_cannot_be_written(store, renders, tmp_path):
    cli, report = store
    seed = seed_of(report)
    (cli.store / "kgpub" / "pages.sqlite").mkdir()  # a folder where the file should be
    app = App(cli)
    assert page(app, seed) == page(App(cli), seed)
    assert len(renders) == 2
