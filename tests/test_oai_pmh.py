"""OAI-PMH 2.0: every response valid against the official schemas (xmlschema: OAI-PMH, oai_dc and
the OpenAIRE Guidelines v4), every error of the protocol, sets, pages with resumption tokens,
deleted records; a full harvest by Sickle off the real server."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import xmlschema
from conftest import SEED, SHARED_DATA, App

STANDARDS = SHARED_DATA / "standards" / "oai-pmh"
OPENAIRE = SHARED_DATA / "standards" / "openaire-literature-4" / "schemas" / "4.0" / "openaire.xsd"
OAI = "http://www.openarchives.org/OAI/2.0/"
HOST = "data.example.edu"


@pytest.fixture(scope="module")
def schema():
    return xmlschema.XMLSchema(str(STANDARDS / "OAI-PMH.xsd"), locations=[
        ("http://www.openarchives.org/OAI/2.0/oai_dc/", str(STANDARDS / "oai_dc.xsd")),
        ("http://www.openarchives.org/OAI/2.0/oai-identifier", str(STANDARDS / "oai-identifier.xsd"))])


@pytest.fixture(scope="module")
def openaire_schema():
    """OAI-PMH with the OpenAIRE schemas, whose Dublin Core schema differs from oai_dc's (a set of its own)."""
    return xmlschema.XMLSchema(str(STANDARDS / "OAI-PMH.xsd"), locations=[
        ("http://namespace.openaire.eu/schema/oaire/", str(OPENAIRE))])


def valid(schema, reply) -> str:
    assert reply.status_code == 200 and reply.headers["Content-Type"].startswith("text/xml")
    schema.validate(reply.content)
    return reply.text


def error_code(text: str) -> str | None:
    found = re.search(r'<error code="(\w+)"', text)
    return found.group(1) if found else None


def test_identify_and_formats_are_valid(web, schema):
    identify = valid(schema, web.get("/oai", params={"verb": "Identify"}))
    assert "<deletedRecord>persistent</deletedRecord>" in identify and f"<repositoryIdentifier>{HOST}<" in identify
    formats = valid(schema, web.get("/oai", params={"verb": "ListMetadataFormats"}))
    assert "<metadataPrefix>oai_dc</metadataPrefix>" in formats


def test_every_record_once_in_valid_oai_dc(web, schema):
    text = valid(schema, web.get("/oai", params={"verb": "ListRecords", "metadataPrefix": "oai_dc"}))
    identifiers = re.findall(r"<identifier>(oai:[^<]+)</identifier>", text)
    keys = {iri.rsplit("/", 1)[-1] for iri in web.iris.values()}
    assert sorted(identifiers) == sorted(f"oai:{HOST}:{key}" for key in keys)
    assert "<dc:title>Law enforcement and civil society in Russia</dc:title>" in text


def test_get_record_and_post(web, schema):
    key = web.iris["lund-journal-article.json"].rsplit("/", 1)[-1]
    args = {"verb": "GetRecord", "identifier": f"oai:{HOST}:{key}", "metadataPrefix": "oai_dc"}
    got = valid(schema, web.get("/oai", params=args))
    assert "https://doi.org/10.1016/s0964-8305(98)00042-0" in got
    posted = web.request("POST", "/oai", data=args)
    assert valid(schema, posted).split("</responseDate>")[1] == got.split("</responseDate>")[1]


@pytest.mark.parametrize("args, code", [
    ({}, "badVerb"),
    ({"verb": "Harvest"}, "badVerb"),
    ({"verb": "ListRecords"}, "badArgument"),
    ({"verb": "Identify", "extra": "1"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "yesterday"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2020-01-01", "until": "2021-01-01T00:00:00Z"},
     "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2020-02-30"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
    ({"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": f"oai:{HOST}:nosuchkey"}, "idDoesNotExist"),
    ({"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:elsewhere.org:abc"}, "idDoesNotExist"),
    ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "from": "2999-01-01"}, "noRecordsMatch"),
    ({"verb": "ListIdentifiers", "resumptionToken": "forged!"}, "badResumptionToken"),
    ({"verb": "ListIdentifiers", "resumptionToken": "eyJwIjoxfQ=="}, "badResumptionToken"),
    ({"verb": "ListIdentifiers", "resumptionToken": "x", "metadataPrefix": "oai_dc"}, "badArgument"),
    ({"verb": "ListSets", "resumptionToken": "x"}, "badResumptionToken"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "type: article"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "type:nosuchtype"}, "noRecordsMatch"),
])
def test_every_error_of_the_protocol(web, schema, args, code):
    assert error_code(valid(schema, web.get("/oai", params=args))) == code


