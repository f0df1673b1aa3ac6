"""The HTML for people: view models read from real records' RDF, and the templates that show them.

Records come from the real sources (the seed page, the three Pure API records, the bundled
example pages for fields those lack), through the real importers and mapping, joined with the
vocabulary graphs for the ASJC and Pure-type labels: the document the server hands to a view.
Pages are rendered by a minimal Flask app with simple `href`-style globals and read back with
BeautifulSoup, as a browser or a crawler would.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from flask import Flask, render_template
from markupsafe import Markup

from conftest import BASE, PURE_API, REPO, SEED
from kgpub.graph.mapping import map_record
from kgpub.graph.namespaces import FABIO, OCO, RDF
from kgpub.graph.pipeline import read_file
from kgpub.graph.record import PartialDate, Record
from kgpub.graph.record_reader import TripleIndex, read_record
from kgpub.graph.vocabularies import vocabulary_graphs
from kgpub.server import html_meta, record_page, thing_page

EXAMPLES = REPO / "examples"
SERVER = REPO / "server"
HARVESTED = PartialDate(2026, 11, 24)  # what `kgpub ingest --harvest-date 2026-11-24` gives the counts
SEED_SUBJECTS = {"Geography, Planning and Development", "History", "Sociology and Political Science",
                 "Economics and Econometrics"}  # the seed page's "ASJC Scopus subject areas"
EVIL_TITLE = "</script><script>alert('x')</script> & <b>bold</b>"


@pytest.fixture(scope="module")
def vocabulary() -> list:
    return [t for triples in vocabulary_graphs(BASE).values() for t in triples]


def source_record(path: Path) -> Record:
    records = [r for r in read_file(path, None) if isinstance(r, Record)]
    assert len(records) == 1, f"{path} holds one record"
    for citation in records[0].citations:
        citation.harvested = citation.harvested or HARVESTED  # as the ingest pipeline does
    return records[0]


def document(record: Record, vocabulary: list) -> tuple[list, str]:
    """The record's own triples plus the vocabulary labels, and the output IRI."""
    mapped = map_record(record, BASE)
    return mapped.triples + vocabulary, mapped.iri.value


@pytest.fixture(scope="module")
def docs(vocabulary) -> dict[str, tuple[list, str]]:
    sources = {"seed": SEED, "lund": PURE_API / "lund-journal-article.json",
               "preprint": PURE_API / "lund-preprint.json", "umn": PURE_API / "umn-journal-article.json",
               "tabs": EXAMPLES / "journal-article-tabs.txt", "chapter": EXAMPLES / "chapter-in-book.txt",
               "conference": EXAMPLES / "conference-contribution.txt", "thesis": EXAMPLES / "doctoral-thesis.txt"}
    return {name: document(source_record(path), vocabulary) for name, path in sources.items()}


@pytest.fixture(scope="module")
def record_views(docs) -> dict[str, record_page.RecordView]:
    return {name: view_of(triples, iri) for name, (triples, iri) in docs.items()}


def view_of(triples: list, iri: str) -> record_page.RecordView:
    return record_page.record_view(read_record(triples, iri), BASE)


def rows(view) -> list[tuple[str, str]]:
    return [(row.label, ", ".join(v.text for v in row.values)) for row in view.details]


def local_href(iri: str) -> str:
    return "/" + iri[len(BASE):] if iri.startswith(BASE) else iri


@pytest.fixture(scope="module")
def app() -> Flask:
    app = Flask(__name__, template_folder=str(SERVER / "templates"), static_folder=str(SERVER / "static"))
    html_meta.init_app(app)
    app.jinja_env.globals.update(
        href=local_href, asjc_label={"3305": "Geography, Planning and Development"}.get,
        asjc_href=lambda code: f"/id/asjc/{code}", type_label=lambda iri: iri.rsplit("/", 1)[-1].title(),
        service_links=[("SPARQL endpoint", "/sparql"), ("Data dumps", "/dumps/"),
                       ("VoID description", "/.well-known/void")])
    return app


