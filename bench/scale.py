"""Scale benchmark: 1M synthetic records ingested, stored, dumped, served and queried, on this machine.

    .venv/bin/python bench/scale.py                        # 1,000,000 records in 10 parts
    .venv/bin/python bench/scale.py --records 20000 --parts 4 --samples 100   # a quick look

Generates N synthetic Pure API records (bench/synthetic.py, deterministic) in --parts files, and
ingests them one file after another with `kgpub ingest` into bench/out/store-N (the store the
other benches reuse): wall time, the compaction after it, records/s and peak memory of each part
show whether ingest slows as the store grows. Then measures
  store       its size on disk (the database, the search index, the record copies, the pages);
  serve       `kgpub serve --workers 2 --threads 16`, pages not made beforehand (1M pages would
              take hours of `kgpub warm`), one client asking one request at a time (the latency a
              user sees, not queueing behind a load generator), after 20 other records' pages
              (the first pages of a worker load its templates and citation styles; shown apart):
                html, turtle   a random record's page / document (each record asked once: made on
                               the request, a miss of every cache)
                search         20 queries (words, a phrase, prefixes), 3 filtered, each asked --repeat times
                home           the home page
                backlinks      the page of the thing most records link to (their type: all N of them),
                               its first page and a page deep in the list
              and each worker's RSS after all of it (issue 16's target: < 1 GB);
  sparql      bench/sparql.py's mix through /sparql with --no-rdflib (every triple in one rdflib Graph
              would not fit in 24 GB at this size), so its ratios are against the bare Flask app only,
              50 parameters per kind, and --allow-busy: under wrk the heaviest kinds are shed (503);
  dump        `kgpub dump` (N-Quads, Turtle, JSON-LD, gzipped), wall time (last: the longest).
Each phase's figures go into bench/out/scale-N.json as it ends; a phase already there is not
run again (delete the file, or its key, to repeat it), so a long run can be resumed.
"""
from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import synthetic  # noqa: E402
from bench.serve import (BASE, BIN, OUT, WORKERS, children, free_port, start, status_kb,  # noqa: E402
                         stop, wait_for_workers)
from bench.sparql import percentile  # noqa: E402

SEARCHES = (  # words of the synthetic titles, abstracts and names, a phrase; the last word is also a
    # prefix (as typed: "learn" finds "learning")
    "climate", "protein signal", "quantum", "urban water", "Wadsö", "Markova", "\"civil society\"",
    "energy market risk", "migration identity", "detector", "soil carbon", "cohort trial",
    "graph model", "learn", "polic", "history culture economy", "network", "Tanaka",
    "finance", "memory language")
TYPE_PATH = "/doc/type/contributiontojournal/article"  # every synthetic record's type
WARM_UP = 20  # pages asked first and measured apart
TARGETS = {"html_p99_ms": 50, "turtle_p99_ms": 50, "search_p99_ms": 100, "worker_rss_mb": 1024}


# --- ingest, part by part ------------------------------------------------------------------------

