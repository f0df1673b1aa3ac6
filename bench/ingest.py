"""Ingest benchmark: parse -> map -> validate -> store, against the naive way, in one run.

    .venv/bin/python bench/ingest.py                 # N = 10,000 and 100,000
    .venv/bin/python bench/ingest.py --sizes 2000    # a quick look
    .venv/bin/python bench/ingest.py --sizes         # only the real BibTeX corpus

For each N it generates N synthetic Pure API records (bench/synthetic.py; a few deliberately
broken), then times
  kgpub  - the real pipeline (graph/pipeline.py): importer, mapping, fast SHACL path, on-disk
           Oxigraph store with bulk loading;
  naive  - the same importer and mapping, every triple into one rdflib in-memory graph, and
           pyshacl over that whole graph;
and checks that both reach identical verdicts (the same (focus, path, constraint, severity)
findings, Violations and Warnings). Prints records/s, peak memory and the ratio.

Then a real BibTeX corpus (../shared/data/real/bib/better-bibtex-import, ~11,600 entries from
users' bug reports): bibtexparser alone (parse_string of each file, the baseline), our bibtex
importer (Records, LaTeX decoded), and the whole pipeline into an on-disk store; records/s each.
`--no-bibtex` skips it.
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
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


def run_kgpub(corpus: Path, folder: Path) -> tuple[float, set, int]:
    store = open_store(str(folder / "store"))
    validator = RecordingValidator()
    started = time.perf_counter()
    count = sum(1 for _ in Ingest(store, BASE, harvest_date=HARVESTED, validator=validator).run([corpus]))
    elapsed = time.perf_counter() - started
    store.close()
    return elapsed, validator.seen, count


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


def run_bibtex_corpus() -> None:
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
    with tempfile.TemporaryDirectory(prefix="kgpub-bench-") as tmp:
        store = open_store(str(Path(tmp) / "store"))
        started = time.perf_counter()
        outcomes = list(Ingest(store, BASE, harvest_date=HARVESTED).run(files))
        ingest_s = time.perf_counter() - started
        store.close()
    statuses = Counter(o.status for o in outcomes)
    print(f"\nBibTeX corpus: {len(files)} files, {entries:,} entries (bibtexparser), {records:,} records read; "
          + ", ".join(f"{n:,} {status}" for status, n in statuses.most_common()))
    print(f"{'step':<32} {'seconds':>8} {'records/s':>10} {'vs bibtexparser':>16}")
    for step, seconds, count in (("bibtexparser.parse_string", parse_s, entries),
                                 ("kgpub bibtex importer", read_s, records),
                                 ("kgpub ingest (map, SHACL, store)", ingest_s, len(outcomes))):
        print(f"{step:<32} {seconds:>8.1f} {count / seconds:>10,.0f} {seconds / parse_s:>15.1f}x")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000],
                        help="synthetic corpus sizes; none (`--sizes` alone) runs only the BibTeX corpus")
    parser.add_argument("--no-bibtex", action="store_true", help="skip the real BibTeX corpus run")
    args = parser.parse_args()
    rows = []
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix="kgpub-bench-") as tmp:
            folder = Path(tmp)
            corpus = write_corpus(folder, size)
            fast_s, fast_findings, fast_n = run_kgpub(corpus, folder)
            naive_s, naive_findings, naive_n = run_naive(corpus)
        same = fast_findings == naive_findings
        rows.append((size, fast_n / fast_s, naive_n / naive_s, naive_s / fast_s,
                     f"{len(naive_findings):,} ({count_violations(naive_findings):,} V)", same))
        print(f"N={size}: kgpub {fast_s:.1f} s, naive {naive_s:.1f} s, peak RSS {peak_rss_mb():.0f} MB",
              file=sys.stderr)
    if rows:
        print(f"{'records':>9} {'kgpub rec/s':>12} {'naive rec/s':>12} {'ratio':>7} {'findings':>16} {'same verdicts':>14}")
    for size, fast, naive, ratio, findings, same in rows:
        print(f"{size:>9,} {fast:>12,.0f} {naive:>12,.0f} {ratio:>6.1f}x {findings:>16} {str(same):>14}")
    if not args.no_bibtex:
        run_bibtex_corpus()
    if not all(row[-1] for row in rows):
        sys.exit("the fast path and pyshacl disagreed")


if __name__ == "__main__":
    main()