def render(app: Flask, template: str, **context) -> BeautifulSoup:
    with app.test_request_context("/"):
        return BeautifulSoup(render_template(template, **context), "html.parser")


def render_record(app, view: record_page.RecordView, **extra) -> BeautifulSoup:
    doc_url = local_href(view.iri).replace("/id/", "https://data.example.edu/doc/", 1)
    context = dict(view=view, doc_url=doc_url, highwire=html_meta.highwire_tags(view.record, doc_url),
                   schema_json=json.dumps(html_meta.schema_org(view.record, doc_url)), canonical=doc_url,
                   alternates=[{"label": "Turtle", "media_type": "text/turtle", "href": doc_url + ".ttl"},
                               {"label": "JSON-LD", "media_type": "application/ld+json", "href": doc_url + ".jsonld"}],
                   citations=[("APA", Markup("Author. (2006). <i>Europe - Asia Studies</i>, 2.")),
                              ("Harvard", Markup("Author 2006, <i>Europe - Asia Studies</i>."))],
                   downloads=[("BibTeX", doc_url + ".bib"), ("RIS", doc_url + ".ris")])
    return render(app, "record.html", **{**context, **extra})


# --- the record view: every field of the seed page ----------------------------------------------


def test_seed_record_view_has_the_seed_pages_header_fields(record_views):
    seed = record_views["seed"]
    assert seed.title == "Law enforcement and civil society in Russia"
    assert (seed.type_label, seed.peer_reviewed) == ("Contribution to journal › Article", True)
    assert seed.citations == [record_page.ShownCount(40, "Scopus", "24 Nov 2026")]
    assert seed.abstract.startswith("Many Russian civil society organisations are directly engaging")
    assert seed.abstract.endswith("in a more liberal, 'civil' direction.")


def test_seed_details_are_the_pages_rows_in_the_pages_order(record_views):
    assert rows(record_views["seed"]) == [
        ("Original language", "English (US)"), ("Pages (from-to)", "193-213"), ("Number of pages", "21"),
        ("Journal", "Europe - Asia Studies"), ("Issue number", "2"), ("Publication status", "Published - Mar 2006")]
    journal = record_views["seed"].details[3].values[0]
    assert journal.iri.startswith(BASE + "id/journal/")


def test_seed_subject_areas_have_their_asjc_names_and_the_seed_lists_no_authors_or_topics(record_views):
    seed = record_views["seed"]
    assert {s.label for s in seed.subjects} == SEED_SUBJECTS
    assert {s.code for s in seed.subjects} == {"3305", "1202", "3312", "2002"}
    assert all(s.iri == f"{BASE}id/asjc/{s.code}" for s in seed.subjects)
    assert (seed.authors, seed.fingerprint, seed.keywords, seed.record.doi) == ((), (), (), None)


def test_authors_follow_the_chain_in_source_order(record_views):
    assert [a.name for a in record_views["lund"].authors] == ["N Markova", "Lars Wadsö"]
    assert [a.name for a in record_views["preprint"].authors] == [
        "Antal van den Bosch", "Ainhoa Risco Patón", "Teun Buijse", "Peter Berck", "Maarten van Gompel"]
    umn = [a.name for a in record_views["umn"].authors]
    assert (len(umn), umn[:2], umn[-3:]) == (51, ["M. Ablikim", "M. N. Achasov"],
                                             ["H. Muramatsu", "R. Poling", "(BESIII Collaboration)"])


def test_authors_without_a_chain_are_all_still_shown(docs):
    triples, iri = docs["lund"]
    broken = [t for t in triples if t.predicate != OCO.hasNext]
    assert [a.name for a in view_of(broken, iri).authors] == ["N Markova", "Lars Wadsö"]