def write_parts(folder: Path, count: int, parts: int, done: int) -> list[Path]:
    """The N records in `parts` files of about N/parts each (one generator run: the same records
    as synthetic.write_jsonl(count)); written unless the parts not `done` yet are there."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"part-{n:02d}.jsonl" for n in range(parts)]
    if all(p.exists() for p in paths[done:]):
        return paths
    size = -(-count // parts)
    items = synthetic.records(count)
    for path in paths:
        with open(f"{path}.part", "w", encoding="utf-8") as out:
            for item in itertools.islice(items, size):
                out.write(json.dumps(item, ensure_ascii=False) + "\n")
        os.replace(f"{path}.part", path)
    return paths


def ingest_part(store: Path, part: Path, report: Path) -> dict:
    """`kgpub ingest` of one file: wall time, records/s and the peak RSS of the ingest process and
    of its largest worker (ru_maxrss of the waited-for tree)."""
    started = time.perf_counter()
    log = report.with_suffix(".log")
    with log.open("wb") as stderr:
        process = subprocess.Popen([str(BIN / "kgpub"), "ingest", "--store", str(store), "--base", BASE,
                                    "--report", str(report), str(part)], stdout=subprocess.DEVNULL, stderr=stderr)
        _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        sys.exit(f"kgpub ingest {part} failed with exit status {process.returncode}; see {log}")
    rows = json.loads(report.read_text())
    stored = [row for row in rows if row["status"] in ("stored", "updated", "unchanged")]
    compacted = re.search(r"compacted in ([\d,]+) s", log.read_text())
    return {"part": part.name, "records": len(rows), "stored": len(stored), "seconds": round(seconds, 1),
            "records_per_s": round(len(rows) / seconds, 1), "peak_rss_mb": round(usage.ru_maxrss / 1024),
            "compaction_s": int(compacted[1].replace(",", "")) if compacted else None}


def ingest(store: Path, count: int, parts: int, figures: dict, save) -> None:
    folder = OUT / f"scale-{count}"
    done = figures.setdefault("ingest", [])
    files = write_parts(folder, count, parts, len(done))
    for part in files[len(done):]:
        figures["ingest"].append(ingest_part(store, part, folder / f"{part.stem}.report.json"))
        row = figures["ingest"][-1]
        print(f"  {row['part']}: {row['records_per_s']:,.0f} records/s, peak RSS {row['peak_rss_mb']} MB",
              file=sys.stderr)
        save()
    paths = []
    for part in files:
        rows = json.loads((folder / f"{part.stem}.report.json").read_text())
        paths += [row["iri"].replace(BASE + "id/", "/doc/") for row in rows
                  if row["status"] in ("stored", "updated", "unchanged")]
    # The layout bench/serve.py and bench/sparql.py reuse (build_store).
    (OUT / f"paths-{count}.txt").write_text("\n".join(paths) + "\n")
    seconds = sum(row["seconds"] for row in figures["ingest"])
    (OUT / f"store-{count}.json").write_text(json.dumps({"records": count, "ingest_s": round(seconds, 1)}))


# --- store and dump --------------------------------------------------------------------------------

def disk_mb(path: Path) -> float:
    """Bytes on disk under path, each hard-linked file once (snapshots share the database's files)."""
    seen, total = set(), 0
    for file in path.rglob("*"):
        info = file.lstat()
        if file.is_file() and (info.st_dev, info.st_ino) not in seen:
            seen.add((info.st_dev, info.st_ino))
            total += info.st_blocks * 512
    return round(total / 2**20, 1)


def store_size(store: Path) -> dict:
    side = store / "kgpub"
    return {"total_mb": disk_mb(store),
            "side_files_mb": {f.name: disk_mb(f) if f.is_dir() else round(f.stat().st_blocks * 512 / 2**20, 1)
                              for f in sorted(side.iterdir()) if f.name != "snapshots"}}


def dump(store: Path) -> dict:
    started = time.perf_counter()
    subprocess.run([str(BIN / "kgpub"), "dump", "--store", str(store)], check=True, stdout=subprocess.DEVNULL)
    return {"seconds": round(time.perf_counter() - started, 1)}


# --- serving, one client ---------------------------------------------------------------------------

def timed_gets(port: int, paths: list[str], accept: str) -> list[float]:
    """Each path in turn on one keep-alive connection; seconds per answer (each must be 200)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    seconds = []
    for path in paths:
        started = time.perf_counter()
        connection.request("GET", path, headers={"Accept": accept})
        response = connection.getresponse()
        response.read()
        seconds.append(time.perf_counter() - started)
        if response.status != 200:
            sys.exit(f"GET {path} ({accept}) answered {response.status}")
    connection.close()
    return seconds


def summary(seconds: list[float]) -> dict:
    ms = [s * 1000 for s in seconds]
    return {"n": len(ms), "first_ms": round(ms[0], 1), "p50_ms": round(percentile(ms, 50), 1),
            "p99_ms": round(percentile(ms, 99), 1), "max_ms": round(max(ms), 1)}


def serve(store: Path, count: int, args) -> dict:
    paths = (OUT / f"paths-{count}.txt").read_text().split()
    chosen = random.Random(16).sample(paths, 2 * args.samples + WARM_UP)
    html_paths, turtle_paths = chosen[:args.samples], chosen[args.samples:2 * args.samples]
    searches = [f"/search?{urlencode({'q': query})}" for query in SEARCHES] + [
        "/search?q=climate&year=2001", "/search?q=energy&subject=2401", "/search?year=2010"]
    deep = count // 100 // 2  # a page in the middle of the list
    port = free_port()
    process, load_s = start([BIN / "kgpub", "serve", "--store", store, "--base", BASE, "--port", port,
                             "--workers", WORKERS, "--threads", 16], port, "/healthz", OUT / f"scale-{count}.log")
    try:
        wait_for_workers(process.pid)
        rss_loaded = worker_rss_mb(process.pid)
        # Each worker's first pages load the templates and the citation styles: not what a page costs.
        first = summary(timed_gets(port, chosen[2 * args.samples:], "text/html"))
        result = {"load_s": round(load_s, 1), "worker_rss_mb_loaded": rss_loaded, "first_pages": first}
        for name, paths_, accept in (
                ("html", html_paths, "text/html"), ("turtle", turtle_paths, "text/turtle"),
                ("search", searches * args.repeat, "text/html"), ("home", ["/"] * args.repeat, "text/html"),
                ("backlinks_first_page", [TYPE_PATH] * args.repeat, "text/html"),
                ("backlinks_deep_page", [f"{TYPE_PATH}?page={deep}"] * args.repeat, "text/html")):
            result[name] = summary(timed_gets(port, paths_, accept))
            print(f"  {name}: {result[name]}", file=sys.stderr)
        result["worker_rss_mb_after"] = worker_rss_mb(process.pid)
        # RSS counts the side files' pages SQLite maps from disk (clean, shared, reclaimable): apart.
        result["worker_private_mb_after"] = worker_rss_mb(process.pid, "RssAnon")
        result["search_matches"] = search_matches(store, searches)
        return result
    finally:
        stop(process)


def search_matches(store: Path, searches: list[str]) -> dict[str, int]:
    """How many records each search finds: a word in nine records of ten costs more than a rare one."""
    from urllib.parse import parse_qsl, urlsplit

    from kgpub.graph.search import SearchIndex

    index = SearchIndex(store / "kgpub" / "search.sqlite", read_only=True)
    try:
        found = {}
        for url in searches:
            asked = dict(parse_qsl(urlsplit(url).query))
            found[url] = index.search(asked.pop("q", ""), limit=1, **asked).total
        return found
    finally:
        index.close()


def worker_rss_mb(master: int, field: str = "VmRSS") -> list[int]:
    return [round(status_kb(pid, field) / 1024) for pid in children(master)]


def sparql(count: int, args) -> dict:
    subprocess.run([sys.executable, str(ROOT / "bench" / "sparql.py"), "--records", str(count), "--no-rdflib",
                    "--allow-busy", "--per-kind", "50", "--duration", str(args.sparql_duration)], check=True)
    report = json.loads((OUT / f"sparql-{count}.json").read_text())
    return {key: report[key] for key in ("kgpub", "no_query_processes", "minimal_app", "minimal_app_kgpub_worker",
                                         "engine", "verdicts")}


# --- the report ------------------------------------------------------------------------------------

def verdicts(figures: dict) -> dict:
    served = figures.get("serve", {})
    checks = {"html_p99_ms": served.get("html", {}).get("p99_ms"),
              "turtle_p99_ms": served.get("turtle", {}).get("p99_ms"),
              "search_p99_ms": served.get("search", {}).get("p99_ms"),
              "worker_rss_mb": max(served.get("worker_rss_mb_after", [0]) or [0]) or None}
    return {name: {"measured": value, "target": TARGETS[name],
                   "verdict": None if value is None else "PASS" if value < TARGETS[name] else "MISS"}
            for name, value in checks.items()}


def print_table(figures: dict) -> None:
    print(f"\n{figures['records']:,} records, {figures['cores']} cores; load average at the end "
          f"{' '.join(figures.get('loadavg_end', []))}")
    print(f"\n{'ingest part':<14}{'records':>9}{'seconds':>9}{'of which compacting':>21}{'records/s':>11}"
          f"{'peak RSS MB':>13}")
    for row in figures.get("ingest", []):
        compacting = "" if row.get("compaction_s") is None else f"{row['compaction_s']:,}"
        print(f"{row['part']:<14}{row['records']:>9,}{row['seconds']:>9,.0f}{compacting:>21}"
              f"{row['records_per_s']:>11,.0f}{row['peak_rss_mb']:>13,}")
    if "store" in figures:
        print(f"\nstore on disk: {figures['store']['total_mb']:,.0f} MB; side files (MB): "
              f"{figures['store']['side_files_mb']}")
    if "dump" in figures:
        print(f"kgpub dump: {figures['dump']['seconds']:,.0f} s")
    served = figures.get("serve")
    if served:
        print(f"\n{'one client':<22}{'n':>6}{'first ms':>10}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
        for name, row in served.items():
            if isinstance(row, dict):
                print(f"{name:<22}{row['n']:>6}{row['first_ms']:>10}{row['p50_ms']:>9}{row['p99_ms']:>9}"
                      f"{row['max_ms']:>9}")
        print(f"server processes' RSS MB: {served['worker_rss_mb_loaded']} loaded, "
              f"{served['worker_rss_mb_after']} after (private: {served.get('worker_private_mb_after')})")
    if "sparql" in figures:
        print(f"\nSPARQL mix (bench/sparql.py --no-rdflib): {figures['sparql']['verdicts']}")
    print("\nissue 16's targets at this size:")
    for name, check in verdicts(figures).items():
        print(f"  {name:<16} {check['measured']} (target < {check['target']}): {check['verdict'] or 'not measured'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--parts", type=int, default=10, help="files ingested one after another")
    parser.add_argument("--samples", type=int, default=500, help="random records asked for, as HTML and as Turtle")
    parser.add_argument("--repeat", type=int, default=5, help="times each search, home and backlink page is asked")
    parser.add_argument("--sparql-duration", type=int, default=10, help="seconds of wrk per SPARQL kind")
    args = parser.parse_args()
    store, report_path = OUT / f"store-{args.records}", OUT / f"scale-{args.records}.json"
    figures = json.loads(report_path.read_text()) if report_path.exists() else {}
    figures.update(records=args.records, cores=os.cpu_count())

    def save() -> None:
        figures["loadavg_end"] = Path("/proc/loadavg").read_text().split()[:3]
        figures["verdicts"] = verdicts(figures)
        report_path.write_text(json.dumps(figures, indent=2) + "\n")

    print(f"ingest of {args.records:,} records in {args.parts} parts:", file=sys.stderr)
    ingest(store, args.records, args.parts, figures, save)
    for phase, measure in (("store", lambda: store_size(store)), ("serve", lambda: serve(store, args.records, args)),
                           ("sparql", lambda: sparql(args.records, args)), ("dump", lambda: dump(store))):
        if phase not in figures:
            print(f"{phase}:", file=sys.stderr)
            figures[phase] = measure()
            save()
    print_table(figures)


if __name__ == "__main__":
    main()
