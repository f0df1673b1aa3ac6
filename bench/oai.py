"""OAI-PMH harvesting benchmark: full harvests from `kgpub serve`, as an aggregator does them.

    .venv/bin/python bench/oai.py                     # 100,000 records
    .venv/bin/python bench/oai.py --records 2000

Reuses (or builds) the store of bench/serve.py: N synthetic records under bench/out/. Starts
`kgpub serve --workers 2` and harvests the whole repository the way a harvester does, one request
after the other following resumption tokens (100 records a page):
  ListIdentifiers             headers only
  ListRecords oai_dc          the issue's target: >= 1,000 records/s
  ListRecords oai_openaire
Each harvest must return every record exactly once, or the run fails. The first request of the
first harvest pays for the list of records of this store version (record_list.py); it is shown
apart. The baseline, in the same run: a bare Flask app under the same gunicorn settings answering
every request with one constant ListRecords page of the same size (the floor of HTTP and transfer
for these pages). Server memory (RSS and anonymous RSS of each process, total PSS) before and after
(the first request, Identify, has already made the list of records). Writes
bench/out/oai-N.json.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.serve import (BASE, BIN, OUT, WORKERS, build_store, children, code_fingerprint, free_port,  # noqa: E402
                         memory_mb, start, status_kb, stop, wait_for_workers)

TARGET_RECORDS_PER_S = 1000
HARVESTS = (("ListIdentifiers", "oai_dc"), ("ListRecords", "oai_dc"), ("ListRecords", "oai_openaire"))
TOKEN = re.compile(r"<resumptionToken[^>]*>([^<]+)</resumptionToken>")
IDENTIFIER = re.compile(r"<identifier>(oai:[^<]+)</identifier>")


def harvest(url: str, verb: str, prefix: str, expected: int) -> dict:
    """One full harvest; its records/s, the first page's time and the bytes."""
    session = requests.Session()
    params, seen, pages, size = {"verb": verb, "metadataPrefix": prefix}, [], 0, 0
    started = time.perf_counter()
    first_page_s = None
    while True:
        reply = session.get(url, params=params, timeout=300)
        if reply.status_code != 200 or "<error" in reply.text:
            sys.exit(f"{verb} {prefix}: {reply.status_code} {reply.text[:300]}")
        first_page_s = first_page_s if first_page_s is not None else time.perf_counter() - started
        seen += IDENTIFIER.findall(reply.text)
        pages, size = pages + 1, size + len(reply.content)
        token = TOKEN.search(reply.text)
        if not token:
            break
        params = {"verb": verb, "resumptionToken": token.group(1)}
    seconds = time.perf_counter() - started
    if len(seen) != expected or len(set(seen)) != expected:
        sys.exit(f"{verb} {prefix}: {len(seen)} records ({len(set(seen))} different), expected {expected}")
    return {"records": len(seen), "pages": pages, "seconds": round(seconds, 1), "first_page_s": round(first_page_s, 2),
            "records_per_s": round(len(seen) / seconds), "mb": round(size / 1e6, 1)}


def memory(master: int) -> dict:
    """serve.py's RSS and PSS, and each process's anonymous RSS: its own heap, without the pages of
    the store's files it maps (which RSS counts for every process that maps them)."""
    pids = [master] + children(master)
    return {**memory_mb(master), "anon_mb": {str(pid): round(status_kb(pid, "RssAnon") / 1024) for pid in pids}}


def floor_app(page_file: str):
    from flask import Flask, Response

    body = Path(page_file).read_bytes()
    app = Flask("floor")

    @app.get("/oai")
    def oai():
        return Response(body, mimetype="text/xml")

    return app


def floor_harvest(url: str, pages: int) -> dict:
    session = requests.Session()
    started = time.perf_counter()
    for _ in range(pages):
        session.get(url, timeout=60).raise_for_status()
    seconds = time.perf_counter() - started
    return {"pages": pages, "seconds": round(seconds, 1), "records_per_s": round(pages * 100 / seconds)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--floor-server", nargs=2, metavar=("PAGE", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor_server:
        from gunicorn.app.wsgiapp import run

        sys.argv = ["gunicorn", "--workers", str(WORKERS), "--worker-class", "gthread", "--threads", "4",
                    "--bind", f"127.0.0.1:{args.floor_server[1]}", "bench.oai:floor_app('" + args.floor_server[0] + "')"]
        os.chdir(ROOT)
        run()
        return
    store, _, meta = build_store(args.records)
    port = free_port()
    process, load_s = start([BIN / "kgpub", "serve", "--store", store, "--base", BASE, "--port", port,
                             "--workers", WORKERS], port, "/oai?verb=Identify", OUT / f"oai-{args.records}.log")
    url = f"http://127.0.0.1:{port}/oai"
    try:
        wait_for_workers(process.pid)
        memory_before = memory(process.pid)
        results = {f"{verb} {prefix}": harvest(url, verb, prefix, args.records) for verb, prefix in HARVESTS}
        memory_after = memory(process.pid)
        page = OUT / "oai-floor-page.xml"
        page.write_bytes(requests.get(url, params={"verb": "ListRecords", "metadataPrefix": "oai_dc"}, timeout=60).content)
    finally:
        stop(process)
    port = free_port()
    floor, _ = start([sys.executable, __file__, "--floor-server", page, port], port, "/oai", OUT / "oai-floor.log")
    try:
        baseline = floor_harvest(f"http://127.0.0.1:{port}/oai", results["ListRecords oai_dc"]["pages"])
    finally:
        stop(floor)
    report = {"records": args.records, "workers": WORKERS, "cores": os.cpu_count(), "store": meta,
              "code": code_fingerprint(), "server_start_s": round(load_s, 1), "harvests": results,
              "floor": baseline, "memory_before": memory_before, "memory_after": memory_after,
              "load_average": os.getloadavg()}
    (OUT / f"oai-{args.records}.json").write_text(json.dumps(report, indent=2) + "\n")
    print_table(report)


def print_table(report: dict) -> None:
    floor = report["floor"]["records_per_s"]
    print(f"\nOAI-PMH full harvests of {report['records']:,} records, {report['workers']} workers, "
          f"{report['cores']} cores; floor (constant page, same gunicorn settings): {floor:,} records/s\n")
    print("| harvest | records/s | seconds | first page | MB | ratio to floor |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, result in report["harvests"].items():
        print(f"| {name} | {result['records_per_s']:,} | {result['seconds']} | {result['first_page_s']} s | "
              f"{result['mb']} | {result['records_per_s'] / floor:.2f} |")
    dc = report["harvests"]["ListRecords oai_dc"]["records_per_s"]
    verdict = "PASS" if dc >= TARGET_RECORDS_PER_S else "MISS"
    print(f"\ntarget: oai_dc >= {TARGET_RECORDS_PER_S:,} records/s: {verdict} ({dc:,})")
    for label in ("memory_before", "memory_after"):
        memory = report[label]
        print(f"server memory {label.split('_')[1]}: RSS {memory['rss_mb']} MB, of which anonymous {memory['anon_mb']} "
              f"MB; total PSS {memory['total_pss_mb']} MB")


if __name__ == "__main__":
    main()