def test_pure_api_article_shows_volume_issue_article_number_doi_and_day_precise_status(record_views):
    umn = record_views["umn"]
    assert rows(umn) == [
        ("Original language", "English (US)"), ("Article number", "232002"),
        ("Journal", "Physical Review Letters"), ("Volume", "117"), ("Issue number", "23"),
        ("DOIs", "10.1103/physrevlett.117.232002"), ("Publication status", "Published - 2 Dec 2016"),
        ("Links", "https://experts.umn.edu/en/publications/f145e583-7d49-415e-aefb-381905b58ae7")]
    doi = umn.details[5].values[0]
    assert doi.url == "https://doi.org/10.1103/physrevlett.117.232002"
    assert umn.citations[0].count == 26
    assert [(s.code, s.label) for s in umn.subjects] == [("3100", "General Physics and Astronomy")]
    assert [r.label for r in umn.identifiers] == ["IRI", "DOI", "Pure UUID", "Scopus EID"]


def test_preprint_shows_subtitle_keywords_publisher_and_is_not_peer_reviewed(record_views):
    preprint = record_views["preprint"]
    assert preprint.full_title == ("Memory-based Language Models: An Efficient, Explainable, and "
                                   "Eco-friendly Approach to Large Language Modeling")
    assert (preprint.type_label, preprint.peer_reviewed) == ("Working paper › Preprint", False)
    assert preprint.keywords == ("AI", "language modelling", "machine learning")
    assert ("Publisher", "arXiv.org") in rows(preprint)
    assert ("Publication status", "Published - 25 Oct 2025") in rows(preprint)


def test_fingerprint_early_online_date_and_status_from_a_tab_separated_page(record_views):
    tabs = record_views["tabs"]
    assert [(t.label, t.domain, t.weight) for t in tabs.fingerprint] == [
        ("Clay Plaster", "Engineering", "100"), ("Moisture Buffering", "Keyphrases", "82"),
        ("Indoor Humidity", "Engineering", "45")]
    labels = [label for label, _ in rows(tabs)]
    assert labels.index("Early online date") < labels.index("DOIs") < labels.index("Publication status")
    assert ("Early online date", "3 Feb 2021") in rows(tabs)
    assert ("Publication status", "Published - 12 Mar 2021") in rows(tabs)


def test_chapter_and_conference_show_host_isbns_series_and_event(record_views):
    chapter = rows(record_views["chapter"])
    assert chapter[:3] == [("Original language", "English"),
                           ("Title of host publication", "Metadata and Semantics Research"),
                           ("Publisher", "Springer")]
    assert ("ISBN", "978-3-030-36598-1, 978-3-030-36599-8") in chapter
    assert ("Publication series", "Lecture Notes in Computer Science (ISSN 0302-9743, 1611-3349), "
                                  "Volume 11430") in chapter
    conference = rows(record_views["conference"])
    assert ("Event", "12th Conference on Research Data, CORD 2019 - Lisbon, Portugal") in conference
    assert ("Duration", "3 Jun 2019 → 5 Jun 2019") in conference


@pytest.mark.parametrize("lexical, shown", [("2006-03", "Mar 2006"), ("2006", "2006"),
                                            ("2019-06-03", "3 Jun 2019"), ("2006-13", "2006"), ("", None)])
def test_dates_are_shown_at_their_precision(lexical, shown):
    assert record_page.shown_date(lexical) == shown


def test_an_empty_document_gives_an_empty_view_not_an_error():
    view = view_of([], BASE + "id/output/missing")
    assert (view.title, view.details, view.authors, view.subjects) == ("(untitled)", [], (), ())


# --- Highwire tags and schema.org ---------------------------------------------------------------


def test_seed_highwire_tags(record_views):
    assert html_meta.highwire_tags(record_views["seed"].record, "https://data.example.edu/doc/output/x") == [
        ("citation_title", "Law enforcement and civil society in Russia"),
        ("citation_publication_date", "2006/03"),
        ("citation_journal_title", "Europe - Asia Studies"),
        ("citation_issue", "2"), ("citation_firstpage", "193"), ("citation_lastpage", "213"),
        ("citation_language", "en"),
        ("citation_abstract_html_url", "https://data.example.edu/doc/output/x")]


