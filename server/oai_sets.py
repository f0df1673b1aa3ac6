"""OAI-PMH sets (oai_pmh.py): a research output is in the set of its Pure output type, of each of
its ASJC subjects and of its publication year. Set specs are hierarchical (spec §2.7.2), and a
record in `a:b` is in `a` too:

    type    type:contributiontojournal    type:contributiontojournal:article
    asjc    asjc:33                        asjc:33:3312
    year    year:2021

Made from the search index's facets (graph/search.py), which every backend keeps. A withdrawn or
merged record keeps no metadata (its graph is gone), so it is in no set: a harvester that follows
deletions harvests without a set (docs/serving.md).
"""
from __future__ import annotations

import re
from functools import lru_cache
from xml.sax.saxutils import escape

from kgpub import ontology
from kgpub.graph import iris
from kgpub.graph.search import Facets

SET_SPEC = re.compile(r"[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*")  # the schema's setSpecType
TOP_SETS = {"type": "Output types (Pure)", "asjc": "Subjects (ASJC)", "year": "Years of publication"}


@lru_cache(maxsize=65536)
def set_specs(base: str, facets: Facets | None) -> tuple[str, ...]:
    """Every set a record with these facets is in, parents included, sorted. (Cached: records with
    the same facets share one tuple, in the list of 100k records each server process keeps.)"""
    if facets is None:
        return ()
    leaves = []
    stem = iris.stem_of(base, facets.type_iri or "")
    if stem and stem.startswith("type/"):
        leaves.append("type:" + stem.removeprefix("type/").replace("/", ":"))
    for code in facets.subjects:
        if entry := ontology.asjc_codes().get(code):
            leaves.append(f"asjc:{entry.subject_area_code}:{code}")
    if facets.year:
        leaves.append(f"year:{facets.year}")
    return tuple(sorted({spec for leaf in leaves for spec in _with_parents(leaf)}))


def _with_parents(spec: str) -> list[str]:
    parts = spec.split(":")
    return [":".join(parts[:end]) for end in range(1, len(parts) + 1)]


def set_name(spec: str) -> str:
    """What a harvester shows for a set."""
    top, _, rest = spec.partition(":")
    if not rest:
        return TOP_SETS[top]
    if top == "year":
        return f"Published in {rest}"
    if top == "type":
        return _type_name(rest)
    area, _, code = rest.partition(":")
    entry = ontology.asjc_codes().get(code) or _area_entry(area)
    return f"{entry.subject_area_label} › {entry.label}" if code else entry.subject_area_label


def _type_name(rest: str) -> str:
    key = rest.replace(":", "/")
    types = ontology.pure_types()
    if key in types:
        return f"{types[key].group} › {types[key].label}"
    return next(t.group for k, t in types.items() if k.startswith(key + "/"))


def _area_entry(area: str) -> ontology.AsjcEntry:
    return next(e for e in ontology.asjc_codes().values() if e.subject_area_code == area)


def list_sets_xml(specs: set[str]) -> str:
    """The sets that have records, parents first (the tops always, so the hierarchy is seen)."""
    shown = sorted(set(TOP_SETS) | specs, key=lambda spec: (spec.split(":")[0], spec.count(":") > 0, spec))
    return "".join(f"<set><setSpec>{escape(spec)}</setSpec><setName>{escape(set_name(spec))}</setName></set>"
                   for spec in shown)