def listed(web, schema, **args) -> dict[str, list[str]]:
    """Identifier -> its setSpecs, over every page of ListIdentifiers."""
    args, found = {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", **args}, {}
    while True:
        text = valid(schema, web.get("/oai", params=args))
        for header in re.findall(r"<header>(.*?)</header>", text):
            found[re.search(r"<identifier>([^<]+)<", header).group(1)] = re.findall(r"<setSpec>([^<]+)<", header)
        token = re.search(r"<resumptionToken[^>]*>([^<]+)<", text)
        if not token:
            return found
        args = {"verb": "ListIdentifiers", "resumptionToken": token.group(1)}


def test_sets_by_type_subject_and_year_are_listed_with_names(web, schema):
    text = valid(schema, web.get("/oai", params={"verb": "ListSets"}))
    sets = dict(re.findall(r"<setSpec>([^<]+)</setSpec><setName>([^<]+)</setName>", text))
    assert sets["type:contributiontojournal:article"] == "Contribution to journal › Article"
    assert sets["type"] and sets["asjc"] and sets["year"]
    assert any(re.fullmatch(r"asjc:\d\d:\d{4}", spec) for spec in sets)
    assert any(re.fullmatch(r"year:\d{4}", spec) for spec in sets)
    everything = listed(web, schema)
    in_use = {spec for specs in everything.values() for spec in specs}
    assert in_use <= set(sets), "every set a record is in is listed"


def test_a_set_lists_exactly_its_members_and_its_children_are_in_it(web, schema, monkeypatch):
    from kgpub.server import oai_pmh

    monkeypatch.setattr(oai_pmh, "PAGE_SIZE", 3)  # the set must survive resumption tokens
    everything = listed(web, schema)
    subject = next(spec for specs in everything.values() for spec in specs if spec.count(":") == 2
                   and spec.startswith("asjc:"))
    area = subject.rsplit(":", 1)[0]
    for spec in ("type:contributiontojournal", "type:contributiontojournal:article", area, subject):
        members = listed(web, schema, set=spec)
        assert members and set(members) == {i for i, specs in everything.items() if spec in specs}
    assert set(listed(web, schema, set=subject)) <= set(listed(web, schema, set=area))


def test_get_record_shows_the_sets_the_lists_show(web, schema):
    identifier, specs = next(iter(listed(web, schema).items()))
    got = valid(schema, web.get("/oai", params={"verb": "GetRecord", "identifier": identifier,
                                                "metadataPrefix": "oai_dc"}))
    assert re.findall(r"<setSpec>([^<]+)<", got) == specs


def test_every_record_is_valid_openaire_with_coar_type_orcid_and_doi(web, schema, openaire_schema):
    formats = valid(schema, web.get("/oai", params={"verb": "ListMetadataFormats"}))
    assert "<metadataPrefix>oai_openaire</metadataPrefix>" in formats
    text = valid(openaire_schema, web.get("/oai", params={"verb": "ListRecords", "metadataPrefix": "oai_openaire"}))
    records = re.findall(r"<record>.*?</record>", text, re.S)
    assert len(records) == len(web.iris)
    assert all(re.search(r'<resourceType resourceTypeGeneral="[^"]+" uri="http://purl.org/coar/resource_type/c_',
                         r) for r in records)
    lund = web.iris["lund-journal-article.json"].rsplit("/", 1)[-1]
    article = next(r for r in records if f":{lund}</identifier>" in r)
    assert '<datacite:identifier identifierType="DOI">10.1016/s0964-8305(98)00042-0<' in article
    assert 'uri="http://purl.org/coar/resource_type/c_6501">journal article<' in article
    assert "<datacite:date dateType=\"Issued\">" in article and "<citationTitle>" in article


def test_openaire_keeps_the_seeds_citation_fields_and_crossrefs_orcids(cli, openaire_schema):
    cli.ingest(SEED, SHARED_DATA / "real" / "crossref" / "abbotsbury" / "test1.json")
    text = valid(openaire_schema, App(cli).get("/oai", params={"verb": "ListRecords", "metadataPrefix": "oai_openaire"}))
    for element in ("citationTitle", "citationVolume", "citationIssue", "citationStartPage", "citationEndPage"):
        assert f"<{element}>" in text, element
    assert "<dc:language>eng</dc:language>" in text
    assert re.search(r'<datacite:nameIdentifier nameIdentifierScheme="ORCID" schemeURI="https://orcid.org/">'
                     r"https://orcid.org/\d{4}-\d{4}-\d{4}-\d{3}[\dX]<", text), "Crossref's authors have ORCIDs"
    assert "<datacite:familyName>" in text


def test_a_repeated_argument_is_bad(web, schema):
    reply = web.get("/oai?verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc")
    assert error_code(valid(schema, reply)) == "badArgument"


def test_pages_follow_resumption_tokens_to_the_end(site_store, schema, monkeypatch):
    from kgpub.server import oai_pmh

    monkeypatch.setattr(oai_pmh, "PAGE_SIZE", 4)
    web = App(site_store)
    seen, args, cursors = [], {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}, []
    while True:
        text = valid(schema, web.get("/oai", params=args))
        seen += re.findall(r"<identifier>([^<]+)</identifier>", text)
        token = re.search(r'<resumptionToken completeListSize="(\d+)" cursor="(\d+)"(?:/>|>([^<]*)<)', text)
        if token is None:
            break
        assert int(token.group(1)) == len(site_store.iris)
        cursors.append(int(token.group(2)))
        if not token.group(3):
            break
        args = {"verb": "ListIdentifiers", "resumptionToken": token.group(3)}
    assert len(seen) == len(set(seen)) == len(site_store.iris), "every record once"
    assert cursors == list(range(0, len(site_store.iris), 4))


def test_withdrawn_records_stay_as_deleted_and_incremental_harvests_see_changes(seed_copy, schema):
    start = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    iri = seed_copy.ingest(SEED)[0]["iri"]
    seed_copy("withdraw", iri, "--reason", "Entered twice")
    web = App(seed_copy)
    key = iri.rsplit("/", 1)[-1]
    text = valid(schema, web.get("/oai", params={"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": start}))
    assert re.search(rf'<header status="deleted"><identifier>oai:{HOST}:{key}</identifier>', text)
    got = valid(schema, web.get("/oai", params={"verb": "GetRecord", "metadataPrefix": "oai_dc",
                                                "identifier": f"oai:{HOST}:{key}"}))
    assert 'status="deleted"' in got and "<metadata>" not in got


def test_sickle_harvests_every_record_once(site):
    from sickle import Sickle

    harvester = Sickle(site.url + "/oai")
    records = list(harvester.ListRecords(metadataPrefix="oai_dc"))
    identifiers = [r.header.identifier for r in records]
    assert sorted(identifiers) == sorted(f"oai:{HOST}:{iri.rsplit('/', 1)[-1]}" for iri in site.iris.values())
    assert all(r.metadata.get("title") for r in records)
    assert harvester.Identify().repositoryName



def test_an_incremental_harvest_returns_exactly_what_changed(cli, tmp_path, schema):
    import time

    from conftest import REPO

    stored = {Path(r["source"].split(":")[0]).name: r["iri"] for r in cli.ingest(REPO / "examples")}
    time.sleep(1.1)  # datestamps are seconds: the next writes are after `since`
    since = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    changed = tmp_path / "preprint.txt"
    changed.write_text((REPO / "examples" / "preprint.txt").read_text().replace("language models", "language model"))
    assert cli.ingest(changed)[0]["status"] == "updated"
    new = cli.ingest(SEED)[0]["iri"]
    cli("withdraw", stored["doctoral-thesis.txt"], "--reason", "Entered twice")
    text = valid(schema, App(cli).get("/oai", params={"verb": "ListIdentifiers", "metadataPrefix": "oai_dc",
                                                        "from": since}))
    keys = {iri.rsplit("/", 1)[-1] for iri in (stored["preprint.txt"], new, stored["doctoral-thesis.txt"])}
    assert set(re.findall(rf"<identifier>oai:{HOST}:(\w+)</identifier>", text)) == keys
    assert text.count('status="deleted"') == 1


def test_the_record_page_shows_its_oai_identifier_and_links_that_answer(web, schema):
    from bs4 import BeautifulSoup

    from conftest import doc_path

    iri = web.iris["lund-journal-article.json"]
    page = BeautifulSoup(web.get(doc_path(iri), headers={"Accept": "text/html"}).text, "html.parser")
    row = next(tr for tr in page.select("#identifiers tr") if tr.th.text == "OAI-PMH identifier")
    assert row.td.text.startswith(f"oai:{HOST}:{iri.rsplit('/', 1)[-1]}")
    links = {a.text: a["href"] for a in row.select("a")}
    assert set(links) == {"oai_dc", "oai_openaire"}
    assert "<dc:title>" in valid(schema, web.get(links["oai_dc"]))
    signposting = next(tr for tr in page.select("#identifiers tr") if tr.th.text == "Signposting linkset")
    for link in signposting.select("a"):
        assert web.get(link["href"]).status_code == 200
