"""Identifiers with check digits (graph/identifiers.py, python-stdnum): a wrong check digit is a
warning naming the value, and such a value tells no journal or person apart (graph/keys.py);
ISBNs are stored as ISBN-13."""
from __future__ import annotations

import json

from conftest import BASE
from kgpub.graph import keys
from kgpub.graph.identifiers import check_identifiers, valid_issn, valid_orcid
from kgpub.graph.record import Journal, Person, Record, SourceRef

GOOD_ISSN, BAD_ISSN = "0966-8136", "0966-8137"  # Europe-Asia Studies; the last digit mistyped
GOOD_ORCID, BAD_ORCID = "0000-0002-1825-0097", "0000-0002-1825-0098"  # ORCID's own example iD


def test_check_digits_are_checked_by_stdnum():
    assert valid_issn(GOOD_ISSN) and valid_issn("2049-3630") and not valid_issn(BAD_ISSN)
    assert valid_orcid(GOOD_ORCID) and valid_orcid("0000-0002-1694-233X") and not valid_orcid(BAD_ORCID)
    assert not valid_issn(None) and not valid_orcid("")


def test_a_wrong_check_digit_is_a_warning_naming_the_value_and_no_identity_key():
    record = Record(SourceRef("x.bib"), title="A title", journal=Journal(title="Europe-Asia Studies", issn=BAD_ISSN),
                    authors=[Person("Karin", "Holmgren", orcid=BAD_ORCID)])
    check_identifiers(record)
    messages = [(p.field, p.severity, p.message) for p in record.problems]
    assert [(f, s) for f, s, _ in messages] == [("journal", "warning"), ("author", "warning")]
    assert BAD_ISSN in messages[0][2] and BAD_ORCID in messages[1][2]
    assert keys.journal_key(record.journal) == keys.journal_key(Journal(title="Europe-Asia Studies"))
    assert keys.person_key(record.authors[0], "k", 1) == "k-1"
    assert keys.journal_key(Journal(issn=GOOD_ISSN)) == f"issn-{GOOD_ISSN}"
    assert keys.person_key(Person(orcid=GOOD_ORCID), "k", 1) == f"orcid-{GOOD_ORCID}"


def test_isbns_are_stored_as_isbn_13_and_a_bad_one_is_kept_and_warned():
    record = Record(SourceRef("x.txt"), title="A book", isbn_print=["978-3-030-36598-1", "0-306-40615-2"],
                    isbn_electronic=["978-3-030-36599-9"])
    check_identifiers(record)
    assert record.isbn_print == ["9783030365981", "9780306406157"] and record.isbn_electronic == ["978-3-030-36599-9"]
    assert [p.field for p in record.problems] == ["ISBN"] and "978-3-030-36599-9" in record.problems[0].message


def test_ingest_reports_the_typo_and_the_typo_names_no_journal(cli, tmp_path):
    """The mistyped ISSN is warned and keys nothing: the record joins its journal by its title
    (graph/journals.py), not a journal of its own under `issn-{typo}`."""
    bib = tmp_path / "typo.bib"
    bib.write_text(f"""@article{{b, title = {{Two}}, author = {{Berg, Jonas}}, journal = {{Europe-Asia Studies}},
  issn = {{{GOOD_ISSN}}}, year = {{2006}}}}
@article{{a, title = {{One}}, author = {{Holmgren, Karin}}, journal = {{Europe-Asia Studies}},
  issn = {{{BAD_ISSN}}}, year = {{2006}}}}
@article{{c, title = {{Three}}, author = {{Lind, Ola}}, journal = {{Slavic Review}},
  issn = {{{BAD_ISSN}}}, year = {{2006}}}}
""")
    right, typo, other = cli.ingest(bib)
    assert any(BAD_ISSN in w["message"] for w in typo["warnings"])
    assert not any("check digit" in w["message"] for w in right["warnings"])
    journals = cli("query", "--format", "json",
                   "SELECT DISTINCT ?j WHERE { ?j a <http://purl.org/spar/fabio/Journal> }").stdout
    found = {b["j"]["value"] for b in json.loads(journals)["results"]["bindings"]}
    assert len(found) == 2 and f"{BASE}id/journal/issn-{GOOD_ISSN}" in found
    assert f"{BASE}id/journal/issn-{BAD_ISSN}" not in found
