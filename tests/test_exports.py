"""`kgpub export --format bibtex|ris|csl-json`: the published records for reference managers,
written by the same code as the pages' "Cite this" downloads."""
from __future__ import annotations

import json

import bibtexparser
import rispy
from conftest import BASE, PURE_API, SEED

from kgpub.graph import exports


def stored(cli) -> list[dict]:
    rows = cli.ingest(SEED, PURE_API)
    assert {r["status"] for r in rows} == {"stored"}
    return rows


def test_the_whole_store_in_each_format(cli):
    rows = stored(cli)
    bib = bibtexparser.parse_string(cli("export", "--format", "bibtex").stdout)
    assert len(bib.entries) == len(rows) and not bib.failed_blocks
    assert len({e.key for e in bib.entries}) == len(rows), "citation keys are unique"
    ris = rispy.loads(cli("export", "--format", "ris").stdout)
    assert len(ris) == len(rows) and all(r.get("primary_title") or r.get("title") for r in ris)
    items = json.loads(cli("export", "--format", "csl-json").stdout)
    assert sorted(i["id"] for i in items) == sorted(r["iri"] for r in rows)
    article = next(i for i in items if i["title"].startswith("Measurement of Singly Cabibbo"))
    assert (article["container-title"], article["volume"], article["DOI"]) == \
        ("Physical Review Letters", "117", "10.1103/physrevlett.117.232002")


def test_one_record_by_iri_or_key(cli):
    rows = stored(cli)
    iri = next(r["iri"] for r in rows)
    by_iri = cli("export", "--format", "ris", "--iri", iri).stdout
    by_key = cli("export", "--format", "ris", "--iri", iri.rsplit("/", 1)[1]).stdout
    assert by_iri == by_key and by_iri.count("TY  - ") == 1


def test_a_withdrawn_record_is_not_exported_and_an_unknown_one_is_an_error(cli):
    rows = stored(cli)
    iri = rows[0]["iri"]
    cli("withdraw", "--reason", "duplicate", iri)
    items = json.loads(cli("export", "--format", "csl-json").stdout)
    assert iri not in {i["id"] for i in items} and len(items) == len(rows) - 1
    missing = cli("export", "--format", "bibtex", "--iri", "nosuchkey", check_exit=2)
    assert "no published record" in missing.stderr
    wrong = cli("export", "--format", "turtle", "--iri", iri, check_exit=2)
    assert "--iri goes with" in wrong.stderr


def test_a_large_store_is_written_in_parts_with_unique_keys(cli, monkeypatch):
    """Keys stay unique across the parts exports.export writes (CHUNK records each)."""
    from kgpub.graph.store import open_store

    stored(cli)
    monkeypatch.setattr(exports, "CHUNK", 1)
    store = open_store(str(cli.store))
    try:
        import io

        out = io.StringIO()
        count = exports.export(store, BASE, "bibtex", out)
        keys = [e.key for e in bibtexparser.parse_string(out.getvalue()).entries]
        csl = io.StringIO()
        exports.export(store, BASE, "csl-json", csl)
    finally:
        store.close()
    assert count == len(keys) == len(set(keys))
    assert len(json.loads(csl.getvalue())) == count


def test_a_terminal_sees_the_running_count(cli):
    """On a terminal (TTY_COMPATIBLE makes rich treat stderr as one) export shows how many records
    it has written so far; on a pipe it prints only the total at the end."""
    rows = stored(cli)
    shown = cli("export", "--format", "bibtex", env={"TTY_COMPATIBLE": "1"})
    assert f"writing bibtex: {len(rows)} records" in shown.stderr
    piped = cli("export", "--format", "bibtex")
    assert "writing bibtex" not in piped.stderr and f"{len(rows)} records written as bibtex" in piped.stderr
