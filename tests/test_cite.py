"""Cite this: real records (the seed page, the Pure API records, example pages) -> RDF -> CSL item
-> formatted citations, BibTeX, RIS and CSL-JSON. Expected values are read off the source files."""
from __future__ import annotations

import json
from pathlib import Path

import bibtexparser
import pytest
import rispy

from conftest import BASE, PURE_API, REPO, SEED
from kgpub.graph import bibformats, cite, csl
from kgpub.graph.mapping import map_record
from kgpub.graph.namespaces import DCTERMS, OCO, PRISM
from kgpub.graph.pipeline import read_file
from kgpub.graph.record_reader import read_record
from kgpub.graph.vocabularies import vocabulary_graphs

EXAMPLES = REPO / "examples"

SEED_TITLE = "Law enforcement and civil society in Russia"
LUND_DOI = "10.1016/s0964-8305(98)00042-0"
LUND_TITLE = "A microcalorimetric method of studying mould activity as a function of water activity"


def stored_graph(path: Path) -> tuple[list, str]:
    """The record graph as the store keeps it, plus the vocabulary graphs (type labels)."""
    records = list(read_file(path, None))
    assert len(records) == 1, records
    mapped = map_record(records[0], BASE)
    vocabularies = [t for triples in vocabulary_graphs(BASE).values() for t in triples]
    return mapped.triples + vocabularies, mapped.iri.value


def item_of(path: Path) -> dict:
    return csl.csl_item(read_record(*stored_graph(path)))


@pytest.fixture(scope="module")
def seed() -> dict:
    return item_of(SEED)


@pytest.fixture(scope="module")
def lund() -> dict:
    return item_of(PURE_API / "lund-journal-article.json")


def test_seed_item_has_the_fields_of_the_page(seed):
    assert seed["type"] == "article-journal"
    assert seed["title"] == SEED_TITLE
    assert seed["container-title"] == "Europe - Asia Studies"
    assert seed["issue"] == "2"
    assert seed["page"] == "193-213"
    assert seed["number-of-pages"] == "21"
    assert seed["issued"] == {"date-parts": [[2006, 3]]}  # "Published - Mar 2006"
    assert seed["language"] == "en"
    assert "author" not in seed and "DOI" not in seed  # the page shows neither
    assert seed["id"].startswith(BASE + "id/output/")


def test_pure_api_article_has_authors_journal_volume_issue_and_doi(lund):
    assert lund["author"] == [{"family": "Markova", "given": "N"}, {"family": "Wadsö", "given": "Lars"}]
    assert lund["title"] == LUND_TITLE
    assert lund["container-title"] == "International Biodeterioration and Biodegradation"
    assert (lund["volume"], lund["issue"], lund["page"]) == ("42", "1", "25-28")
    assert lund["ISSN"] == "1879-0208"
    assert lund["DOI"] == LUND_DOI
    assert lund["URL"] == "https://doi.org/" + LUND_DOI
    assert lund["issued"] == {"date-parts": [[1998]]}


def test_authors_follow_the_has_next_chain_of_fifty_one_roles():
    item = item_of(PURE_API / "umn-journal-article.json")
    authors = item["author"]
    assert len(authors) == 51
    assert authors[0] == {"family": "Ablikim", "given": "M."}
    assert authors[1] == {"family": "Achasov", "given": "M. N."}
    assert authors[-1] == {"literal": "(BESIII Collaboration)"}
    assert item["number"] == "232002"  # article number, no pages
    assert (item["volume"], item["issue"]) == ("117", "23")
    assert item["issued"] == {"date-parts": [[2016, 12, 2]]}


def test_authors_without_a_chain_are_ordered_by_their_number():
    triples, iri = stored_graph(PURE_API / "lund-preprint.json")
    triples = [t for t in triples if t.predicate != OCO.hasNext]
    families = [name["family"] for name in csl.csl_item(read_record(triples, iri))["author"]]
    assert families == ["van den Bosch", "Risco Patón", "Buijse", "Berck", "van Gompel"]


def test_preprint_has_subtitle_publisher_keywords_and_its_own_url():
    item = item_of(PURE_API / "lund-preprint.json")
    assert item["type"] == "article" and item["genre"] == "Preprint"
    assert item["title"] == ("Memory-based Language Models: An Efficient, Explainable, and Eco-friendly "
                             "Approach to Large Language Modeling")
    assert item["publisher"] == "arXiv.org"
    assert set(item["keyword"].split(", ")) == {"AI", "language modelling", "machine learning"}
    portal = "https://portal.research.lu.se/en/publications/a6723008-96f5-414f-8ad3-7f4674c2e745"
    assert item["URL"] in ("https://arxiv.org/abs/2510.22317", portal)


def test_submitted_preprint_is_cited_with_its_status_and_submission_date():
    item = item_of(EXAMPLES / "preprint.txt")
    assert item["status"] == "submitted"
    assert item["issued"] == {"date-parts": [[2025, 10, 25]]}
    assert item["DOI"] == "10.48550/arxiv.2510.00001"


