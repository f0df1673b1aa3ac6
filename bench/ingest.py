"""Ingest benchmark: parse -> map -> validate -> store, against the naive way, in one run.

    .venv/bin/python bench/ingest.py                 # N = 10,000 and 100,000
    .venv/bin/python bench/ingest.py --sizes 2000    # a quick look
    .venv/bin/python bench/ingest.py --sizes         # only the real BibTeX corpus
    .venv/bin/python bench/ingest.py --sizes 100000 --jobs 1 2 --naive-max 10000

For each N it generates N synthetic Pure API records (bench/synthetic.py; a few deliberately
broken), then times
  kgpub  - the real pipeline (graph/pipeline.py): importer, mapping, fast SHACL path, on-disk
           Oxigraph store with bulk loading; once for each --jobs (worker processes mapping and
           validating, graph/ingest_workers.py);
  naive  - the same importer and mapping, every triple into one rdflib in-memory graph, and
           pyshacl over that whole graph; on the first --naive-max records when N is larger
           (pyshacl slows down as the graph grows, so its rate there flatters it);
and checks that both reach identical verdicts (the same (focus, path, constraint, severity)
findings, Violations and Warnings), and that every --jobs gives the same outcomes as one job.
Prints records/s, the peak memory of the ingest (the writer and its workers together) and the ratio.

Then a real BibTeX corpus (../shared/data/real/bib/better-bibtex-import, ~11,600 entries from
users' bug reports): bibtexparser alone (parse_string of each file, the baseline), our bibtex
importer (Records, LaTeX decoded), and the whole pipeline into an on-disk store; records/s each.
`--no-bibtex` skips it.
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import synthetic  # noqa: E402
from kgpub.graph.importers import pure_json  # noqa: E402
from kgpub.graph.mapping import map_record  # noqa: E402
from kgpub.graph.pipeline import Ingest  # noqa: E402
from kgpub.graph.record import PartialDate, Record  # noqa: E402
from kgpub.graph.store import open_store  # noqa: E402
from kgpub.graph.validate import Validator, validate_with_pyshacl  # noqa: E402

BASE = "https://data.example.edu/"
HARVESTED = PartialDate(2026, 11, 24)
BROKEN_EVERY = 97  # one record in 97 has a blank title (a SHACL Violation); one in 89 no authors (a Warning)


def write_corpus(folder: Path, count: int) -> Path:
    path = folder / f"records-{count}.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for n, item in enumerate(synthetic.records(count)):
            if n % BROKEN_EVERY == 0:
                item["title"] = {"formatted": True, "value": "   "}
            if n % 89 == 0:
                item["personAssociations"] = []
            out.write(json.dumps(item, ensure_ascii=False) + "\n")
    return path


def finding_key(finding) -> tuple:
    return (finding.focus, finding.path, finding.component, finding.severity)


class RecordingValidator(Validator):
    """The pipeline's own validator, keeping every finding for the comparison with pyshacl."""

    def __init__(self):
        super().__init__()
        self.seen: set[tuple] = set()

    def validate(self, graphs):
        results = super().validate(graphs)
        for findings in results.values():
            self.seen.update(finding_key(f) for f in findings)
        return results


def run_kgpub(corpus: Path, folder: Path, jobs: int = 1) -> tuple[float, set, list, float]:
    """Seconds, the findings (one job only: workers keep theirs), the outcomes, peak RSS in MB."""
    store = open_store(str(folder / f"store-{jobs}"))
    validator = RecordingValidator()
    with PeakMemory() as memory:
        started = time.perf_counter()
        outcomes = [o.as_dict() for o in Ingest(store, BASE, harvest_date=HARVESTED, validator=validator,
                                                jobs=jobs).run([corpus])]
        elapsed = time.perf_counter() - started
    store.close()
    return elapsed, validator.seen, outcomes, memory.peak_mb


