"""Reconciliation benchmark: batches of OpenRefine reconciliation queries through `kgpub serve`,
against one full-text search per title through the same server, in one run.

    .venv/bin/python bench/reconcile.py                        # the real BibTeX corpus and 20,000 synthetic records
    .venv/bin/python bench/reconcile.py --synthetic 0 --duration 5

Stores: the real BibTeX corpus (../shared/data/real/bib, about 10,700 outputs; built once under
bench/out/reconcile-bib/), and serve.py's store of N synthetic Pure records (its build_store,
reused between runs; their titles are eight words of a 55-word vocabulary, so every word matches
thousands of records: the search index's worst case). Queries are titles drawn from the store's own
search index (seeded), as given (`clean`) or with the noise of tests/test_reconcile.py (`noisy`:
case, punctuation, a dropped subtitle, one typo), alone or with the output's year and first author
as properties (`props`), in batches of 10 (OpenRefine's default) or 100 (the service's batchSize).
One `kgpub serve --workers 2`; each workload first sequentially, every distinct request once (every
answer must be 200; top-1 and wrong matches are counted against the drawn output; `alone` is the
mean time of a request with nothing else running), then wrk (2 threads, 8 connections, after a
warm-up; any answer other than 200 fails the run).

The baseline is `search`: GET /search?q=<clean title>&format=json, one title per request, on the
same server in the same run: the cheapest thing a client could do instead (one index search, no
scoring, no fallback). `vs search` is reconciled titles/s over searched titles/s. Prints the table
and the issue's target (>= 200 queries/s); writes bench/out/reconcile.json.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import string
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.serve import (BASE, BIN, WORKERS, build_store, code_fingerprint, free_port, memory_mb,  # noqa: E402
                         start, stop)

OUT = ROOT / "bench" / "out"
REAL_BIB = ROOT.parent / "shared" / "data" / "real" / "bib"
TARGET_QPS = 200
SEED = 14
DRAWN = 1000  # titles drawn per store
WORKLOADS = (  # name, batch size, noisy titles?, properties?
    ("clean-10", 10, False, False),
    ("noisy-10", 10, True, False),
    ("props-10", 10, True, True),
    ("noisy-100", 100, True, False),
)
WRK_LUA = """
local requests = {}
for line in io.lines("%(requests)s") do
  local method, path, body = line:match("^(%%S+) (%%S+) ?(.*)$")
  requests[#requests + 1] = {method, path, body}
end
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end
function init(args)
  statuses = {}
  math.randomseed(os.time() * 100 + id)
end
function request()
  local r = requests[math.random(#requests)]
  if r[1] == "POST" then
    return wrk.format("POST", r[2], {["Content-Type"] = "application/x-www-form-urlencoded"}, r[3])
  end
  return wrk.format("GET", r[2])
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do counts[tostring(status)] = (counts[tostring(status)] or 0) + n end
  end
  local e = summary.errors
  io.write(string.format('RESULT {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p99_us": %%d, ' ..
    '"errors": %%d, "statuses": {', summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(99), e.connect + e.read + e.write + e.timeout))
  local sep = ""
  for status, n in pairs(counts) do io.write(string.format('%%s"%%s": %%d', sep, status, n)); sep = ", " end
  io.write("}}\\n")
end
"""


def noisy_title(title: str, rng: random.Random) -> str:
    """What a spreadsheet makes of a title: its case changed, its punctuation changed, the subtitle
    after a colon dropped (half the time), and one typo (a letter replaced, dropped, added or
    swapped with the next) in a word of four letters or more. tests/test_reconcile.py measures
    matching quality with it."""
    if ":" in title and rng.random() < 0.5:
        title = title.split(":", 1)[0]
    title = rng.choice([str.lower, str.upper, str.title, str.strip])(title)
    title = rng.choice([lambda t: re.sub(r"[,.;:!?()\"']", "", t), lambda t: t.replace(" ", ", ", 1),
                        lambda t: t + ".", lambda t: t.replace("-", " ")])(title)
    words = title.split(" ")
    candidates = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
    if candidates:
        i = rng.choice(candidates)
        word, at, letter = words[i], rng.randrange(1, len(words[i]) - 1), rng.choice(string.ascii_lowercase)
        words[i] = rng.choice([word[:at] + letter + word[at + 1:], word[:at] + word[at + 1:],
                               word[:at] + letter + word[at:], word[:at - 1] + word[at] + word[at - 1] + word[at + 1:]])
    return " ".join(words)


# --- stores and queries --------------------------------------------------------------------------

def bib_store() -> tuple[Path, dict]:
    """The real BibTeX corpus, ingested once."""
    folder, meta_file = OUT / "reconcile-bib", OUT / "reconcile-bib.json"
    if folder.is_dir() and meta_file.exists():
        return folder, json.loads(meta_file.read_text())
    shutil.rmtree(folder, ignore_errors=True)
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    # Entries without a title are rejected (exit status 1); the rest is stored.
    subprocess.run([BIN / "kgpub", "ingest", "--store", folder, "--base", BASE, "--report",
                    OUT / "reconcile-bib-ingest.json", REAL_BIB], stdout=subprocess.DEVNULL)
    meta = {"ingest_s": round(time.perf_counter() - started, 1)}
    meta_file.write_text(json.dumps(meta))
    return folder, meta


def draw_titles(store: Path, count: int, rng: random.Random) -> tuple[int, list[dict]]:
    """The store's size and `count` outputs (IRI, title, year, first author) whose titles no other
    output shares, drawn from its search index."""
    from kgpub.graph.store import open_reader

    reader = open_reader(str(store))
    try:
        index = reader.search
        total = index.search("", limit=1).total
        rows = [hit for offset in range(0, total, 1000) for hit in index.search("", limit=1000, offset=offset).hits]
    finally:
        reader.close()
    seen: dict[str, int] = {}
    for hit in rows:
        seen[comparable(hit.title or "")] = seen.get(comparable(hit.title or ""), 0) + 1
    usable = [{"iri": h.iri, "title": h.title, "year": h.year, "author": h.authors[0] if h.authors else None}
              for h in rows if h.title and seen[comparable(h.title)] == 1 and len(h.title) >= 8]
    return total, rng.sample(usable, min(count, len(usable)))


def comparable(title: str) -> str:
    return " ".join(re.findall(r"\w+", title.casefold()))


def workload_requests(drawn: list[dict], batch: int, noisy: bool, props: bool, rng: random.Random) -> list[dict]:
    """Request bodies (one batch each) with the IRI each query should find."""
    built = []
    for start_at in range(0, len(drawn) - batch + 1, batch):
        chunk = drawn[start_at:start_at + batch]
        queries, expected = {}, {}
        for i, output in enumerate(chunk):
            query = {"query": noisy_title(output["title"], rng) if noisy else output["title"]}
            if props:
                given = [("year", output["year"]), ("author", output["author"])]
                query["properties"] = [{"pid": pid, "v": v} for pid, v in given if v]
            queries[f"q{i}"], expected[f"q{i}"] = query, output["iri"][len(BASE) + len("id/"):]
        built.append({"line": "POST /reconcile " + urllib.parse.urlencode({"queries": json.dumps(queries)}),
                      "expected": expected})
    return built


def search_requests(drawn: list[dict]) -> list[dict]:
    return [{"line": "GET /search?" + urllib.parse.urlencode({"q": output["title"][:400], "format": "json"}),
             "expected": None} for output in drawn]


# --- measuring -----------------------------------------------------------------------------------

def check(port: int, requests: list[dict]) -> dict:
    """Every request once, in turn: all 200; top-1 and wrong matches counted; the mean latency."""
    right = wrong = total = 0
    started = time.perf_counter()
    for item in requests:
        method, path, body = (item["line"].split(" ", 2) + [""])[:3]
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                         data=body.encode() if method == "POST" else None)
        with urllib.request.urlopen(request, timeout=120) as response:
            if response.status != 200:
                sys.exit(f"{path}: {response.status}")
            answer = json.load(response)
        for key, iri in (item["expected"] or {}).items():
            top = (answer[key]["result"] or [None])[0]
            total += 1
            right += bool(top and top["id"] == iri)
            wrong += bool(top and top["match"] and top["id"] != iri)
    seconds = time.perf_counter() - started
    return {"top1": round(right / total, 4) if total else None,
            "wrong_matches": round(wrong / total, 4) if total else None,
            "sequential_ms": round(1000 * seconds / len(requests), 1)}


def wrk(port: int, requests: list[dict], seconds: int, connections: int) -> dict:
    lines, script = OUT / "reconcile-requests.txt", OUT / "reconcile.lua"
    lines.write_text("".join(item["line"] + "\n" for item in requests))
    script.write_text(WRK_LUA % {"requests": lines})
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "60s", "-s", str(script),
               f"http://127.0.0.1:{port}/"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next((ln for ln in output.splitlines() if ln.startswith("RESULT ")), None)
    if line is None:
        sys.exit(f"wrk printed no result:\n{output}")
    return json.loads(line[len("RESULT "):])


def measure(port: int, name: str, batch: int, requests: list[dict], args) -> dict:
    checked = check(port, requests)
    wrk(port, requests, args.warmup, args.connections)
    load_before = float(Path("/proc/loadavg").read_text().split()[0])
    result = wrk(port, requests, args.duration, args.connections)
    wrong = {status: n for status, n in result["statuses"].items() if status != "200"}
    if wrong or result["errors"]:
        sys.exit(f"{name}: responses other than 200 {wrong}, socket errors {result['errors']}")
    rps = result["requests"] / (result["duration_us"] / 1e6)
    answered = result["requests"] > 0  # a batch slower than the run has no latency to show
    found = {"batch": batch, "rps": round(rps, 1), "qps": round(rps * batch, 1),
             "p50_ms": result["p50_us"] / 1000 if answered else None,
             "p99_ms": result["p99_us"] / 1000 if answered else None, "requests": result["requests"],
             "loadavg_before": load_before, **checked}
    print(f"  {name}: {found['qps']:,.0f} titles/s (top-1 {found['top1']}, load average before {load_before})",
          file=sys.stderr)
    return found


def bench_store(label: str, store: Path, args) -> dict:
    rng = random.Random(SEED)
    outputs, drawn = draw_titles(store, DRAWN, rng)
    workloads = {"search": (1, search_requests(drawn))}
    for name, batch, noisy, props in WORKLOADS:
        workloads[name] = (batch, workload_requests(drawn, batch, noisy, props, rng))
    port = free_port()
    print(f"{label}: {outputs:,} outputs, {len(drawn)} titles drawn; starting the server", file=sys.stderr)
    process, _ = start([BIN / "kgpub", "serve", "--store", store, "--base", BASE, "--port", port,
                        "--workers", WORKERS], port, "/reconcile", OUT / f"reconcile-{label}.log")
    try:
        results = {name: measure(port, name, batch, requests, args) for name, (batch, requests) in workloads.items()}
        return {"outputs": outputs, "titles": len(drawn), "workloads": results, "memory_after": memory_mb(process.pid)}
    finally:
        stop(process)


def print_table(report: dict) -> None:
    print(f"\n{report['workers']} workers, wrk -t2 -c{report['connections']} -d{report['duration_s']}s after "
          f"{report['warmup_s']} s warm-up")
    print(f"{'store':<18} {'workload':<10} {'batch':>5} {'req/s':>7} {'titles/s':>9} {'p50':>9} {'p99':>9} "
          f"{'alone':>9} {'top-1':>6} {'wrong':>6} {'vs search':>9}")
    for label, store in report["stores"].items():
        baseline = store["workloads"]["search"]["qps"]
        for name, w in store["workloads"].items():
            top1 = f"{w['top1']:.1%}" if w["top1"] is not None else ""
            wrong = f"{w['wrong_matches']:.1%}" if w["wrong_matches"] is not None else ""
            p50, p99 = (f"{w[k]:>7.1f}ms" if w[k] is not None else f"{'-':>9}" for k in ("p50_ms", "p99_ms"))
            print(f"{label + ' ' + format(store['outputs'], ','):<18} {name:<10} {w['batch']:>5} {w['rps']:>7,.1f} "
                  f"{w['qps']:>9,.0f} {p50} {p99} {w['sequential_ms']:>7.1f}ms {top1:>6} {wrong:>6} "
                  f"{w['qps'] / baseline:>8.2f}x")
        print(f"{'':<18} memory after (PSS, all server processes): {store['memory_after']['total_pss_mb']} MB")
    print("\ntarget: reconciliation >= 200 queries/s (noisy titles, batches of 10):")
    for label, store in report["stores"].items():
        qps = store["workloads"]["noisy-10"]["qps"]
        print(f"  {label}: {qps:,.0f} {'PASS' if qps >= TARGET_QPS else 'MISS'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--synthetic", type=int, default=20_000, help="synthetic records (0: the real corpus only)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per workload")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up before each workload")
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed")
    stores = {"bibtex": bib_store()[0]}
    if args.synthetic:
        stores["synthetic"] = build_store(args.synthetic)[0]
    report = {"workers": WORKERS, "connections": args.connections, "duration_s": args.duration,
              "warmup_s": args.warmup, "cores": os.cpu_count(), "code": code_fingerprint(),
              "stores": {label: bench_store(label, store, args) for label, store in stores.items()}}
    (OUT / "reconcile.json").write_text(json.dumps(report, indent=2) + "\n")
    print_table(report)


if __name__ == "__main__":
    main()
