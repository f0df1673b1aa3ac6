"""The pages worth looking at, through Flask's test client over the site store: the home page's
charts (bars equal to the counts, the same numbers as a table), a journal's ISSNs and articles
newest first, a person's outputs and co-authors, a subject area's counts per year; and the same
layout (base.html) on every page, the SPARQL page and the error pages included.

Expected figures come from the sources (the files ingested) or from the search API, never from
the page code."""
from __future__ import annotations

import json
from collections import Counter

import pytest
from bs4 import BeautifulSoup

from conftest import PURE_API, REPO, SCRIPT_TITLE, NORDIC_TOPIC, doc_path
from test_query_page import source_author_name

HTML = {"Accept": "text/html"}


def page(web, path: str, status: int = 200) -> BeautifulSoup:
    response = web.get(path, headers=HTML)
    assert response.status_code == status, response.text[:500]
    return BeautifulSoup(response.text, "html.parser")


def every_hit(web, **filters) -> list[dict]:
    """All records the search API lists for these filters (what the charts must agree with)."""
    hits, number = [], 1
    while True:
        body = web.get("/search", params={**filters, "format": "json", "page": str(number)}).json()
        hits += body["hits"]
        if not body["next"]:
            return hits
        number += 1


def bars(chart) -> dict[str, int]:
    return {rect["data-label"]: int(rect["data-count"]) for rect in chart.select("rect.bar")}


def table(chart) -> dict[str, int]:
    rows = chart.select("table.numbers tbody tr")
    return {row.th.get_text(strip=True): int(row.td.get_text(strip=True).replace(",", "")) for row in rows}


def assert_accessible_chart(chart) -> None:
    picture = chart.find("svg", attrs={"role": "img"})
    ids = picture["aria-labelledby"].split()
    assert [picture.find(id=i).name for i in ids] == ["title", "desc"], "named by its title and description"
    assert picture.find("a") is None, "an image holds no links (axe: nested-interactive)"
    links = chart.find("svg", class_="chart-links")
    if links is not None:
        assert links["aria-hidden"] == "true"
        assert {a["tabindex"] for a in links.find_all("a")} == {"-1"}, "the table's links are the keyboard's"
    assert chart.find("details").find("table") is not None


# --- the home page --------------------------------------------------------------------------------

def test_home_year_chart_has_a_bar_per_year_equal_to_its_records(web):
    hits = every_hit(web)
    assert len(hits) == len(web.iris)
    chart = page(web, "/").find(id="chart-years")
    expected = Counter(hit["year"] for hit in hits if hit["year"])
    assert bars(chart) == expected
    assert table(chart) == expected, "the table fallback holds the same numbers"
    assert_accessible_chart(chart)
    links = {a["href"] for a in chart.select("svg.chart-links a")}
    assert links == {f"/search?year={year}" for year in expected}, "each bar links to its year's search"


def test_home_type_chart_has_a_bar_per_type_linking_to_its_search(web):
    hits = every_hit(web)
    home = page(web, "/")
    chart = home.find(id="chart-types")
    by_label = bars(chart)
    assert sorted(by_label.values(), reverse=True) == sorted(Counter(h["type"] for h in hits).values(), reverse=True)
    assert by_label["Contribution to journal › Article"] == sum(h["type"].endswith("/contributiontojournal/article")
                                                                for h in hits)
    assert table(chart) == by_label
    assert_accessible_chart(chart)
    for link in chart.select("table a"):
        listed = web.get(link["href"] + "&format=json").json()["total"]
        assert listed == table(chart)[link.get_text()], link["href"]


def test_home_keeps_top_journals_and_subject_areas_and_drops_the_year_column(web):
    home = page(web, "/")
    assert home.find(id="by-journal").find("a") is not None
    assert home.find(id="by-subject").find("a", href="/doc/asjc/3312") is not None
    assert home.find(id="by-year").find("ul") is None, "the chart replaces the column of years"


# --- journals, people, subject areas ---------------------------------------------------------------

def test_journal_page_shows_its_issn_and_articles_newest_first(web):
    umn = page(web, doc_path(web.iris["umn-journal-article.json"]))
    journal = page(web, umn.find(id="details").find("a", string="Physical Review Letters")["href"])
    source = json.loads((PURE_API / "umn-journal-article.json").read_text())["journalAssociation"]
    assert source["issn"]["value"] in journal.find(id="issns").get_text()
    titles = [a.get_text() for a in journal.select("#outputs a.output-title")]
    assert titles == [json.loads((PURE_API / "umn-journal-article.json").read_text())["title"]["value"]]
    volumes = journal.find(id="volumes").get_text(" ", strip=True)
    assert f"Volume {source_volume(PURE_API / 'umn-journal-article.json')}" in volumes


