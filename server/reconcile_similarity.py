"""How alike two names are, 0–100, for the reconciliation service: titles, people's names, and the
labels of journals and subjects. rapidfuzz computes the edit distances; this module decides what
is compared with what.

Both sides are normalised first as record keys are (graph/keys.py: case, accents, punctuation and
spacing removed), so "LAW ENFORCEMENT, Russia!" and "Law enforcement in Russia" differ by one word.
"""
from __future__ import annotations

import re

from rapidfuzz import fuzz

from kgpub.graph.keys import normalise

SUBTITLE = re.compile(r"\s*[:?]\s+|\s+[-–—]\s+")  # where a subtitle starts ("." ends "U.S." too)
# A query that omits the stored title's subtitle scores a little under the full title, so that a
# record whose whole title is what was asked ranks above one whose main title only is.
MAIN_TITLE_ONLY = 2.0
PART_OF_LABEL = 0.9
# "L. Wadsö" for "Lars Wadsö": as good as a small typo; a name with a part missing ("Wadsö"), less.
INITIALS_SCORE, PARTIAL_NAME_SCORE = 90.0, 80.0


def comparable(text: str) -> str:
    """Normalised, "&" read as "and" ("Biodeterioration & Biodegradation")."""
    return normalise(text.replace("&", " and "))


def title_similarity(query: str, title: str | None) -> float:
    """The query against the whole title, or against its main title (before a subtitle)."""
    if not title:
        return 0.0
    asked = comparable(query)
    whole = fuzz.ratio(asked, comparable(title))
    main = main_title(title)
    if main is None:
        return whole
    return max(whole, fuzz.ratio(asked, comparable(main)) - MAIN_TITLE_ONLY)


def main_title(title: str) -> str | None:
    """"Law enforcement: a case study" -> "Law enforcement"; None when there is no subtitle."""
    parts = SUBTITLE.split(title, maxsplit=1)
    return parts[0] if len(parts) == 2 and normalise(parts[0]) else None


def label_similarity(query: str, label: str | None) -> float:
    """A journal title or subject label: the whole of it; or, for a query shorter than the label,
    the part of the label it is closest to, at PART_OF_LABEL ("Sociology" for "Sociology and
    Political Science"). A label that is only part of the query gets no such credit ("Development"
    for "Geography, Planning and Development")."""
    if not label:
        return 0.0
    asked, known = comparable(query), comparable(label)
    whole = fuzz.ratio(asked, known)
    return max(whole, fuzz.partial_ratio(asked, known) * PART_OF_LABEL) if len(asked) < len(known) else whole


def person_similarity(query: str, name: str | None) -> float:
    """Names in any order ("Wadsö, Lars" is "Lars Wadsö"), with initials for given names."""
    if not name:
        return 0.0
    asked, known = name_parts(query), name_parts(name)
    best = fuzz.token_sort_ratio(" ".join(asked), " ".join(known))
    if parts_agree(asked, known) or parts_agree(known, asked):
        best = max(best, INITIALS_SCORE if len(asked) == len(known) else PARTIAL_NAME_SCORE)
    return best


def name_parts(name: str) -> list[str]:
    # "J.-P. Sartre": the initials of a hyphenated given name count as two.
    return normalise(name.replace("-", " ")).split()


def parts_agree(short: list[str], long: list[str]) -> bool:
    """Every part of the shorter name is a part of the longer one, or the initial of one, and at
    least one part longer than an initial (a family name) is the same in both."""
    if not short or len(short) > len(long):
        return False
    remaining, whole_word = list(long), False
    for part in sorted(short, key=len, reverse=True):  # whole words first, so initials take what is left
        same = next((p for p in remaining if p == part), None)
        if same is not None:
            whole_word |= len(part) > 1
        else:
            same = next((p for p in remaining if (len(part) == 1 or len(p) == 1) and p[0] == part[0]), None)
        if same is None:
            return False
        remaining.remove(same)
    return whole_word