def test_apa_of_the_seed_names_the_title_once_with_year_journal_and_pages(seed):
    apa = cite.format_citation(seed, "apa", html=False)
    assert apa.count(SEED_TITLE) == 1  # the title stands in for the missing authors, not twice
    assert "(2006)" in apa
    assert "Europe - Asia Studies" in apa
    assert "193–213" in apa


@pytest.mark.parametrize("style, starts", [
    ("apa", "Holmgren, K., Berg, J., &amp; Sørensen, M. (2021)."),
    ("harvard", "Holmgren, K., Berg, J. and Sørensen, M."),
    ("vancouver", "Holmgren K, Berg J, Sørensen M."),
    ("chicago", "Holmgren, K., J. Berg, and M. Sørensen. 2021."),
])
def test_a_pure_pages_authors_are_cited_by_family_name_in_every_style(style, starts):
    """A Pure page writes "Karin Holmgren": cited as "Holmgren, K.", not as the whole name."""
    item = item_of(EXAMPLES / "journal-article-tabs.txt")
    assert item["author"][0] == {"family": "Holmgren", "given": "Karin"}
    assert cite.format_citation(item, style).startswith(starts)


def test_apa_of_a_pure_api_article_has_authors_year_journal_pages_and_doi_link(lund):
    apa = cite.format_citation(lund, "apa")
    assert apa.startswith("Markova, N., &amp; Wadsö, L. (1998).")
    assert "<i>International Biodeterioration and Biodegradation</i>, <i>42</i>(1), 25–28" in apa
    assert apa.endswith("https://doi.org/" + LUND_DOI)


@pytest.mark.parametrize("fixture", ["seed", "lund"])
def test_every_style_has_title_and_year_and_the_styles_differ(fixture, request):
    item = request.getfixturevalue(fixture)
    year = str(item["issued"]["date-parts"][0][0])
    outputs = {style: cite.format_citation(item, style, html=False) for style in cite.STYLES}
    for style, text in outputs.items():
        assert item["title"].lower() in text.lower(), style  # Chicago title-cases it
        assert year in text, style
    assert len(set(outputs.values())) == len(cite.STYLES)


def test_styles_are_listed_in_display_order():
    assert cite.STYLES == {"apa": "APA", "harvard": "Harvard", "vancouver": "Vancouver", "chicago": "Chicago"}


def test_vancouver_has_no_list_number_and_a_spaced_month(seed):
    vancouver = cite.format_citation(seed, "vancouver", html=False)
    assert vancouver.startswith(SEED_TITLE)
    assert "2006 Mar" in vancouver


def test_plain_text_has_no_markup_and_html_has_italics(lund):
    assert "<i>" in cite.format_citation(lund, "apa", html=True)
    plain = cite.format_citation(lund, "apa", html=False)
    assert "<" not in plain and "&amp;" not in plain and "Markova, N., & Wadsö, L." in plain


def test_unknown_style_is_a_value_error_naming_the_styles(seed):
    with pytest.raises(ValueError, match="apa, harvard, vancouver, chicago"):
        cite.format_citation(seed, "mla")


def test_script_in_a_title_comes_out_escaped_in_html(tmp_path):
    page = tmp_path / "script.txt"
    text = SEED.read_text(encoding="utf-8").replace(SEED_TITLE, "<script>alert(1)</script> & Russia", 1)
    page.write_text(text, encoding="utf-8")
    item = item_of(page)
    assert item["title"] == "<script>alert(1)</script> & Russia"
    for style in cite.STYLES:
        html = cite.format_citation(item, style)
        assert "<script>" not in html, style
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in html.replace("Script", "script"), style


def test_a_record_without_authors_or_date_still_gives_every_output():
    triples, iri = stored_graph(SEED)
    triples = [t for t in triples if t.predicate not in (PRISM.publicationDate, DCTERMS.date)]
    item = csl.csl_item(read_record(triples, iri))
    assert "issued" not in item and "author" not in item
    for style in cite.STYLES:
        assert SEED_TITLE.lower() in cite.format_citation(item, style).lower()
    assert bibtexparser.parse_string(bibformats.to_bibtex([item])).entries[0]["title"] == SEED_TITLE
    assert rispy.loads(bibformats.to_ris([item]))[0]["primary_title"] == SEED_TITLE
    assert json.loads(bibformats.to_csl_json([item]))[0]["title"] == SEED_TITLE


def test_a_malformed_item_is_a_value_error_naming_the_field(seed):
    malformed = {**seed, "issued": "March 2006"}
    for export in (lambda item: cite.format_citation(item, "apa"), lambda item: bibformats.to_bibtex([item]),
                   lambda item: bibformats.to_ris([item])):
        with pytest.raises(ValueError, match="'issued'"):
            export(malformed)


def test_a_bare_item_formats_without_error():
    for style in cite.STYLES:
        assert isinstance(cite.format_citation({}, style), str)
    assert bibformats.to_bibtex([{}]).startswith("@misc{item,")
    assert rispy.loads(bibformats.to_ris([{}]))[0]["type_of_reference"] == "GEN"