def source_volume(path) -> str:
    return json.loads(path.read_text())["volume"]


def test_journal_page_lists_every_article_of_the_journal_newest_first(web):
    sources = [REPO / "examples" / "journal-article-tabs.txt", SCRIPT_TITLE, NORDIC_TOPIC]
    assert all("Building and Environment" in path.read_text() for path in sources)
    first = page(web, doc_path(web.iris["journal-article-tabs.txt"]))
    journal = page(web, first.find(id="details").find("a", string="Building and Environment")["href"])
    shown = [a["href"] for a in journal.select("#outputs a.output-title")]
    assert sorted(shown) == sorted(doc_path(web.iris[path.name]) for path in sources)
    years = [li.select_one(".source").get_text()[:4] for li in journal.select("li.output")]
    assert years == sorted(years, reverse=True) and len(set(years)) == 3, "newest first"
    first_authors = journal.select("li.output")[-1].select(".authors a")
    assert first_authors and all(a["href"].startswith("/doc/person/") for a in first_authors), "authors linked"
    chart = journal.find(id="chart-years")
    assert bars(chart) == Counter(years)
    volumes = [a.get_text() for a in journal.select("#volumes li > a:first-child")]
    assert volumes == sorted(volumes, key=lambda v: int(v.split()[-1]), reverse=True) and len(volumes) == 3


def test_person_page_lists_outputs_co_authors_and_years(web):
    record = json.loads((PURE_API / "umn-journal-article.json").read_text())
    names = [source_author_name(a) for a in record["personAssociations"]]
    umn = page(web, doc_path(web.iris["umn-journal-article.json"]))
    first_author = umn.find(id="authors").find("a")
    assert first_author.get_text() == names[0]
    person = page(web, first_author["href"])
    assert [a.get_text() for a in person.select("#outputs a.output-title")] == [record["title"]["value"]]
    coauthors = {li.a.get_text(): int(li.select_one(".count").get_text()) for li in person.select("#coauthors li")}
    assert coauthors == {name: 1 for name in names[1:]}
    assert person.find(id="coauthors").h2.get_text() == f"Co-authors ({len(names) - 1})"
    year = record["publicationStatuses"][0]["publicationDate"]["year"]
    assert bars(person.find(id="chart-years")) == {str(year): 1}


def test_asjc_page_shows_counts_per_year_as_chart_and_table(web):
    expected = Counter(hit["year"] for hit in every_hit(web, subject="3305") if hit["year"])
    assert expected, "the seed is filed under 3305"
    concept = page(web, "/doc/asjc/3305")
    chart = concept.find(id="chart-years")
    assert bars(chart) == expected and table(chart) == expected
    assert chart.find("details").has_attr("open"), "the table shows without a click"
    listed = [a["href"] for a in concept.select("#outputs a.output-title")]
    assert doc_path(web.iris["seed-record.txt"]) in listed


# --- one layout on every page -------------------------------------------------------------------

def site_frame(soup: BeautifulSoup) -> tuple[str, str, str]:
    header, footer = soup.find("header", class_="site"), soup.find("footer", class_="site")
    assert header is not None and footer is not None and soup.find("main", id="content") is not None
    header.find("input", id="site-q")["value"] = ""  # the search box keeps the query on the search page
    return str(header), str(footer), soup.find("link", rel="stylesheet")["href"]


@pytest.mark.parametrize("path, status", [
    ("/sparql", 200), ("/search?q=clay", 200), ("/doc/asjc/3305", 200), ("/doc/output/no-such-record", 404),
    ("/id/journal/nope", 404), ("/no-such-page", 404), ("/search?page=0", 400)])
def test_every_page_has_the_site_header_footer_and_stylesheet(web, path, status):
    assert site_frame(page(web, path, status)) == site_frame(page(web, "/"))


def test_record_page_has_the_site_layout(web):
    assert site_frame(page(web, doc_path(web.iris["seed-record.txt"]))) == site_frame(page(web, "/"))


def test_not_found_names_the_address_asked_for_and_adds_no_links_of_its_own(web):
    for path in ("/doc/output/x", "/id/output/x", "/no-such-page"):
        error = page(web, path, 404).find(id="error")
        assert f"nothing published at {path}" in error.get_text() or f"nothing at {path}" in error.get_text()
        assert error.find("a") is None, "home and search are in the header already"
