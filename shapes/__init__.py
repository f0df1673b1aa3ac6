"""The SHACL shapes every record graph must satisfy (docs/modelling.md is the contract they check).

Every `*.ttl` file in this folder belongs to the shapes graph. Both validators in
`kgpub.graph.validate` read the shapes through `shapes_graph()`, so they see the very same
rdflib graph (and the same blank-node ids for anonymous shapes).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import rdflib

HERE = Path(__file__).resolve().parent
NAMESPACE = "https://w3id.org/kgpub/shapes#"


def shapes_paths() -> list[Path]:
    """The Turtle files of the shapes graph, in a stable order."""
    return sorted(HERE.glob("*.ttl"))


def load_shapes_graph(paths: list[Path] | tuple[Path, ...]) -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


@lru_cache(maxsize=1)
def shapes_graph() -> rdflib.Graph:
    """The shapes graph from this folder, parsed once per process. Do not modify it."""
    return load_shapes_graph(shapes_paths())
