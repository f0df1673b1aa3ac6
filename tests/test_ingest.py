"""`kgpub ingest` / `validate` / `query` as a librarian uses them: reports, exit codes, bad input,
idempotent re-import, updates (a run that is killed: test_crash_recovery.py)."""
from __future__ import annotations

import json
import os

from conftest import BASE, PURE_API, REPO, SEED, SHARED_DATA

REAL_BIB = SHARED_DATA / "real" / "bib"

COUNT_QUADS = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
COUNT_OUTPUTS = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?o a ?c } FILTER(STRSTARTS(STR(?g), '%sgraph/output/')) }" % BASE


def count(cli, sparql: str) -> int:
    result = json.loads(cli("query", sparql).stdout)
    return int(result["results"]["bindings"][0]["n"]["value"])


def test_report_has_one_object_per_record_with_source_status_iri(cli, tmp_path):
    report = cli.ingest(SEED, PURE_API)
    assert len(report) == 4
    for row in report:
        assert set(row) == {"source", "format", "status", "merged", "iri", "errors", "warnings"}
        assert row["status"] == "stored"
        assert row["iri"].startswith(BASE + "id/output/")
    assert {row["source"] for row in report} >= {f"{SEED}:1", str(PURE_API / "umn-journal-article.json")}


def test_reimporting_the_same_records_changes_nothing(cli):
    cli.ingest(SEED, PURE_API)
    before = count(cli, COUNT_QUADS)
    again = cli.ingest(SEED, PURE_API)
    assert [r["status"] for r in again] == ["unchanged"] * 4
    assert count(cli, COUNT_QUADS) == before
    assert count(cli, COUNT_OUTPUTS) == 4


def test_a_corrected_record_replaces_its_graph_under_the_same_iri(cli, tmp_path):
    first = cli.ingest(SEED)[0]
    corrected = tmp_path / "seed-corrected.txt"
    corrected.write_text(SEED.read_text().replace("Pages (from-to)193-213", "Pages (from-to)193-214"))
    second = cli.ingest(corrected)[0]
    assert second["status"] == "updated"
    assert second["iri"] == first["iri"]
    pages = json.loads(cli("query", f"SELECT ?p WHERE {{ <{first['iri']}> "
                                    "<http://prismstandard.org/namespaces/basic/2.0/endingPage> ?p }").stdout)
    assert [b["p"]["value"] for b in pages["results"]["bindings"]] == ["214"]