def test_highwire_tags_name_every_author_in_order_and_the_journals_issn(record_views):
    tags = html_meta.highwire_tags(record_views["lund"].record)
    assert [c for n, c in tags if n == "citation_author"] == ["Markova, N", "Wadsö, Lars"]
    assert {n: c for n, c in tags if n != "citation_author"} == {
        "citation_title": "A microcalorimetric method of studying mould activity as a function of water activity",
        "citation_publication_date": "1998", "citation_journal_title": "International Biodeterioration and Biodegradation",
        "citation_volume": "42", "citation_issue": "1", "citation_firstpage": "25", "citation_lastpage": "28",
        "citation_doi": "10.1016/s0964-8305(98)00042-0", "citation_issn": "1879-0208", "citation_language": "en"}


def test_highwire_tags_for_conference_and_thesis(record_views):
    conference = dict(html_meta.highwire_tags(record_views["conference"].record))
    assert conference["citation_conference_title"] == "12th Conference on Research Data, CORD 2019"
    thesis = dict(html_meta.highwire_tags(record_views["thesis"].record))
    assert thesis["citation_dissertation_institution"] == "Division of Building Materials, Lund University"
    assert "citation_publisher" not in thesis


def test_schema_org_describes_the_article_and_its_journal_chain(record_views):
    data = html_meta.schema_org(record_views["lund"].record, "https://data.example.edu/doc/output/x")
    assert (data["@context"], data["@type"]) == ("https://schema.org", "ScholarlyArticle")
    assert data["@id"] == record_views["lund"].iri
    assert [(a["@type"], a["name"]) for a in data["author"]] == [("Person", "N Markova"), ("Person", "Lars Wadsö")]
    assert data["author"][1]["@id"] == record_views["lund"].authors[1].iri
    issue = data["isPartOf"]
    assert (issue["@type"], issue["issueNumber"]) == ("PublicationIssue", "1")
    volume = issue["isPartOf"]
    assert (volume["@type"], volume["volumeNumber"]) == ("PublicationVolume", "42")
    assert volume["isPartOf"] == {"@type": "Periodical", "@id": BASE + "id/journal/issn-1879-0208",
                                  "name": "International Biodeterioration and Biodegradation", "issn": ["1879-0208"]}
    assert (data["pageStart"], data["pageEnd"], data["datePublished"]) == ("25", "28", "1998")
    assert data["sameAs"] == data["identifier"] == "https://doi.org/10.1016/s0964-8305(98)00042-0"


def test_schema_org_names_the_seeds_subject_areas_and_types_chapters_and_theses(record_views):
    seed = html_meta.schema_org(record_views["seed"].record, "u")
    assert {a["name"] for a in seed["about"]} == SEED_SUBJECTS
    assert seed["isPartOf"]["isPartOf"]["name"] == "Europe - Asia Studies"
    assert html_meta.schema_org(record_views["chapter"].record, "u")["@type"] == "Chapter"
    assert html_meta.schema_org(record_views["thesis"].record, "u")["@type"] == "Thesis"


def test_script_json_cannot_close_the_script():
    text = html_meta.script_json({"name": EVIL_TITLE})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(str(text)) == {"name": EVIL_TITLE}
    assert html_meta.script_json(text) == text  # the app may have escaped it already


# --- record.html --------------------------------------------------------------------------------


def test_record_page_sections_follow_the_pure_page(app, record_views):
    page = render_record(app, record_views["tabs"])
    assert [s["id"] for s in page.find_all("section")] == [
        "abstract", "details", "keywords", "subjects", "fingerprint", "cite", "identifiers"]
    text = page.main.get_text(" ")
    seed_order = ["Moisture buffering of clay plaster", "Karin Holmgren", "Research output:",
                  "Scopus citations", "Abstract", "Original language", "Keywords",
                  "ASJC Scopus subject areas", "Fingerprint", "Cite this"]
    positions = [text.index(marker) for marker in seed_order]
    assert positions == sorted(positions)


