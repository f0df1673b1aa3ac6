"""Shared test helpers: where the shared data lives, and running the real `kgpub` command."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
SEED = SHARED_DATA / "seed-record.txt"
PURE_API = SHARED_DATA / "real" / "pure-api"
BASE = "https://data.example.edu/"

sys.path.insert(0, str(REPO))  # so tests can use bench/synthetic.py


def pytest_configure(config):
    if not SHARED_DATA.is_dir():
        raise pytest.UsageError(f"the shared test data is missing: expected {SHARED_DATA}")


class Cli:
    """Runs `kgpub` as a user would, in a subprocess, against one store folder."""

    def __init__(self, store: Path):
        self.store = store

    def __call__(self, *args: str, check_exit: int | None = 0, **kwargs) -> subprocess.CompletedProcess:
        env = {**os.environ, "KGPUB_STORE": str(self.store), "KGPUB_BASE": BASE}
        result = subprocess.run([sys.executable, "-m", "kgpub", *args], capture_output=True,
                                text=True, env=env, timeout=600, **kwargs)
        if check_exit is not None and result.returncode != check_exit:
            raise AssertionError(f"kgpub {' '.join(args)} exited {result.returncode}, wanted {check_exit}\n"
                                 f"stdout: {result.stdout[-3000:]}\nstderr: {result.stderr[-3000:]}")
        return result

    def ingest(self, *paths, check_exit: int | None = 0, report: Path | None = None) -> list[dict]:
        report = report or self.store.parent / "report.json"
        self("ingest", "--report", str(report), *map(str, paths), check_exit=check_exit)
        return json.loads(report.read_text())


@pytest.fixture
def cli(tmp_path) -> Cli:
    return Cli(tmp_path / "store")
