"""BibTeX, RIS and CSL-JSON files from CSL-JSON items (csl.py): the "Cite this" downloads and
`kgpub export` for reference managers. BibTeX is written by bibtexparser, RIS by rispy."""
from __future__ import annotations

import json
import re
import unicodedata
from typing import Iterable

import bibtexparser
import rispy
from bibtexparser.library import Library
from bibtexparser.model import Entry, Field

from kgpub.graph.csl import DEFAULT_CSL_TYPE, check_item

BIBTEX_TYPES = {
    "article-journal": "article", "article-magazine": "article", "chapter": "incollection",
    "paper-conference": "inproceedings", "book": "book", "report": "techreport",
    "entry-encyclopedia": "incollection",
}
RIS_TYPES = {
    "article-journal": "JOUR", "article-magazine": "MGZN", "chapter": "CHAP",
    "paper-conference": "CONF", "thesis": "THES", "book": "BOOK", "report": "RPRT",
    "entry-encyclopedia": "ENCYC", "software": "COMP", "webpage": "ELEC", "patent": "PAT",
    "speech": "SLIDE", "article": "GEN",
}
# Words a citation key skips: "A microcalorimetric method" -> "...Microcalorimetric".
KEY_STOPWORDS = {"a", "an", "the", "on", "of", "in", "and", "for", "to"}
# Fields BibTeX tools read verbatim: never LaTeX-escaped.
VERBATIM_BIBTEX_FIELDS = {"doi", "url"}


def to_bibtex(items: Iterable[dict], used_keys: set[str] | None = None) -> str:
    """A BibTeX file (UTF-8, names and titles as they are) with one entry per item; keys unique
    within it, and against used_keys when a file is written in parts (exports.py)."""
    entries, used_keys = [], used_keys if used_keys is not None else set()
    for item in items:
        check_item(item)
        key = unique_key(citation_key(item), used_keys)
        fields = [Field(name, value if name in VERBATIM_BIBTEX_FIELDS else latex_escape(value))
                  for name, value in bibtex_fields(item)]
        entries.append(Entry(bibtex_type(item), key, fields))
    return bibtexparser.write_string(Library(entries))


def bibtex_type(item: dict) -> str:
    if item.get("type") == "thesis":
        return "mastersthesis" if "master" in item.get("genre", "").lower() else "phdthesis"
    return BIBTEX_TYPES.get(item.get("type", ""), "misc")


def bibtex_fields(item: dict) -> list[tuple[str, str]]:
    kind = item.get("type")
    container = {"article-journal": "journal", "article-magazine": "journal"}.get(kind, "booktitle")
    publisher = {"thesis": "school", "report": "institution"}.get(kind, "publisher")
    parts = (item.get("issued") or {}).get("date-parts") or [[]]
    fields = [
        ("author", bibtex_names(item.get("author"))),
        ("editor", bibtex_names(item.get("editor"))),
        ("title", item.get("title")),
        (container, item.get("container-title")),
        ("series", item.get("collection-title")),
        ("volume", item.get("volume")),
        ("number", item.get("issue")),
        ("eid", item.get("number")),
        ("pages", re.sub(r"\s*[-–]+\s*", "--", item.get("page") or "") or None),
        ("year", str(parts[0][0]) if parts[0] else None),
        ("month", str(parts[0][1]) if len(parts[0]) > 1 else None),
        (publisher, item.get("publisher")),
        ("type", item.get("genre") if kind == "thesis" else None),
        ("doi", item.get("DOI")),
        ("issn", item.get("ISSN")),
        ("isbn", item.get("ISBN")),
        ("url", item.get("URL")),
        ("keywords", item.get("keyword")),
        ("abstract", item.get("abstract")),
        ("language", item.get("language")),
    ]
    return [(name, str(value)) for name, value in fields if value]


def bibtex_names(names: list[dict] | None) -> str | None:
    """"Family, Given and Family, Given"; a literal name ("Eva de Vries") as BibTeX splits it."""
    return " and ".join(filter(None, (ris_name(name) for name in names or []))) or None