def test_seed_record_page_shows_the_seed_pages_text_in_order(app, record_views):
    page = render_record(app, record_views["seed"])
    text = " ".join(page.main.get_text(" ").split())
    markers = ["Law enforcement and civil society in Russia", "Contribution to journal › Article",
               "Peer-reviewed", "40 Scopus citations", "Many Russian civil society", "English (US)",
               "193-213", "21", "Europe - Asia Studies", "Published - Mar 2006", "ASJC Scopus subject areas",
               "Cite this"]
    positions = [text.index(marker) for marker in markers]
    assert positions == sorted(positions)
    assert [li.a.get_text() for li in page.find(id="subjects").find_all("li")] == [
        "History", "Economics and Econometrics", "Geography, Planning and Development", "Sociology and Political Science"]
    assert page.find("a", string="Europe - Asia Studies")["href"].startswith("/id/journal/")


def test_record_page_head_has_one_highwire_tag_per_value_and_authors_in_order(app, record_views):
    page = render_record(app, record_views["preprint"])
    tags = [(m["name"], m["content"]) for m in page.head.find_all("meta", attrs={"name": True})
            if m["name"].startswith("citation_")]
    assert [c for n, c in tags if n == "citation_author"] == [
        "van den Bosch, Antal", "Risco Patón, Ainhoa", "Buijse, Teun", "Berck, Peter", "van Gompel, Maarten"]
    assert ("citation_publication_date", "2025/10/25") in tags
    assert ("citation_abstract_html_url", "https://data.example.edu/doc/output/m2tjc2qgcldelczz") in tags


def test_record_page_embeds_schema_org_json_ld_that_parses(app, record_views):
    page = render_record(app, record_views["lund"])
    scripts = page.find_all("script", type="application/ld+json")
    data = json.loads(scripts[0].string)
    assert (data["@type"], data["name"]) == (
        "ScholarlyArticle", "A microcalorimetric method of studying mould activity as a function of water activity")
    assert [a["name"] for a in data["author"]] == ["N Markova", "Lars Wadsö"]


def test_a_script_in_a_title_is_inert_in_the_page_the_meta_tags_and_the_json_ld(app, docs, vocabulary):
    record = source_record(SEED)
    record.title = EVIL_TITLE
    view = view_of(*document(record, vocabulary))
    html = render_record(app, view)
    assert [s.get("type") for s in html.find_all("script")] == ["application/ld+json"]
    assert html.find("b") is None
    assert html.h1.get_text() == EVIL_TITLE
    assert html.find("meta", attrs={"name": "citation_title"})["content"] == EVIL_TITLE
    assert json.loads(html.find("script").string)["name"] == EVIL_TITLE
    assert "</script><script>" not in str(html.find("script"))


def test_record_page_links_alternates_in_head_and_body_and_cites_without_javascript(app, record_views):
    page = render_record(app, record_views["seed"])
    head = [(l["type"], l["href"]) for l in page.head.find_all("link", rel="alternate")]
    assert head == [("text/turtle", "https://data.example.edu/doc/output/pa7vroak263gu6yr.ttl"),
                    ("application/ld+json", "https://data.example.edu/doc/output/pa7vroak263gu6yr.jsonld")]
    visible = [(a["href"], a.get_text()) for a in page.find(id="identifiers").find(class_="formats").find_all("a")]
    assert visible == [(href, label) for (_, href), label in zip(head, ["Turtle", "JSON-LD"])]
    assert page.head.find("link", rel="canonical")["href"] == "https://data.example.edu/doc/output/pa7vroak263gu6yr"
    styles = page.find(id="cite").find_all("details")
    assert [d.summary.get_text() for d in styles] == ["APA", "Harvard"]
    assert styles[0].has_attr("open") and not styles[1].has_attr("open")
    assert styles[0].find("i").get_text() == "Europe - Asia Studies"  # the app's Markup is kept
    assert [a.get_text() for a in page.find(class_="downloads").find_all("a")] == ["BibTeX", "RIS"]
    assert page.find("link", rel="stylesheet")["href"] == "/static/kgpub.css"


def test_record_page_header_links_home_and_searches_with_get(app, record_views):
    page = render_record(app, record_views["seed"], site_name="Example University data")
    header = page.find("header", class_="site")
    assert header.find("a", class_="site-name")["href"] == "/"
    assert header.find("a", class_="site-name").get_text() == "Example University data"
    form = header.find("form")
    assert (form["action"], form["method"], form.find("input", type="search")["name"]) == ("/search", "get", "q")
    assert [a["href"] for a in header.nav.find_all("a")] == ["/", "/search", "/sparql", "/dumps/",
                                                             "/.well-known/void"]


