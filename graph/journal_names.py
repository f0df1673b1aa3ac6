"""What a journal is called, normalised: the names by which records find one journal (graph/journals.py).

A journal is named by its title normalised (keys.normalise) and by the title's ISO 4 abbreviation
normalised (pyiso4, from the ISSN Centre's List of Title Word Abbreviations), so that "Applied
Physics Letters" and "Appl. Phys. Lett." share `appl phys lett`; and by its ISSNs with a right check
digit (graph/identifiers.py).
"""
from __future__ import annotations

import functools

from kgpub.graph import keys
from kgpub.graph.identifiers import valid_issn
from kgpub.graph.record import Journal

Claim = tuple[str, str]  # ("issn", "0003-6951") or ("name", "appl phys lett")


@functools.cache
def _abbreviator():
    from pyiso4.ltwa import Abbreviate  # reads the 1.3 MB LTWA once, when a journal is first matched
    return Abbreviate.create()


def iso4_abbreviation(title: str) -> str | None:
    """"Journal of Applied Physics" -> "J. Appl. Phys."; None for a title already abbreviated
    (it has full stops) or one pyiso4 cannot read (it fails on some: "IEEE Expert")."""
    if "." in title:
        return None
    try:
        return _abbreviator()(title, remove_part=False)
    except Exception:  # pyiso4 has index errors on some titles; the normalised title still names it
        return None


@functools.lru_cache(maxsize=65536)  # a store has few journals, named over and over
def name_keys(title: str | None) -> tuple[str, ...]:
    """The normalised title and its normalised ISO 4 abbreviation. An abbreviation that lost a
    one-letter word is not used: pyiso4 drops "E" ("Physical Review E" -> "Phys. Rev.")."""
    if not title or not keys.normalise(title):
        return ()
    names = [keys.normalise(title)]
    abbreviation = keys.normalise(iso4_abbreviation(title) or "")
    letters = [w for w in names[0].split() if len(w) == 1]
    if abbreviation and abbreviation != names[0] and all(w in abbreviation.split() for w in letters):
        names.append(abbreviation)
    return tuple(names)


def issns(journal: Journal) -> list[str]:
    return [value.upper() for value in (journal.issn, journal.eissn) if valid_issn(value)]


def claims(journal: Journal) -> list[Claim]:
    return [("issn", v) for v in issns(journal)] + [("name", k) for k in name_keys(journal.title)]