class PeakMemory:
    """The largest sum of RSS over this process and its children (the ingest's workers), sampled
    every 0.2 s from /proc (Linux); elsewhere this process's own peak."""

    def __init__(self):
        self.peak_mb, self.done = 0.0, threading.Event()

    def __enter__(self):
        self.thread = threading.Thread(target=self.sample, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.done.set()
        self.thread.join()

    def sample(self) -> None:
        while not self.done.wait(0.2):
            self.peak_mb = max(self.peak_mb, sum(rss_mb(pid) for pid in family(os.getpid())) or peak_rss_mb())


def family(pid: int) -> list[int]:
    try:
        children = [int(c) for task in Path(f"/proc/{pid}/task").iterdir()
                    for c in (task / "children").read_text().split()]
    except OSError:
        return [pid]
    return [pid, *itertools.chain.from_iterable(family(c) for c in children)]


def rss_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    return next((int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmRSS:")), 0.0)


def run_naive(corpus: Path) -> tuple[float, set, int]:
    started = time.perf_counter()
    triples, count = [], 0
    with corpus.open("rb") as stream:
        for record in pure_json.read(stream, str(corpus)):
            if not isinstance(record, Record):
                continue
            for citation in record.citations:
                citation.harvested = HARVESTED
            mapped = map_record(record, BASE)
            triples.extend(mapped.triples)
            count += 1
    findings = {finding_key(f) for f in validate_with_pyshacl(triples)}
    return time.perf_counter() - started, findings, count


def count_violations(findings: set) -> int:
    return sum(1 for f in findings if f[3] == "Violation")


BIBTEX_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "real" / "bib" / "better-bibtex-import"


def run_bibtex_corpus(jobs_list: list[int]) -> None:
    import bibtexparser

    from kgpub.graph.importers import bibtex

    files = sorted(BIBTEX_CORPUS.glob("*.bib"))
    started = time.perf_counter()
    entries = sum(len(bibtexparser.parse_string(f.read_text(encoding="utf-8", errors="replace")).entries)
                  for f in files)
    parse_s = time.perf_counter() - started
    started = time.perf_counter()
    records = 0
    for f in files:
        with f.open("rb") as stream:
            records += sum(1 for _ in bibtex.read(stream, str(f)))
    read_s = time.perf_counter() - started
    ingest_s = {}
    for jobs in jobs_list:
        with tempfile.TemporaryDirectory(prefix="kgpub-bench-") as tmp:
            store = open_store(str(Path(tmp) / "store"))
            started = time.perf_counter()
            outcomes = list(Ingest(store, BASE, harvest_date=HARVESTED, jobs=jobs).run(files))
            ingest_s[jobs] = time.perf_counter() - started
            store.close()
    statuses = Counter(o.status for o in outcomes)
    print(f"\nBibTeX corpus: {len(files)} files, {entries:,} entries (bibtexparser), {records:,} records read; "
          + ", ".join(f"{n:,} {status}" for status, n in statuses.most_common()))
    print(f"{'step':<32} {'seconds':>8} {'records/s':>10} {'vs bibtexparser':>16}")
    for step, seconds, count in (("bibtexparser.parse_string", parse_s, entries),
                                 ("kgpub bibtex importer", read_s, records),
                                 *((f"kgpub ingest, --jobs {jobs}", s, len(outcomes)) for jobs, s in ingest_s.items())):
        print(f"{step:<32} {seconds:>8.1f} {count / seconds:>10,.0f} {seconds / parse_s:>15.1f}x")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000],
                        help="synthetic corpus sizes; none (`--sizes` alone) runs only the BibTeX corpus")
    parser.add_argument("--no-bibtex", action="store_true", help="skip the real BibTeX corpus run")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2],
                        help="kgpub ingest runs with these many worker processes (1: none); the first is "
                             "the one whose verdicts are compared with pyshacl")
    parser.add_argument("--naive-max", type=int, default=10_000,
                        help="the naive way runs on at most this many records (~90 records/s for pyshacl)")
    args = parser.parse_args()
    rows = []
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix="kgpub-bench-") as tmp:
            folder = Path(tmp)
            corpus = write_corpus(folder, size)
            runs = {jobs: run_kgpub(corpus, folder, jobs) for jobs in args.jobs}
            naive_corpus = corpus if size <= args.naive_max else write_corpus(folder, args.naive_max)
            naive_s, naive_findings, naive_n = run_naive(naive_corpus)
            if naive_corpus == corpus:
                fast_findings = runs[args.jobs[0]][1]
            else:  # the verdicts are compared on the records the naive way saw
                fast_findings = run_kgpub(naive_corpus, folder / "naive-size", args.jobs[0])[1]
        first_outcomes = runs[args.jobs[0]][2]
        for jobs, (seconds, _, outcomes, peak_mb) in runs.items():
            same = fast_findings == naive_findings and outcomes == first_outcomes
            rows.append((size, jobs, len(outcomes) / seconds, peak_mb, naive_n, naive_n / naive_s,
                         naive_s / naive_n * len(outcomes) / seconds,
                         f"{len(naive_findings):,} ({count_violations(naive_findings):,} V)", same))
            print(f"N={size} jobs={jobs}: kgpub {seconds:.1f} s, peak RSS {peak_mb:.0f} MB (writer + workers); "
                  f"naive {naive_n:,} records in {naive_s:.1f} s", file=sys.stderr)
    if rows:
        print(f"{'records':>9} {'jobs':>5} {'kgpub rec/s':>12} {'peak MB':>8} {'naive N':>8} {'naive rec/s':>12} "
              f"{'ratio':>7} {'findings':>16} {'same verdicts':>14}")
    for size, jobs, fast, peak_mb, naive_n, naive, ratio, findings, same in rows:
        print(f"{size:>9,} {jobs:>5} {fast:>12,.0f} {peak_mb:>8,.0f} {naive_n:>8,} {naive:>12,.0f} {ratio:>6.1f}x "
              f"{findings:>16} {str(same):>14}")
    if not args.no_bibtex:
        run_bibtex_corpus(args.jobs)
    if not all(row[-1] for row in rows):
        sys.exit("the fast path and pyshacl disagreed")


if __name__ == "__main__":
    main()