def test_stylesheet_is_served(app):
    response = app.test_client().get("/static/kgpub.css")
    assert response.status_code == 200 and b"table.details" in response.data
    response.close()


# --- things: journals, ASJC concepts and thing.html ---------------------------------------------


def thing_view(doc: tuple[list, str], iri: str) -> thing_page.ThingView:
    return thing_page.thing_view(TripleIndex(doc[0]), iri, BASE)


def test_journal_thing_view(docs):
    journal = thing_view(docs["lund"], BASE + "id/journal/issn-1879-0208")
    assert (journal.label, journal.kind) == ("International Biodeterioration and Biodegradation", "Journal")
    assert [(r.label, [v.text for v in r.values]) for r in journal.rows] == [
        ("Title", ["International Biodeterioration and Biodegradation"]), ("ISSN", ["1879-0208"])]


def test_issue_without_a_volume_is_named_after_its_journal(docs):
    triples, _ = docs["seed"]
    issue_iri = next(t.subject.value for t in triples if t.predicate == RDF.type and t.object == FABIO.JournalIssue)
    issue = thing_view(docs["seed"], issue_iri)
    assert (issue.label, issue.kind) == ("Europe - Asia Studies, Issue 2", "Journal issue")
    part_of = next(r for r in issue.rows if r.label == "Part of").values[0]
    assert (part_of.text, part_of.iri) == ("Europe - Asia Studies", issue_iri.rsplit("/issue/", 1)[0])


def test_asjc_concept_thing_view(docs):
    concept = thing_view(docs["seed"], BASE + "id/asjc/3305")
    assert (concept.label, concept.kind) == ("Geography, Planning and Development", "ASJC subject area")
    table = {r.label: r.values for r in concept.rows}
    assert [v.text for v in table["Code"]] == ["3305"]
    assert [(v.text, v.iri) for v in table["Broader"]] == [("Social Sciences", BASE + "id/asjc/33")]
    assert table["Same concept elsewhere"][0].url.startswith("https://w3id.org/")
    assert thing_view(docs["seed"], BASE + "id/asjc/33").kind == "ASJC major subject area"


def test_thing_page_lists_backlinks_with_a_pager(app, docs):
    _, iri = docs["seed"]
    view = thing_view(docs["seed"], BASE + "id/asjc/3305")
    page = render(app, "thing.html", view=view, canonical=BASE + "doc/asjc/3305",
                  alternates=[{"label": "Turtle", "media_type": "text/turtle", "href": "/doc/asjc/3305.ttl"}],
                  backlinks=[(iri, "Law enforcement and civil society in Russia")], total=120,
                  next_href="/doc/asjc/3305?page=2", prev_href=None)
    assert page.h1.get_text() == "Geography, Planning and Development"
    section = page.find(id="backlinks")
    assert section.h2.get_text() == "Research outputs (120)"
    assert section.find("li").a["href"] == "/id/output/pa7vroak263gu6yr"
    assert section.find("a", rel="next")["href"] == "/doc/asjc/3305?page=2"
    assert section.find("a", rel="prev") is None
    assert page.find(id="about").find("a", string="Social Sciences")["href"] == "/id/asjc/33"
    assert page.head.find("link", rel="alternate")["href"] == "/doc/asjc/3305.ttl"


# --- home, search and error pages ---------------------------------------------------------------


@dataclass
class Figures:
    outputs: int
    by_year: list = field(default_factory=list)
    by_journal: list = field(default_factory=list)
    by_subject: list = field(default_factory=list)
    by_type: list = field(default_factory=list)


@dataclass
class Hit:
    iri: str
    title: str
    authors: tuple = ()
    journal_title: str | None = None
    year: str | None = None
    doi: str | None = None
    type_iri: str | None = None
    snippet: Markup | None = None


@dataclass
class Results:
    total: int
    hits: list
    next_href: str | None = None
    prev_href: str | None = None


