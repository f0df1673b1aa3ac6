"""The vocabularies every record points to: ASJC subject areas, Pure output types and our own terms.

The Turtle files next to this module are committed; `build.py` regenerates the two generated ones
(`asjc.ttl`, `pure-types.ttl`). Nothing here reads `../shared/` at run time.

Our own instances (ASJC and Pure-type concepts) have IRIs relative to the installation's base, so
parse those files with the base IRI (`KGPUB_BASE`) and they land under `{base}id/asjc/…`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import SKOS

HERE = Path(__file__).resolve().parent
KGV = "https://w3id.org/kgpub/ns#"
FABIO = "http://purl.org/spar/fabio/"
PURE_TYPE_URI_PREFIX = "/dk/atira/pure/researchoutput/researchoutputtypes/"
PURE_TYPES_TSV = HERE / "pure-types.tsv"

# Graph name (appended to the base IRI) → the Turtle file loaded into it.
VOCAB_GRAPHS: dict[str, str] = {
    "graph/asjc": str(HERE / "asjc.ttl"),
    "graph/pure-types": str(HERE / "pure-types.ttl"),
    "graph/vocab": str(HERE / "vocab.ttl"),
}

# The JSON-LD context the server publishes at /context/v1.jsonld (versioned: never edit v1 in a
# way that changes what a published document means; add v2 instead).
JSONLD_CONTEXT_V1 = HERE / "context-v1.jsonld"

# Any base works for reading the relative IRIs back; only the path after it matters here.
READING_BASE = "http://kgpub.invalid/"


class SourceError(ValueError):
    """A vocabulary source file (asjc.csv, pure-types.tsv) is malformed; the message says where."""


@dataclass(frozen=True)
class AsjcEntry:
    code: str
    label: str
    subject_area_code: str
    subject_area_label: str
    broad_area: str


@dataclass(frozen=True)
class PureType:
    key: str
    group: str
    label: str
    classes: tuple[str, ...]

    @property
    def portal_label(self) -> str:
        return f"{self.group} › {self.label}"

    @property
    def uri(self) -> str:
        return PURE_TYPE_URI_PREFIX + self.key


# --- ASJC ---------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def asjc_codes() -> dict[str, AsjcEntry]:
    """The 334 four-digit ASJC codes, read from the committed asjc.ttl."""
    graph = Graph().parse(VOCAB_GRAPHS["graph/asjc"], format="turtle", publicID=READING_BASE)
    entries = {}
    for concept, code in graph.subject_objects(SKOS.notation):
        if len(code) != 4:
            continue
        area = graph.value(concept, SKOS.broader)
        broad = graph.value(area, SKOS.broader)
        entries[str(code)] = AsjcEntry(
            code=str(code),
            label=str(graph.value(concept, SKOS.prefLabel)),
            subject_area_code=str(graph.value(area, SKOS.notation)),
            subject_area_label=str(graph.value(area, SKOS.prefLabel)),
            broad_area=str(graph.value(broad, SKOS.prefLabel)),
        )
    return dict(sorted(entries.items()))


# Spellings that differ between ASJC copies (Elsevier's list, Pure, Scopus exports).
_SPELLINGS = {"ageing": "aging", "behaviour": "behavior", "archaeology": "archeology"}


def _normalise_label(label: str) -> str:
    words = re.sub(r"\s+", " ", label).strip().casefold().split(" ")
    return " ".join(_SPELLINGS.get(word, word) for word in words)


@lru_cache(maxsize=1)
def _codes_by_label() -> dict[str, str]:
    """Normalised label → code; four-digit labels win over subject-area labels they share."""
    by_label = {}
    for entry in asjc_codes().values():
        by_label.setdefault(_normalise_label(entry.subject_area_label), entry.subject_area_code)
    for entry in asjc_codes().values():
        by_label[_normalise_label(entry.label)] = entry.code
    return by_label


@lru_cache(maxsize=1)
def _subject_area_codes() -> frozenset[str]:
    return frozenset(entry.subject_area_code for entry in asjc_codes().values())


def _label_candidates(label: str) -> list[str]:
    # Pure shows the xx00 codes as "Physics and Astronomy(all)"; the list calls them "General …".
    normalised = _normalise_label(label)
    bare = re.sub(r"\s*\(all\)$", "", normalised)
    if bare == normalised:
        return [normalised]
    return [f"general {bare}", bare]


def resolve_asjc(code: str | None, label: str | None) -> str | None:
    """The ASJC code (4 digits, or 2 for a subject area) by code first, else by label; None if unknown.

    `code` may also be Pure's URI for it (`/dk/atira/pure/subjectarea/asjc/3100`).
    """
    if code:
        code = code.strip().rsplit("/", 1)[-1]
        if code in asjc_codes() or code in _subject_area_codes():
            return code
    if label:
        for candidate in _label_candidates(label):
            if candidate in _codes_by_label():
                return _codes_by_label()[candidate]
    return None


# --- Pure research-output types -------------------------------------------------------------------

def read_pure_types(path: Path = PURE_TYPES_TSV) -> list[PureType]:
    """Rows of pure-types.tsv (comment lines start with #); raises SourceError naming the bad line."""
    types = []
    header_seen = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) != 4:
            raise SourceError(
                f"{path.name} line {number}: expected 4 tab-separated columns, got {len(cells)}")
        if not header_seen:
            if cells != ["key", "group", "label", "classes"]:
                raise SourceError(f"{path.name} line {number}: header must be key, group, label, classes")
            header_seen = True
            continue
        types.append(_pure_type(path.name, number, cells))
    return types


def _pure_type(source: str, number: int, cells: list[str]) -> PureType:
    key, group, label, classes = (cell.strip() for cell in cells)
    if not re.fullmatch(r"[a-z0-9_]+/[a-z0-9_]+", key):
        raise SourceError(f"{source} line {number}: key {key!r} is not 'group/type' in lower case")
    if not group or not label:
        raise SourceError(f"{source} line {number}: group and label must not be empty")
    curies = classes.split()
    if not curies or any(not curie.startswith("fabio:") for curie in curies):
        raise SourceError(f"{source} line {number}: classes must be fabio: names, got {classes!r}")
    return PureType(key, group, label, tuple(FABIO + curie.removeprefix("fabio:") for curie in curies))


@lru_cache(maxsize=1)
def pure_types() -> dict[str, PureType]:
    """Pure type key (`contributiontojournal/article`) → its group, label and FaBiO classes."""
    return {pure_type.key: pure_type for pure_type in read_pure_types()}


def _squash(text: str) -> str:
    # Portals glue label and value ("Contribution to journalArticle"); compare without separators.
    return re.sub(r"[\s›]+", "", text).casefold()


@lru_cache(maxsize=1)
def _keys_by_squashed_label() -> dict[str, str]:
    return {_squash(t.group + t.label): key for key, t in pure_types().items()}


def pure_type_by_portal_text(text: str) -> str | None:
    """The type key for "Contribution to journal › Article", its glued or tab-separated forms."""
    squashed = _squash(text).removeprefix("researchoutput:").removesuffix("peer-review")
    return _keys_by_squashed_label().get(squashed)


def pure_type_by_uri(uri: str) -> str | None:
    """The type key for Pure's type URI (`/dk/atira/pure/researchoutput/researchoutputtypes/…`)."""
    key = uri.strip().removeprefix(PURE_TYPE_URI_PREFIX)
    return key if key in pure_types() else None
