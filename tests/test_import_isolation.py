"""One bad record costs only itself, in every importer (graph/importers/__init__.py, `isolated`).

Two ways of proving it on real files:
- one record of a real file gets a field value hypothesis makes up (any text, JSON of any kind
  and depth, control characters), written as the format writes it; every other record must read
  exactly as before, and the mutated one must come back as a record or a rejection, never as an
  exception. The default run tries a few cases per format; `KGPUB_FUZZ_EXAMPLES=2000` many more.
- one record's reader is made to raise (as a bug provoked by input nobody foresaw would): that
  record is rejected, named by its own line or index, and the records after it are read.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import PURE_API, SHARED_DATA
from kgpub.graph import importers
from kgpub.graph.record import Record, UnreadableRecord

REAL = SHARED_DATA / "real"
EXAMPLES = int(os.environ.get("KGPUB_FUZZ_EXAMPLES", "25"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
RIS_FILES = [REAL / "ris" / "rispy" / "example_full.ris", REAL / "ris" / "rispy" / "example_multiline.ris",
             REAL / "ris" / "commonmeta" / "pure.ris", REAL / "ris" / "commonmeta" / "crossref.ris"]
BIBTEX_FILE = REAL / "bib" / "better-bibtex-import" / "BBT_does_not_import_groups_from_JabRef_5.1_1641.bib"
OC_META_FILE = REAL / "other" / "opencitations-meta" / "oc_meta-example_metadata.csv"

# Text as it could come in a field: anything but surrogates (not encodable) and, where the format
# is line-based or brace-delimited, what would end the field rather than be in it.
ANY_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=120)
ONE_LINE = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\n\r\x85\u2028\u2029"), max_size=120)
IN_BRACES = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="{}\n"), max_size=120)
DEEP = st.integers(min_value=2, max_value=400).map(lambda depth: json.loads("[" * depth + "]" * depth))
JSON_VALUES = st.one_of(DEEP, st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | ANY_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ANY_TEXT, inner, max_size=4), max_leaves=12))


def read(format_name: str, data: bytes, name: str) -> list:
    return list(importers.by_name(format_name).load().read(io.BytesIO(data), name))


def assert_only_one_changed(before: list, after: list, changed) -> None:
    """Every record but the one at `changed` (its line, or its index in a JSON array) reads as before."""
    assert len(after) == len(before), "a record was lost or appeared"
    where = lambda item: item.source.line or item.source.index
    old = {where(item): item for item in before}
    for item in after:
        if where(item) != changed:
            assert item == old[where(item)], f"the record at {where(item)} changed although only {changed} was"
    assert [isinstance(item, (Record, UnreadableRecord)) for item in after if where(item) == changed] == [True]


# --- JSON formats: one item's field replaced by any JSON value -------------------------------------

def json_documents():
    pure = [json.loads(path.read_text()) for path in sorted(PURE_API.glob("*.json"))]
    csl = json.loads((REAL / "csljson" / "commonmeta" / "csl-list.json").read_text())
    crossref = json.loads((REAL / "crossref" / "commonmeta" / "crossref-list.json").read_text())["items"]
    return {"pure-json": pure, "csl-json": csl, "crossref": crossref}


@pytest.mark.parametrize("format_name", ["pure-json", "csl-json", "crossref"])
@FUZZ
@given(data=st.data())
def test_any_json_in_one_item_costs_only_that_item(format_name, data):
    items = json_documents()[format_name]
    before = read(format_name, json.dumps(items).encode(), "items.json")
    changed = data.draw(st.integers(0, len(items) - 1), label="item")
    key = data.draw(st.sampled_from(sorted(items[changed])), label="key")
    mutated = [dict(item) for item in items]
    mutated[changed][key] = data.draw(JSON_VALUES, label="value")
    after = read(format_name, json.dumps(mutated).encode(), "items.json")
    assert_only_one_changed(before, after, changed)


# --- OpenCitations Meta CSV: one cell replaced by any text -----------------------------------------

@FUZZ
@given(data=st.data())
def test_any_text_in_one_csv_cell_costs_only_that_row(data):
    rows = list(csv.reader(io.StringIO(OC_META_FILE.read_text(encoding="utf-8"))))
    before = read("oc-meta", OC_META_FILE.read_bytes(), "meta.csv")
    changed = data.draw(st.integers(1, len(rows) - 1), label="row")
    column = data.draw(st.integers(0, len(rows[0]) - 1), label="column")
    value = data.draw(st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\n\x00"), max_size=120))
    rows[changed][column] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    assert_only_one_changed(before, read("oc-meta", out.getvalue().encode(), "meta.csv"), changed + 1)


def test_a_carriage_return_inside_an_unquoted_cell_costs_nothing():
    text = OC_META_FILE.read_text(encoding="utf-8").splitlines(keepends=True)
    before = read("oc-meta", "".join(text).encode(), "meta.csv")
    text[2] = text[2].replace(" ", " \r", 1)  # an old Mac line end pasted into a title
    after = read("oc-meta", "".join(text).encode(), "meta.csv")
    assert len(after) == len(before)
    assert [r.title for r in after if r is not after[1]] == [r.title for r in before if r is not before[1]]


# --- RIS: one tag line of one record replaced --------------------------------------------------------

def ris_text() -> str:
    return "\n".join(path.read_text(encoding="utf-8-sig").strip() for path in RIS_FILES) + "\n"


@FUZZ
@given(data=st.data())
def test_any_value_on_one_ris_line_costs_only_that_record(data):
    text = ris_text()
    before = read("ris", text.encode(), "all.ris")
    lines = text.split("\n")
    starts = [i for i, line in enumerate(lines) if line.startswith("TY  -")]
    changed = data.draw(st.integers(0, len(starts) - 1), label="record")
    end = starts[changed + 1] if changed + 1 < len(starts) else len(lines)
    tag_lines = [i for i in range(starts[changed] + 1, end) if re.match(r"[A-Z][A-Z0-9]  -", lines[i])
                 and not lines[i].startswith("ER")]
    line = data.draw(st.sampled_from(tag_lines), label="line")
    tag = data.draw(st.sampled_from(["TI", "AU", "PY", "DO", "SP", "EP", "SN", "JO", "KW", "N2", "XX", "DO "]))
    lines[line] = f"{tag}  - {data.draw(ONE_LINE, label='value')}".rstrip() if tag.strip() == tag else tag
    assert_only_one_changed(before, read("ris", "\n".join(lines).encode(), "all.ris"), starts[changed] + 1)


def test_a_tag_without_its_dash_costs_only_its_record():
    """issue 11: `DO ` alone raised TypeError and the good records after it were never read."""
    text = "TY  - JOUR\nDO \nER  - \n" + ris_text()
    found = read("ris", text.encode(), "all.ris")
    assert len(found) == len(read("ris", ris_text().encode(), "all.ris")) + 1
    assert found[0].source.line == 1 and all(isinstance(r, Record) for r in found[1:])


# --- BibTeX: a field inserted into one entry --------------------------------------------------------

@FUZZ
@given(data=st.data())
def test_any_text_in_one_bibtex_field_costs_only_that_entry(data):
    text = BIBTEX_FILE.read_text(encoding="utf-8")
    before = read("bibtex", text.encode(), "lib.bib")
    parents = {key.strip().lower() for key in re.findall(r"crossref\s*=\s*\{([^}]*)\}", text, re.I)}
    entries = [m.end() for m in re.finditer(r"^@(?!comment|string|preamble)\w+\{([^,\n]+),", text, re.M | re.I)
               if m.group(1).strip().lower() not in parents]  # a crossref parent's fields are its children's
    changed = data.draw(st.integers(0, len(entries) - 1), label="entry")
    name = data.draw(st.sampled_from(["title", "author", "year", "pages", "doi", "journal", "note", "month"]))
    field = f" {name} = {{{data.draw(IN_BRACES, label='value')}}},"
    at = entries[changed]
    if f"\n  {name} " in text[at:entries[changed + 1] if changed + 1 < len(entries) else len(text)]:
        field = f" x{name} = {{{data.draw(IN_BRACES)}}},"  # a field the entry has twice would warn
    after = read("bibtex", (text[:at] + field + text[at:]).encode(), "lib.bib")
    assert_only_one_changed(before, after, text.count("\n", 0, at) + 1)


# --- a reader that raises costs one record, in every importer ----------------------------------------

RAISING = {  # format: (module, the function that reads one record, a real file with several records)
    "pure-json": ("pure_json", "_research_output", None),
    "csl-json": ("csl_json", "_record_of_item", REAL / "csljson" / "commonmeta" / "csl-list.json"),
    "crossref": ("crossref", "_record_of_work", REAL / "crossref" / "commonmeta" / "crossref-list.json"),
    "oc-meta": ("oc_meta", "_record_of_row", OC_META_FILE),
    "ris": ("ris", "_record_of_chunk", None),
    "bibtex": ("bibtex", "_read_fields", BIBTEX_FILE),
}


@pytest.mark.parametrize("format_name", sorted(RAISING))
def test_a_record_whose_reader_raises_is_rejected_and_the_rest_are_read(format_name, monkeypatch):
    module_name, function, path = RAISING[format_name]
    data = {"pure-json": lambda: json.dumps(json_documents()["pure-json"]).encode(),
            "ris": lambda: ris_text().encode()}.get(format_name, lambda: Path(path).read_bytes())()
    before = read(format_name, data, "file")
    module = importers.by_name(format_name).load()
    reader = getattr(module, function)
    calls = []

    def raising_on_the_second(*args):
        calls.append(1)
        if len(calls) == 2:
            raise ZeroDivisionError("division by zero")
        return reader(*args)

    monkeypatch.setattr(module, function, raising_on_the_second)
    after = read(format_name, data, "file")
    assert len(after) == len(before)
    rejected = [item for item in after if isinstance(item, UnreadableRecord)
                and "could not be read (ZeroDivisionError" in item.problems[0].message]
    assert len(rejected) == 1 and rejected[0].source == before[1].source
    assert [item for item in after if item is not rejected[0]] == [item for item in before if item is not before[1]]
