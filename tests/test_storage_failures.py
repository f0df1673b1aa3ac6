"""When the machine fails the store: a full disk, a refused permission, a read-only or corrupt
file, a killed run. The command line says so in one line (exit 2); the server answers 503 with
the reason and /healthz says unhealthy; a killed run leaves a report that can be read."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
import requests

from bench import synthetic
from conftest import BASE, PURE_API, SEED, Cli, free_port
from kgpub import cli as kgpub_cli
from kgpub.graph import sqlite
from kgpub.graph.store import oxigraph, oxigraph_folder
from kgpub.server import health, write_lock
from kgpub.server.app import create_app

TOKEN = "storage-test-token"
NO_SPACE = "IO error: While appending to file: /store/000012.sst: No space left on device"
DENIED = "IO error: While open a file for appending: /store/LOG: Permission denied"


def run_main(monkeypatch, capsys, *args: str) -> tuple[int, str]:
    """`kgpub …` in this process (so a failure can be staged), its exit status and standard error."""
    monkeypatch.setattr(sys, "argv", ["kgpub", *args])
    with pytest.raises(SystemExit) as ended:
        kgpub_cli.main()
    return ended.value.code, capsys.readouterr().err


def test_a_full_disk_while_writing_the_store_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KGPUB_BASE", BASE)

    def no_space(self, graphs, stamp=True):
        raise OSError(NO_SPACE)

    monkeypatch.setattr(oxigraph.OxigraphStore, "write_graphs", no_space)
    status, err = run_main(monkeypatch, capsys, "ingest", "--store", str(tmp_path / "store"), str(SEED))
    assert status == 2
    assert "the disk is full" in err and "No space left on device" in err and "intact" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_a_refused_permission_on_the_store_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys):
    def denied(path):
        raise OSError(DENIED)

    monkeypatch.setattr(oxigraph.pyoxigraph, "Store", denied)
    status, err = run_main(monkeypatch, capsys, "ingest", "--store", str(tmp_path / "store"), str(SEED))
    assert status == 2 and "permission denied, or the file system is read-only" in err
    assert "Traceback" not in err


def test_a_report_on_a_full_disk_is_one_line_and_exit_2(cli, tmp_path):
    report = tmp_path / "report.jsonl"
    report.symlink_to("/dev/full")  # every write to it fails with ENOSPC
    result = cli("ingest", "--report", str(report), str(SEED), check_exit=2)
    assert "the disk is full" in result.stderr and "Traceback" not in result.stderr


def test_a_killed_run_leaves_a_json_lines_report_that_reads_line_by_line(cli, tmp_path):
    records = synthetic.write_jsonl(tmp_path / "many.jsonl", 3000)
    report = tmp_path / "report.jsonl"
    env = {**os.environ, "KGPUB_STORE": str(cli.store), "KGPUB_BASE": BASE}
    process = subprocess.Popen([sys.executable, "-m", "kgpub", "ingest", "--report", str(report), str(records)],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and (not report.exists() or report.read_text().count("\n") < 2000):
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    rows = [json.loads(line) for line in report.read_text().splitlines()]  # every line whole
    assert 2000 <= len(rows) < 3000 and {row["status"] for row in rows} == {"stored"}


def test_a_json_report_is_written_whole_or_not_at_all(cli, tmp_path):
    report = tmp_path / "report.json"
    cli.ingest(SEED, report=report)
    assert json.loads(report.read_text())[0]["status"] == "stored"
    assert not (tmp_path / "report.json.partial").exists()


# --- the server --------------------------------------------------------------------------------

@pytest.fixture
def app(cli):
    cli.ingest(SEED)
    return create_app({"STORE": str(cli.store), "BASE": BASE, "ADMIN_TOKEN": TOKEN})


def test_healthz_says_what_keeps_the_server_from_writing(app, monkeypatch):
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    monkeypatch.setattr(health.shutil, "disk_usage", lambda path: shutil._ntuple_diskusage(100, 99, 1 << 20))
    response = client.get("/healthz")
    assert response.status_code == 503 and "the disk holding" in response.text and "is full (1 MB free)" in response.text
    monkeypatch.setattr(health.os, "access", lambda path, mode: False)
    assert "not writable" in client.get("/healthz").text


def test_healthz_checks_writing_only_when_writes_over_http_are_on(cli, monkeypatch):
    cli.ingest(SEED)
    client = create_app({"STORE": str(cli.store), "BASE": BASE}).test_client()
    monkeypatch.setattr(health.os, "access", lambda path, mode: False)
    assert client.get("/healthz").status_code == 200, "a read-only server is healthy"


def test_a_write_over_http_on_a_full_disk_says_so_at_once(app, monkeypatch):
    def full(location):
        raise oxigraph.StoreError(f"cannot open the store at {location}: the disk is full")

    monkeypatch.setattr(oxigraph_folder, "OxigraphStore", full)
    started = time.monotonic()
    response = app.test_client().post("/ingest", data=SEED.read_bytes(), headers={
        "Authorization": f"Bearer {TOKEN}", "Content-Type": "text/plain", "Accept": "text/plain"})
    assert response.status_code == 503 and "the store cannot be written" in response.text
    assert "the disk is full" in response.text and "another process" not in response.text
    assert time.monotonic() - started < write_lock.WAIT_SECONDS, "not retried as if the store were busy"


def test_a_write_while_another_process_holds_the_store_waits_then_says_so(app, monkeypatch):
    def locked(location):
        raise oxigraph.StoreLocked(f"cannot open the store at {location}: another process is writing it")

    monkeypatch.setattr(oxigraph_folder, "OxigraphStore", locked)
    monkeypatch.setattr(write_lock, "WAIT_SECONDS", 0.3)
    response = app.test_client().post("/ingest", data=SEED.read_bytes(), headers={
        "Authorization": f"Bearer {TOKEN}", "Content-Type": "text/plain", "Accept": "text/plain"})
    assert response.status_code == 503 and "another process" in response.text
    assert response.headers["Retry-After"] == "10"


def test_side_files_on_a_read_only_file_system_are_opened_immutable(cli, monkeypatch):
    """A store served from a read-only volume: SQLite's WAL readers would need to write beside it."""
    cli.ingest(SEED, PURE_API)
    monkeypatch.setattr(sqlite.os, "access", lambda path, mode: False)
    client = create_app({"STORE": str(cli.store), "BASE": BASE}).test_client()
    assert client.get("/search?q=climate", headers={"Accept": "application/json"}).status_code == 200
    assert client.get("/").status_code == 200


def test_a_store_on_a_read_only_mount_is_served(tmp_path):
    """The real thing, where this machine lets a test mount (a private mount namespace)."""
    if shutil.which("unshare") is None or subprocess.run(
            ["unshare", "-m", "--propagation", "private", "true"], capture_output=True).returncode != 0:
        pytest.skip("no private mount namespace here (unshare -m); the immutable fallback is tested above")
    cli = Cli(tmp_path / "store")
    cli.ingest(SEED)
    port = free_port()
    script = (f"mount -o bind,ro {cli.store} {cli.store} && KGPUB_STORE={cli.store} KGPUB_BASE={BASE} "
              f"exec {sys.executable} -m kgpub serve --port {port} --workers 1")
    process = subprocess.Popen(["unshare", "-m", "--propagation", "private", "sh", "-c", script],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(150):
            try:
                home = requests.get(url + "/", timeout=5)
                break
            except requests.ConnectionError:
                assert process.poll() is None, "kgpub serve exited on a read-only store"
                time.sleep(0.2)
        assert home.status_code == 200
        assert requests.get(url + "/search?q=climate", timeout=5).status_code == 200
        assert requests.get(url + "/healthz", timeout=5).status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=20)
