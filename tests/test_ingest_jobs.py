"""`kgpub ingest --jobs N`: records mapped and validated in worker processes, one writer
(graph/ingest_workers.py). The same outcomes, in the same order, and the same records as one job;
a worker that dies stops the run cleanly, and running it again finishes the job."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from bench import synthetic
from conftest import BASE, REPO, SHARED_DATA, Cli
from kgpub.graph import iris
from test_crash_recovery import graphs_of

REAL = SHARED_DATA / "real"


def report_rows(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_two_jobs_give_the_same_report_and_records_as_one(tmp_path):
    """The real corpora (~12,000 records: BibTeX, RIS, CSL-JSON, Crossref, Pure, OC Meta), in
    batches small enough that works recur across batches and merge with what is stored."""
    corpora = [str(REAL / name) for name in sorted(os.listdir(REAL))]

    def ingested_with(jobs: str) -> tuple[list[dict], dict]:
        cli = Cli(tmp_path / f"store-{jobs}")
        report = tmp_path / f"report-{jobs}.jsonl"
        cli("ingest", "--jobs", jobs, "--batch-size", "700", "--harvest-date", "2026-01-01", "--report",
            str(report), *corpora, check_exit=1)
        return report_rows(report), graphs_of(cli)

    with ThreadPoolExecutor(2) as both:  # side by side: each run takes minutes
        (rows_1, graphs_1), (rows_2, graphs_2) = both.map(ingested_with, ("1", "2"))
    assert len(rows_1) > 10_000
    assert {row["status"] for row in rows_1} >= {"stored", "updated", "rejected"}
    assert sum(row["merged"] for row in rows_1) > 0
    for one, two in zip(rows_1, rows_2, strict=True):
        assert one == two
    assert graphs_1.keys() == graphs_2.keys()
    assert [g for g in graphs_1 if graphs_1[g] != graphs_2[g]] == []


@pytest.mark.parametrize("dying", ["worker", "reader"])
def test_a_killed_worker_stops_the_run_in_one_line_and_a_rerun_finishes(tmp_path, dying):
    """A worker dies mapping the second batch, or the reader reading it (SIGKILL, as the OOM killer)."""
    records = synthetic.write_jsonl(tmp_path / "records.jsonl", 900)  # 3 MB: read by a reader process
    args = ("ingest", "--jobs", "2", "--batch-size", "300", "--harvest-date", "2026-01-01")
    reference = Cli(tmp_path / "reference")
    reference(*args, str(records))
    complete = graphs_of(reference)

    cli = Cli(tmp_path / "store")
    report = tmp_path / "report.jsonl"
    env = {**os.environ, "KGPUB_STORE": str(cli.store), "KGPUB_BASE": BASE}
    run = subprocess.run([sys.executable, str(REPO / "tests" / "crash_ingest.py"), dying, *args,
                          "--report", str(report), str(records)], env=env, capture_output=True, text=True, timeout=300)

    assert run.returncode == 3, run.stderr[-2000:]
    said = run.stderr.strip().splitlines()
    assert {"worker": "a worker process mapping and validating records died",
            "reader": "the process reading the files died (killed by SIGKILL)"}[dying] in said[-1]
    assert "Traceback" not in run.stderr
    assert said[-2].startswith("300 stored"), "the summary counts the first batch"
    assert [row["status"] for row in report_rows(report)] == ["stored"] * 300
    after = graphs_of(cli)
    assert sum(map(iris.is_record_graph, after)) == 300, "the first batch is in, nothing of the second"
    assert all(lines == complete[graph] for graph, lines in after.items()), "every graph left is whole"

    cli(*args, str(records))  # simply run it again
    assert graphs_of(cli) == complete