def latex_escape(value: str) -> str:
    """Characters LaTeX would misread; braces are dropped because one unbalanced brace breaks the file."""
    value = value.replace("\\", "/").replace("{", "").replace("}", "")
    return re.sub(r"([&%$#_])", r"\\\1", value)


def citation_key(item: dict) -> str:
    """Lastname + year + first significant title word, ASCII: `Markova1998Microcalorimetric`."""
    authors = item.get("author") or item.get("editor") or [{}]
    family = authors[0].get("family") or (authors[0].get("literal") or "").split(" ")[-1]
    parts = (item.get("issued") or {}).get("date-parts") or [[]]
    year = str(parts[0][0]) if parts[0] else ""
    words = [word for word in re.findall(r"\w+", ascii_text(item.get("title") or ""))
             if word.lower() not in KEY_STOPWORDS]
    first_word = words[0].capitalize() if words else ""
    key = re.sub(r"[^A-Za-z0-9]", "", ascii_text(family)) + year + first_word
    return key or "item"


def ascii_text(value: str) -> str:
    return unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")


def unique_key(key: str, used: set[str]) -> str:
    """Two items with the same author, year and first word get `…a`, `…b` (as BibTeX users do)."""
    candidate, n = key, 0
    while candidate in used:
        candidate = key + chr(ord("a") + n % 26) + ("" if n < 26 else str(n // 26))
        n += 1
    used.add(candidate)
    return candidate


class UnnumberedRisWriter(rispy.RisWriter):
    """rispy's writer without the "1." line it puts before each reference (not part of RIS)."""

    def set_header(self, count: int) -> str:
        return ""


def to_ris(items: Iterable[dict]) -> str:
    """An RIS file with one reference per item."""
    return rispy.dumps([ris_entry(item) for item in items], implementation=UnnumberedRisWriter)


def ris_entry(item: dict) -> dict:
    check_item(item)
    kind = item.get("type", DEFAULT_CSL_TYPE)
    parts = ((item.get("issued") or {}).get("date-parts") or [[]])[0]
    start, _, end = (item.get("page") or "").replace("–", "-").partition("-")
    entry = {
        "type_of_reference": RIS_TYPES.get(kind, "GEN"),
        "authors": [ris_name(n) for n in item.get("author") or [] if ris_name(n)],
        "secondary_authors": [ris_name(n) for n in item.get("editor") or [] if ris_name(n)],
        "primary_title": item.get("title"),
        "journal_name" if kind.startswith("article-") else "secondary_title": item.get("container-title"),
        "tertiary_title": item.get("collection-title"),
        "volume": item.get("volume"),
        "number": item.get("issue") or (item.get("number") if kind != "article-journal" else None),
        # An article number stands where pages would (as Zotero and publishers write RIS).
        "start_page": start or (item.get("number") if kind == "article-journal" else None),
        "end_page": end or None,
        "year": str(parts[0]) if parts else None,
        "date": "/".join(f"{p:02d}" for p in parts) if len(parts) > 1 else None,
        "publisher": item.get("publisher"),
        "type_of_work": item.get("genre"),
        "doi": item.get("DOI"),
        "issn": item.get("ISSN") or item.get("ISBN"),
        "urls": [item["URL"]] if item.get("URL") else [],
        "keywords": [k.strip() for k in (item.get("keyword") or "").split(",") if k.strip()],
        "abstract": item.get("abstract"),
        "language": item.get("language"),
    }
    return {key: value for key, value in entry.items() if value}


def ris_name(name: dict) -> str:
    """"Family, Given", or the literal name as the source gave it."""
    if not isinstance(name, dict):
        return ""
    if name.get("literal"):
        return name["literal"]
    return ", ".join(filter(None, (name.get("family"), name.get("given"))))


def to_csl_json(items: Iterable[dict]) -> str:
    """A CSL-JSON array (UTF-8 kept, not \\u-escaped)."""
    return json.dumps(list(items), ensure_ascii=False, indent=2)