def test_bibtex_parses_back_to_an_article_with_the_record_fields(lund, seed):
    library = bibtexparser.parse_string(bibformats.to_bibtex([lund, seed]))
    assert not library.failed_blocks
    article, anonymous = library.entries
    assert (article.entry_type, article.key) == ("article", "Markova1998Microcalorimetric")
    assert article["author"] == "Markova, N and Wadsö, Lars"  # UTF-8 kept
    assert article["title"] == LUND_TITLE
    assert article["journal"] == "International Biodeterioration and Biodegradation"
    assert (article["volume"], article["number"], article["pages"]) == ("42", "1", "25--28")
    assert (article["year"], article["doi"], article["issn"]) == ("1998", LUND_DOI, "1879-0208")
    assert anonymous.key == "2006Law"
    assert (anonymous["number"], anonymous["pages"], anonymous["month"]) == ("2", "193--213", "3")


def test_bibtex_keys_stay_unique(lund):
    keys = [entry.key for entry in bibtexparser.parse_string(bibformats.to_bibtex([lund, lund])).entries]
    assert keys == ["Markova1998Microcalorimetric", "Markova1998Microcalorimetrica"]


def test_ris_parses_back_with_type_pages_doi_and_year(lund, seed):
    article, anonymous = rispy.loads(bibformats.to_ris([lund, seed]))
    assert article["type_of_reference"] == "JOUR"
    assert article["authors"] == ["Markova, N", "Wadsö, Lars"]
    assert (article["start_page"], article["end_page"]) == ("25", "28")
    assert (article["doi"], article["year"]) == (LUND_DOI, "1998")
    assert article["journal_name"] == "International Biodeterioration and Biodegradation"
    assert (anonymous["start_page"], anonymous["end_page"], anonymous["year"]) == ("193", "213", "2006")
    assert anonymous["number"] == "2"


def test_csl_json_is_an_array_keyed_by_the_record_iri(seed):
    parsed = json.loads(bibformats.to_csl_json([seed]))
    assert isinstance(parsed, list) and parsed[0]["id"] == seed["id"]
    assert parsed[0]["issued"]["date-parts"] == [[2006, 3]]
    assert "Wadsö" in bibformats.to_csl_json([item_of(PURE_API / "lund-journal-article.json")])  # not \\u-escaped


def test_chapter_is_a_chapter_in_csl_ris_and_bibtex():
    item = item_of(EXAMPLES / "chapter-in-book.txt")
    assert item["type"] == "chapter"
    assert item["container-title"] == "Metadata and Semantics Research"
    assert item["publisher"] == "Springer"
    assert item["collection-title"] == "Lecture Notes in Computer Science"
    assert item["page"] == "112-124"
    assert rispy.loads(bibformats.to_ris([item]))[0]["type_of_reference"] == "CHAP"
    entry = bibtexparser.parse_string(bibformats.to_bibtex([item])).entries[0]
    assert entry.entry_type == "incollection"
    assert entry["booktitle"] == "Metadata and Semantics Research"
    assert entry["doi"] == "10.1007/978-3-030-36599-8_10"
    apa = cite.format_citation(item, "apa", html=False)
    assert "In Metadata and Semantics Research (pp. 112–124). Springer." in apa


def test_doctoral_thesis_is_a_thesis_in_csl_ris_and_bibtex():
    item = item_of(EXAMPLES / "doctoral-thesis.txt")
    assert (item["type"], item["genre"]) == ("thesis", "Doctoral Thesis")
    assert item["ISBN"] == "978-91-7422-800-7"
    assert item["publisher"] == "Division of Building Materials, Lund University"
    assert rispy.loads(bibformats.to_ris([item]))[0]["type_of_reference"] == "THES"
    entry = bibtexparser.parse_string(bibformats.to_bibtex([item])).entries[0]
    assert (entry.entry_type, entry["school"], entry["year"]) == (
        "phdthesis", "Division of Building Materials, Lund University", "2021")
    assert "[Doctoral Thesis]" in cite.format_citation(item, "vancouver", html=False)


def test_conference_paper_is_a_paper_in_proceedings():
    item = item_of(EXAMPLES / "conference-contribution.txt")
    assert item["type"] == "paper-conference"
    assert item["container-title"] == "Proceedings of the 12th Conference on Research Data"
    assert item["event-title"] == "12th Conference on Research Data, CORD 2019"
    assert rispy.loads(bibformats.to_ris([item]))[0]["type_of_reference"] == "CONF"
    assert bibtexparser.parse_string(bibformats.to_bibtex([item])).entries[0].entry_type == "inproceedings"


def test_an_iri_the_graph_does_not_know_is_a_value_error():
    triples, _ = stored_graph(SEED)
    with pytest.raises(ValueError, match="nothing is said of it"):
        csl.csl_item(read_record(triples, BASE + "id/output/nothing-here"))
