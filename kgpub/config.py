"""Settings shared by the CLI and the server, from the environment with documented defaults."""
from __future__ import annotations

import os
from pathlib import Path

from pyoxigraph import NamedNode

DEFAULT_BASE = "http://localhost:8080/"


def default_store_dir() -> str:
    """KGPUB_STORE, else $XDG_DATA_HOME/kgpub/store (~/.local/share/kgpub/store)."""
    if os.environ.get("KGPUB_STORE"):
        return os.environ["KGPUB_STORE"]
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(data_home) / "kgpub" / "store")


def default_base() -> str:
    """KGPUB_BASE, else http://localhost:8080/ (check it with normalise_base)."""
    return os.environ.get("KGPUB_BASE") or DEFAULT_BASE


def normalise_base(base: str) -> str:
    """IRIs are minted as base + 'id/…', so the base is an http(s) IRI ending with a slash."""
    if not base.startswith(("http://", "https://")):
        raise ValueError(f"the base IRI must start with http:// or https://, not {base!r}")
    try:
        NamedNode(base)
    except ValueError as err:
        raise ValueError(f"{base!r} is not a valid IRI: {err}") from None
    return base if base.endswith("/") else base + "/"
