"""/resolve: from the identifiers other graphs hold (DOI, ORCID, ISSN, ISBN, Pure UUID) to our IRIs."""
from __future__ import annotations

import json

import pyoxigraph
import pytest
from conftest import BASE, REPO, SHARED_DATA, App, doc_path

CROSSREF = SHARED_DATA / "real" / "crossref" / "abbotsbury" / "test1.json"
LUND_DOI = "10.1016/s0964-8305(98)00042-0"


def identifiers(web, iri: str, scheme: str) -> list[tuple[str, str]]:
    """(owner, value) of the record's identifiers of one datacite scheme, read from its document."""
    nt = web.get(doc_path(iri), headers={"Accept": "application/n-triples"}).content
    triples = list(pyoxigraph.parse(nt, pyoxigraph.RdfFormat.N_TRIPLES))
    nodes = {t.subject for t in triples if t.predicate.value.endswith("usesIdentifierScheme")
             and t.object.value == f"http://purl.org/spar/datacite/{scheme}"}
    values = {t.subject: t.object.value for t in triples if t.subject in nodes and t.predicate.value.endswith("hasLiteralValue")}
    return [(t.subject.value, values[t.object]) for t in triples
            if t.predicate.value.endswith("hasIdentifier") and t.object in values]


@pytest.mark.parametrize("form", [LUND_DOI, LUND_DOI.upper(), f"doi:{LUND_DOI}", f"https://doi.org/{LUND_DOI}",
                                  f"http://dx.doi.org/{LUND_DOI.upper()}"])
def test_a_doi_in_any_form_resolves_to_its_record(web, form):
    reply = web.get("/resolve", params={"doi": form})
    assert reply.status_code == 303
    assert reply.headers["Location"] == "/" + web.iris["lund-journal-article.json"][len(BASE):]


def test_a_pure_uuid_resolves_in_any_case(web):
    iri = web.iris["lund-journal-article.json"]
    owner, uuid = next((o, v) for o, v in identifiers(web, iri, "local-resource-identifier-scheme") if o == iri)
    for form in (uuid, uuid.upper()):
        reply = web.get("/resolve", params={"pure": form})
        assert reply.status_code == 303 and reply.headers["Location"] == "/" + owner[len(BASE):]


def test_an_issn_with_or_without_its_hyphen_resolves_to_the_journal(web):
    found = [pair for iri in web.iris.values() for pair in identifiers(web, iri, "issn")]
    assert found, "the site has journals with an ISSN"
    journal, issn = found[0]
    for form in (issn, issn.replace("-", ""), issn.lower()):
        reply = web.get("/resolve", params={"issn": form})
        assert reply.status_code == 303 and reply.headers["Location"] == "/" + journal[len(BASE):], form


def test_an_isbn_resolves_under_either_length(web):
    from stdnum import isbn

    found = [pair for iri in web.iris.values() for pair in identifiers(web, iri, "isbn")]
    assert found, "the site has a book with an ISBN"
    book, value = found[0]
    forms = {value, isbn.format(value), isbn.to_isbn13(value)}
    if value.startswith("978") or len(value) == 10:
        forms.add(isbn.to_isbn10(value))
    for form in forms:
        reply = web.get("/resolve", params={"isbn": form})
        assert reply.status_code == 303 and reply.headers["Location"] == "/" + book[len(BASE):], form


def test_an_orcid_resolves_to_the_person(cli):
    cli.ingest(CROSSREF, check_exit=None)
    reply = App(cli).get("/resolve", params={"orcid": "http://orcid.org/0000-0002-4149-0494"})
    assert reply.status_code == 303 and reply.headers["Location"] == "/id/person/orcid-0000-0002-4149-0494"


def test_an_isbn_two_chapters_share_is_a_300_in_every_form(cli, tmp_path):
    """Each chapter describes its book; two chapters of one book: two things with one ISBN."""
    chapter = REPO / "examples" / "chapter-in-book.txt"
    other = tmp_path / "other-chapter.txt"
    text = chapter.read_text()
    other.write_text(text.replace(text.splitlines()[0], text.splitlines()[0] + ": a second chapter", 1)
                     .replace("_10", "_11"))  # another chapter's DOI: another work
    first, second = (cli.ingest(path)[0]["iri"] for path in (chapter, other))
    web = App(cli)
    book, value = identifiers(web, first, "isbn")[0]
    listed = web.get("/resolve", params={"isbn": value}, headers={"Accept": "application/json"})
    assert listed.status_code == 300, listed.text
    books = listed.json()["matches"]
    assert len(books) == 2 and {b.split("#")[0] for b in books} == {first, second}
    uris = web.get("/resolve", params={"isbn": value}, headers={"Accept": "text/uri-list"})
    assert uris.status_code == 300 and uris.text.split() == books
    turtle = web.get("/resolve", params={"isbn": value}, headers={"Accept": "text/turtle"})
    assert turtle.status_code == 300 and all(b in turtle.text for b in books)
    page = web.get("/resolve", params={"isbn": value}, headers={"Accept": "text/html"})
    assert page.status_code == 300 and all(b in page.text for b in books)


@pytest.mark.parametrize("params, says", [
    ({"doi": "not a doi"}, "not a valid DOI"),
    ({"issn": "1234-5678"}, "not a valid ISSN"),
    ({"isbn": "978-0-306-40615-8"}, "not a valid ISBN"),
    ({"orcid": "0000-0002-4149"}, "not a valid ORCID"),
    ({"pure": "nope"}, "not a valid PURE"),
    ({}, "exactly one of"),
    ({"doi": LUND_DOI, "issn": "0966-8136"}, "exactly one of"),
    ({"doi": "10.1/" + "x" * 400}, "short line"),
])
def test_malformed_values_are_400_naming_the_problem(web, params, says):
    reply = web.get("/resolve", params=params, headers={"Accept": "application/json"})
    assert reply.status_code == 400 and says in json.loads(reply.content)["detail"], reply.text


def test_an_unknown_identifier_is_404(web):
    reply = web.get("/resolve", params={"doi": "10.9999/nothing-here"})
    assert reply.status_code == 404 and "10.9999/nothing-here" in reply.text


def test_resolve_without_a_question_is_a_form_for_each_scheme(web):
    from bs4 import BeautifulSoup

    reply = web.get("/resolve", headers={"Accept": "text/html"})
    assert reply.status_code == 200
    fields = {i["name"] for i in BeautifulSoup(reply.text, "html.parser").select("form.resolve input")}
    assert fields == {"doi", "orcid", "issn", "isbn", "pure"}
    assert web.get("/resolve", params={"doi": LUND_DOI, "isbn": "x"}).status_code == 400
