"""One journal per journal (issue 15, part 3): by ISSN first, else by the title or its ISO 4
abbreviation; ambiguous matches warned and not merged; `kgpub journals` lists the suspects."""
from __future__ import annotations

import json

import pyoxigraph
import pytest
from conftest import Cli

from kgpub.graph import journal_names

APL, NANO = "0003-6951", "1530-6984"


def entry(key: str, journal: str, issn: str | None = None, year: int = 2001) -> str:
    issn_field = f"  issn = {{{issn}}},\n" if issn else ""
    return (f"@article{{{key},\n  title = {{Paper {key}}},\n  author = {{Berg, Jonas}},\n"
            f"  journal = {{{journal}}},\n{issn_field}  year = {{{year}}}\n}}\n")


def journal_of(cli: Cli) -> dict[str, str]:
    """Each output's title -> the IRI of its journal."""
    out = cli("query", "--format", "json", "SELECT ?t ?j WHERE { ?o <http://purl.org/dc/terms/title> ?t ; "
              "<http://purl.org/vocab/frbr/core#partOf> ?j . ?j a <http://purl.org/spar/fabio/Journal> }").stdout
    rows = json.loads(out)["results"]["bindings"]
    return {row["t"]["value"]: row["j"]["value"] for row in rows}


@pytest.mark.parametrize("full, abbreviated", [
    ("Applied Physics Letters", "Appl. Phys. Lett."),
    ("Journal of Applied Physics", "J. Appl. Phys."),
    ("Physical Review B", "Phys. Rev. B"),
    ("Journal of Crystal Growth", "J. Cryst. Growth"),
    ("The Journal of Chemical Physics", "J. Chem. Phys."),
    ("Zeitschrift für Physik", "Z. Phys."),
])
def test_a_title_and_its_iso4_abbreviation_share_a_name(full, abbreviated):
    assert set(journal_names.name_keys(full)) & set(journal_names.name_keys(abbreviated))


def test_an_abbreviation_that_drops_a_section_letter_is_no_name():
    """pyiso4 abbreviates "Physical Review E" to "Phys. Rev.", which would name Physical Review itself."""
    assert not set(journal_names.name_keys("Physical Review E")) & set(journal_names.name_keys("Physical Review"))
    assert not set(journal_names.name_keys("Physical Review E")) & set(journal_names.name_keys("Physical Review B"))


def test_titles_pyiso4_cannot_read_still_have_their_own_name():
    assert journal_names.name_keys("IEEE Expert") == ("ieee expert",)
    assert journal_names.name_keys("") == () and journal_names.name_keys(None) == ()


def test_issn_title_and_abbreviation_make_one_journal_in_any_order(cli, tmp_path):
    """The title-only journal comes first; a record with an ISSN and the full title joins it (it has
    no ISSN yet), and so do later records by either title. Another journal's ISSN stays its own."""
    source = tmp_path / "apl.bib"
    source.write_text(entry("a", "Appl. Phys. Lett.") + entry("b", "Applied Physics Letters", APL)
                      + entry("c", "Applied Physics Letters") + entry("d", "APPL PHYS LETT")
                      + entry("e", "Nano Lett.", NANO) + entry("f", "Nano Letters"))
    cli.ingest(source)
    journal = journal_of(cli)
    assert journal["Paper a"] == journal["Paper b"] == journal["Paper c"] == journal["Paper d"]
    assert journal["Paper e"] == journal["Paper f"] != journal["Paper a"]
    more = tmp_path / "later.bib"  # a later run finds them in the store
    more.write_text(entry("g", "Applied Physics Letters", year=2005) + entry("h", "Some Journal", APL))
    cli.ingest(more)
    journal = journal_of(cli)
    assert journal["Paper g"] == journal["Paper h"] == journal["Paper a"]


def test_a_title_naming_two_stored_journals_equally_is_warned_and_not_merged(cli, tmp_path):
    """"Ann. Phys." is Annalen der Physik (ISSN 0003-3804) and Annals of Physics (0003-4916) alike."""
    source = tmp_path / "ann.bib"
    source.write_text(entry("a", "Ann. Phys.", "0003-3804") + entry("b", "Ann. Phys.", "0003-4916")
                      + entry("c", "Ann. Phys."))
    report = cli.ingest(source)
    journal = journal_of(cli)
    assert len({journal["Paper a"], journal["Paper b"], journal["Paper c"]}) == 3
    warned = [w for w in report[2]["warnings"] if w["field"] == "journal"]
    assert len(warned) == 1 and "names several stored journals about equally" in warned[0]["message"]


def test_a_wrong_issn_check_digit_names_no_journal(cli, tmp_path):
    source = tmp_path / "typo.bib"
    source.write_text(entry("a", "Nano Letters", NANO) + entry("b", "Advanced Materials", "1530-6985"))
    cli.ingest(source)
    journal = journal_of(cli)
    assert journal["Paper a"] != journal["Paper b"]


def test_the_journals_report_lists_journals_kept_apart_and_mixed_titles(cli, tmp_path):
    """Two ISSNs under one title (print and online, or two eras): kept apart, listed together. One
    ISSN given with another journal's title: listed as mixed."""
    source = tmp_path / "suspects.bib"
    source.write_text(entry("a", "Nature Materials", "1476-1122") + entry("b", "Nat. Mater.", "1476-4660")
                      + entry("c", "Nano Lett.", NANO) + entry("d", "Nano Lett.", NANO)
                      + entry("e", "Appl. Phys. Lett.", NANO))
    cli.ingest(source)
    found = json.loads(cli("journals", "--json").stdout)
    assert found["journals"] == 3
    [group] = found["suspected_duplicates"]
    assert sorted(j["issns"] for j in group) == [["1476-1122"], ["1476-4660"]]
    [mixed] = found["mixed_titles"]
    assert mixed["issns"] == [NANO] and mixed["titles"] == {"Nano Lett.": 2, "Appl. Phys. Lett.": 1}
    text = cli("journals").stdout
    assert "3 journals; 1 groups of suspected duplicates; 1 with titles of different journals." in text
    assert "'Nature Materials': 2 journals" in text and "ISSN 1476-4660" in text


def test_each_record_graph_names_its_journal_for_later_matches(cli, tmp_path):
    source = tmp_path / "one.bib"
    source.write_text(entry("a", "Journal of Applied Physics"))
    cli.ingest(source)
    out = cli("export", "--format", "nquads").stdout.encode()
    names = {q.object.value for q in pyoxigraph.parse(out, pyoxigraph.RdfFormat.N_QUADS)
             if q.predicate.value == "https://w3id.org/kgpub/ns#nameKey"}
    assert names == {"journal of applied physics", "j appl phys"}
