"""Persons without ORCID iD or Pure UUID (issue 15, part 4): never merged by ingest; proposed as one
by `kgpub persons` when they have the same name and share a co-author or a journal."""
from __future__ import annotations

import json

from kgpub.graph.person_report import name_key


def article(key: str, authors: str, journal: str, orcid: str | None = None) -> str:
    orcid_field = f"  orcid = {{{orcid}}},\n" if orcid else ""
    return (f"@article{{{key},\n  title = {{Paper {key}}},\n  author = {{{authors}}},\n  journal = {{{journal}}},\n"
            f"{orcid_field}  year = {{2020}}\n}}\n")


def test_name_keys_are_family_name_and_first_initial():
    assert name_key("Holmgren", "Karin", "Karin Holmgren") == name_key("Holmgren", "K.", "K. Holmgren") == "holmgren k"
    assert name_key("Sørensen", "Mette", "Mette Sørensen") == name_key("SØRENSEN", "M.", "M. SØRENSEN") == "sørensen m"
    assert name_key(None, None, "World Health Organization") == "world health organization"


def test_namesakes_sharing_a_coauthor_or_journal_are_proposed_and_not_merged(cli, tmp_path):
    source = tmp_path / "people.bib"
    source.write_text(
        article("a", "Berg, Jonas and Holmgren, Karin", "Wood Science")
        + article("b", "Berg, J. and Holmgren, K.", "Building and Environment")  # co-author in common
        + article("c", "Berg, Jonas", "Wood Science")  # the journal in common
        + article("d", "Berg, Jonas and Lind, Ola", "Journal of Hydrology"))  # nothing in common
    report = cli.ingest(source)
    persons = {row["iri"]: None for row in report}
    assert len(persons) == 4
    proposals = json.loads(cli("persons", "--json").stdout)
    berg = [p for p in proposals if p["name"].endswith("Berg")]
    assert len(berg) == 1
    outputs = sorted(person["output"] for person in berg[0]["persons"])
    assert outputs == ["Paper a", "Paper b", "Paper c"]
    assert "co-author Karin Holmgren" in berg[0]["evidence"] or "co-author K. Holmgren" in berg[0]["evidence"]
    assert "journal Wood Science" in berg[0]["evidence"]
    holmgren = [p for p in proposals if p["name"].endswith("Holmgren")]
    assert len(holmgren) == 1 and len(holmgren[0]["persons"]) == 2
    people = cli("query", "--format", "json", "SELECT DISTINCT ?p WHERE { ?p a <http://xmlns.com/foaf/0.1/Person> }")
    assert len(json.loads(people.stdout)["results"]["bindings"]) == 7  # nobody was merged
    text = cli("persons").stdout
    assert text.startswith("2 proposed matches") and "Jonas Berg: 3 persons" in text


def test_two_orcid_ids_are_two_people_but_a_namesake_without_one_is_proposed(cli, tmp_path):
    source = tmp_path / "orcid.bib"
    source.write_text(
        "@article{a, title={Paper a}, author={Berg, Jonas and Holmgren, Karin}, journal={Wood Science}, year=2020,"
        " orcid-numbers={Berg, Jonas/0000-0002-1825-0097}}\n"
        "@article{b, title={Paper b}, author={Berg, Jonas and Holmgren, Karin}, journal={Wood Science}, year=2021,"
        " orcid-numbers={Berg, Jonas/0000-0001-5109-3700}}\n")
    cli.ingest(source)
    proposals = json.loads(cli("persons", "--json").stdout)
    assert [p["name"] for p in proposals] == ["Karin Holmgren"]
    source.write_text(source.read_text() + "@article{c, title={Paper c}, author={Berg, J. and Holmgren, Karin},"
                                           " journal={Forest Research}, year=2022}\n")
    cli.ingest(source)
    proposals = json.loads(cli("persons", "--json").stdout)
    berg = [p for p in proposals if p["name"].endswith("Berg")]
    assert len(berg) == 1 and len(berg[0]["persons"]) == 3