def test_bad_files_are_rejected_by_name_and_the_rest_is_stored(cli, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    (folder / "latin1.txt").write_bytes(SEED.read_text().replace("Russia", "Rußland").encode("latin-1", errors="replace"))
    (folder / "seed.txt").write_text(SEED.read_text())
    broken = SEED.read_text().replace("StatePublished - Mar 2006", "StatePublished - 31 Feb 2006")
    broken = broken.replace("Number of pages21", "Number of pages0")
    broken = broken.replace("  • History", "  • Underwater Basket Weaving")
    (folder / "broken.txt").write_text(broken)

    report = cli.ingest(folder, check_exit=1)
    by_file = {os.path.basename(r["source"].split(":")[0]): r for r in report}
    assert by_file["seed.txt"]["status"] == "stored"
    for name in ("empty.txt", "binary.txt", "latin1.txt", "broken.txt"):
        assert by_file[name]["status"] == "rejected", name
        assert by_file[name]["errors"], name
    assert "empty" in by_file["empty.txt"]["errors"][0]["message"]
    assert "binary" in by_file["binary.txt"]["errors"][0]["message"]
    assert "UTF-8" in by_file["latin1.txt"]["errors"][0]["message"]
    messages = " | ".join(e["message"] for e in by_file["broken.txt"]["errors"])
    assert "31" in messages and "February" in messages
    assert "Underwater Basket Weaving" in messages
    assert len(by_file["broken.txt"]["errors"]) >= 3, "every problem is reported at once"
    assert count(cli, COUNT_OUTPUTS) == 1


def test_rejected_update_leaves_the_stored_record_intact(cli, tmp_path):
    cli.ingest(SEED)
    before = cli("export", "--format", "nquads").stdout
    bad = tmp_path / "seed-bad.txt"
    bad.write_text(SEED.read_text().replace("Number of pages21", "Number of pages0"))
    report = cli.ingest(bad, check_exit=1)
    assert report[0]["status"] == "rejected"
    assert sorted(cli("export", "--format", "nquads").stdout.splitlines()) == sorted(before.splitlines())


def test_rejections_are_printed_with_file_field_and_reason_and_no_traceback(cli, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text(SEED.read_text().replace("Number of pages21", "Number of pages0"))
    result = cli("ingest", str(bad), check_exit=1)
    assert "bad.txt" in result.stderr and "Number of pages" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert "1 rejected" in result.stderr


def test_usage_errors_exit_2_without_traceback(cli, tmp_path):
    for args in (("ingest", str(tmp_path / "missing.txt")), ("ingest", "--format", "nope", str(SEED)),
                 ("query", "SELECT WHERE {"), ("ingest", "--base", "not-an-iri", str(SEED)),
                 ("export", "-o", str(tmp_path / "no" / "such" / "folder.nq"))):
        result = cli(*args, check_exit=2)
        assert "Traceback" not in result.stderr, args
        assert result.stderr.strip(), args


def test_validate_stores_nothing_and_reports_like_ingest(cli, tmp_path):
    report_path = tmp_path / "validate.json"
    cli("validate", "--report", str(report_path), str(SEED), str(PURE_API))
    report = json.loads(report_path.read_text())
    assert [r["status"] for r in report] == ["valid"] * 4
    assert not cli.store.exists()


def test_query_formats(cli):
    cli.ingest(SEED)
    select = "SELECT ?t WHERE { ?o <http://purl.org/dc/terms/title> ?t }"
    csv = cli("query", "--format", "csv", select).stdout
    assert "Law enforcement and civil society in Russia" in csv
    xml = cli("query", "--format", "xml", select).stdout
    assert "<sparql" in xml
    turtle = cli("query", "CONSTRUCT { ?o ?p ?v } WHERE { ?o a <http://purl.org/spar/fabio/JournalArticle> ; ?p ?v }").stdout
    assert "Law enforcement" in turtle


def test_a_broken_duplicate_in_the_same_file_does_not_drag_down_the_good_copy(cli, tmp_path):
    good = json.loads((PURE_API / "lund-journal-article.json").read_text())
    broken = json.loads(json.dumps(good))
    broken["numberOfPages"] = 0
    both = tmp_path / "both.jsonl"
    both.write_text(json.dumps(good) + "\n" + json.dumps(broken) + "\n")
    report = cli.ingest(both, check_exit=1)
    assert [r["status"] for r in report] == ["stored", "rejected"]
    assert "numberOfPages" in report[1]["errors"][0]["field"]


def test_a_record_that_gains_a_doi_keeps_its_iri(cli, tmp_path):
    """The seed has no DOI or UUID: its IRI comes from its content key. A later version of the
    page with a DOI is the same work and must keep that IRI (graph/keys.py)."""
    first = cli.ingest(SEED)[0]
    with_doi = tmp_path / "seed-with-doi.txt"
    with_doi.write_text(SEED.read_text().replace("Issue number2\n", "Issue number2\nDOIs\thttps://doi.org/10.1080/09668130500481444\n"))
    second = cli.ingest(with_doi)[0]
    assert (second["status"], second["iri"]) == ("updated", first["iri"])
    assert count(cli, COUNT_OUTPUTS) == 1


def test_a_pure_page_stored_before_names_were_split_keeps_its_iri(cli):
    """kgpub read a Pure page's authors as whole names, and a record without DOI or UUID got its
    key from the whole first name; now the family name. The same page ingested again must find
    the record it made then (keys.identity_claims keeps the older claim) and keep its IRI."""
    from kgpub.graph import keys
    from kgpub.graph.mapping import map_record
    from kgpub.graph.pipeline import read_file
    from kgpub.graph.record import Person
    from kgpub.graph.store import open_store

    page = REPO / "examples" / "doctoral-thesis.txt"
    [record] = read_file(page, None)
    assert record.doi is None and record.pure_uuid is None and record.authors[0].family_name
    record.authors = [Person(name=person.display_name) for person in record.authors]  # as read before
    older = map_record(record, BASE, keys.mint_output_key(record))
    store = open_store(str(cli.store))
    store.write_graphs({older.graph: older.triples})
    store.close()
    row = cli.ingest(page)[0]
    assert (row["status"], row["iri"]) == ("updated", older.iri.value)
    assert count(cli, COUNT_OUTPUTS) == 1


def test_a_file_of_no_known_format_is_refused_whole_and_the_others_load(cli, tmp_path):
    notes = tmp_path / "notes.docx"
    notes.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    bbt = REAL_BIB / "better-bibtex-import" / "Better_BibTeX.005.json"
    result = cli("ingest", "--report", str(tmp_path / "r.json"), str(notes), str(bbt), str(SEED), check_exit=1)
    rows = json.loads((tmp_path / "r.json").read_text())
    assert [(row["source"], row["status"], row["format"]) for row in rows] == [
        (str(notes), "rejected", None), (str(bbt), "rejected", None), (f"{SEED}:1", "stored", "pure-page")]
    assert "not a Pure page, BibTeX, RIS" in rows[0]["errors"][0]["message"]
    assert "Better BibTeX JSON" in rows[1]["errors"][0]["message"]
    assert result.stderr.count("rejected") >= 2 and "Research output" not in result.stderr


def test_a_missing_language_is_news_for_a_pure_record_only(cli, tmp_path):
    """BibTeX, RIS, CSL-JSON, Crossref and OC Meta records rarely say their language: warning of it
    buried the other warnings (pipeline.SELDOM_GIVEN)."""
    bib = tmp_path / "plain.bib"
    bib.write_text("@article{a, title = {Plain}, author = {Berg, Jonas}, journal = {J}, year = {2020}}\n")
    page = tmp_path / "page.txt"
    page.write_text("".join(line for line in SEED.read_text().splitlines(keepends=True)
                            if not line.startswith("Original language")))
    [plain], [pure] = cli.ingest(bib), cli.ingest(page)
    said = lambda row: " ".join(w["message"] for w in row["warnings"])  # noqa: E731
    assert "language" not in said(plain)
    assert "does not say which language" in said(pure)


def test_the_console_groups_warnings_and_says_what_was_merged(cli, tmp_path):
    from conftest import CROSSREF_OF_AN_OC_META_WORK

    oc_meta = SHARED_DATA / "real" / "other" / "opencitations-meta" / "oc_meta-example_metadata.csv"
    cli.ingest(oc_meta)
    crossref = tmp_path / "work.crossref.json"
    crossref.write_text(CROSSREF_OF_AN_OC_META_WORK)
    [row] = cli.ingest(crossref)
    assert row["merged"] is True
    shown = cli("ingest", str(crossref), str(REAL_BIB / "bibtexparser-v1"), check_exit=1).stderr  # 10 rejected
    assert "1 merged with a record of the same work from another source" in shown
    grouped = [line for line in shown.splitlines() if line.startswith("warned ")]
    assert grouped and all("× " in line and "(e.g. " in line for line in grouped)
    counts = [int(line.split()[1].rstrip("×")) for line in grouped]
    assert counts == sorted(counts, reverse=True) and counts[0] > 1


def test_different_works_with_the_same_title_are_not_merged(cli, tmp_path):
    """Two Pure records titled alike (think "Editorial"), same year and first author, but with
    their own UUIDs and DOIs, are two works."""
    first = json.loads((PURE_API / "lund-journal-article.json").read_text())
    second = json.loads(json.dumps(first))
    second["uuid"] = "11111111-2222-4333-8444-555555555555"
    second["electronicVersions"][0]["doi"] = "https://doi.org/10.5555/another-work"
    second["volume"] = "43"
    (tmp_path / "first.json").write_text(json.dumps(first))
    (tmp_path / "second.json").write_text(json.dumps(second))
    report = cli.ingest(tmp_path / "first.json") + cli.ingest(tmp_path / "second.json")
    assert [r["status"] for r in report] == ["stored", "stored"]
    assert report[0]["iri"] != report[1]["iri"]
    both = tmp_path / "both"
    both.mkdir()
    (both / "a.json").write_text(json.dumps(first))
    (both / "b.json").write_text(json.dumps(second))
    from conftest import Cli

    in_one_batch = Cli(tmp_path / "other-store").ingest(both)
    assert [r["status"] for r in in_one_batch] == ["stored", "stored"]
    assert in_one_batch[0]["iri"] != in_one_batch[1]["iri"]


def test_report_rows_keep_the_order_of_the_input(cli, tmp_path):
    good = (PURE_API / "lund-journal-article.json").read_text().replace("\n", " ")
    lines = tmp_path / "order.jsonl"
    lines.write_text(good + "\n{not json\n")
    report = cli.ingest(lines, check_exit=1)
    assert [(r["source"].rsplit(":", 1)[-1], r["status"]) for r in report] == [("1", "stored"), ("2", "rejected")]


def test_the_progress_line_keeps_its_bar_and_counts_with_a_long_file_name(monkeypatch):
    import io
    import re
    from pathlib import Path

    from rich.console import Console

    from kgpub import run_output

    out = io.StringIO()
    monkeypatch.setattr(run_output, "err_console", Console(file=out, force_terminal=True, width=80))
    with run_output.file_progress(3, "ingesting") as progress:
        progress.next_file(Path("a-very-long-export-name-from-a-reference-manager-2026-12-05-final.bib"))
        for _ in range(200):
            progress.count_record()
        progress.progress.refresh()
    lines = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out.getvalue()).replace("\r", "\n").splitlines()
    last = [line for line in lines if "200 records" in line][-1]
    assert last.startswith("ingesting …") and "final.bib" in last and "━" in last
    assert "0/3 files, 200 records" in last
    assert len(last) <= 80