def test_home_page_shows_figures_charts_and_browse_links(app):
    from kgpub.server import charts

    figures = Figures(1234, by_year=[("2006", 1)], by_subject=[("3305", 1)],
                      by_journal=[(BASE + "id/journal/j", "Europe - Asia Studies", 1)],
                      by_type=[(BASE + "id/type/contributiontojournal/article", 1)])
    page = render(app, "home.html", figures=figures,
                  year_chart=charts.year_chart("chart-years", "Outputs per year", figures.by_year,
                                               lambda year: f"/search?year={year}"),
                  type_chart=charts.category_chart("chart-types", "Outputs per type",
                                                   [("Article", 1, "/search?type=article")], "Type"))
    assert "1,234" in page.find(id="figures").get_text()
    assert page.find(id="by-year").a["href"] == "/search?year=2006"
    subject = page.find(id="by-subject").a
    assert (subject["href"], subject.get_text()) == ("/id/asjc/3305", "Geography, Planning and Development")
    assert page.find(id="by-journal").a["href"] == "/id/journal/j"
    assert page.find(id="by-type").find("table").a.get_text() == "Article"
    hrefs = {a["href"] for a in page.main.find_all("a")}
    assert {"/sparql", "/dumps/", "/.well-known/void"} <= hrefs


def test_search_page_shows_hits_with_marked_snippets_and_escaped_titles(app):
    hit = Hit(BASE + "id/output/pa7vroak263gu6yr", "Law enforcement <i>and</i> civil society",
              ("A. Author", "B. Author"), "Europe - Asia Studies", "2006", "10.1080/x",
              BASE + "id/type/contributiontojournal/article", Markup("civil <mark>society</mark> in Russia"))
    page = render(app, "search.html", query="society", filters={"year": "2006"},
                  results=Results(41, [hit], next_href="/search?q=society&page=2"), error=None,
                  alternates=[{"label": "JSON", "media_type": "application/json", "href": "/search.json?q=society"}])
    item = page.find("li", class_="hit")
    assert item.h3.a["href"] == "/id/output/pa7vroak263gu6yr"
    assert item.h3.get_text() == "Law enforcement <i>and</i> civil society" and item.find("i") is None
    assert item.find("mark").get_text() == "society"
    assert page.find("a", rel="next")["href"] == "/search?q=society&page=2"
    assert page.find(id="results").h2.get_text() == "41 results"
    assert page.find("input", type="hidden", attrs={"name": "year"})["value"] == "2006"
    assert page.head.find("link", rel="alternate")["type"] == "application/json"


def test_search_page_shows_the_error_instead_of_results(app):
    page = render(app, "search.html", query="x" * 50, filters={}, results=None, error="the query is too long")
    assert page.find(id="search-error").get_text() == "the query is too long"
    assert page.find(id="results") is None


def test_error_page_for_a_withdrawn_record(app):
    page = render(app, "error.html", status=410, title="Gone",
                  message="This record was withdrawn on 2026-11-24 (duplicate).",
                  links=[("The dataset's SPARQL endpoint", "/sparql")])
    assert "410" in page.find(class_="status").get_text()
    assert page.h1.get_text() == "Gone"
    assert page.find(class_="message").get_text() == "This record was withdrawn on 2026-11-24 (duplicate)."
    assert page.find(class_="next-steps").a["href"] == "/sparql"


def test_only_web_links_become_links(app, record_views):
    """A record's URL is whatever a researcher typed: `javascript:` must not become a link."""
    from kgpub.server.record_page import Link, Row

    from dataclasses import replace

    seed = record_views["seed"]
    view = replace(seed, details=[*seed.details, Row("Links", (Link("javascript:alert(1)", url="javascript:alert(1)"),
                                                                Link("https://example.org/", url="https://example.org/")))])
    page = render_record(app, view)
    hrefs = [a["href"] for a in page.find_all("a")]
    assert "https://example.org/" in hrefs and not any(h.lower().startswith("javascript:") for h in hrefs)
    assert "javascript:alert(1)" in page.get_text()
