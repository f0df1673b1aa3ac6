"""The stored journals a librarian should look at (`kgpub journals`).

Ingest merges a journal with a stored one only when it is sure (graph/journals.py). What it is not
sure of is listed here, from what is stored, on any backend:
- suspected duplicates: several journals that share a name (a title or its ISO 4 abbreviation), kept
  apart because their ISSNs differ (a print and an online ISSN, two eras of one title, or two
  journals of one abbreviation: "Ann. Phys.") or because a title named them about equally;
- mixed titles: one journal whose records give titles that name different journals, most often an
  ISSN copied into the wrong records of a source.
"""
from __future__ import annotations

import collections
from dataclasses import dataclass, field

from kgpub.graph.journal_names import name_keys
from kgpub.graph.linked_groups import linked_groups
from kgpub.graph.namespaces import DATACITE, DCTERMS, FABIO, LITERAL
from kgpub.graph.store import Store


@dataclass
class StoredJournal:
    iri: str
    titles: collections.Counter = field(default_factory=collections.Counter)  # title -> records giving it
    issns: set[str] = field(default_factory=set)

    @property
    def records(self) -> int:
        return sum(self.titles.values())

    @property
    def title(self) -> str:
        """The title most of its records give."""
        return self.titles.most_common(1)[0][0] if self.titles else self.iri

    def as_dict(self) -> dict:
        return {"iri": self.iri, "title": self.title, "records": self.records, "issns": sorted(self.issns),
                "titles": dict(self.titles.most_common())}


def stored_journals(store: Store) -> list[StoredJournal]:
    """Every journal, with the titles its records give it and its ISSNs: two queries."""
    journals: dict[str, StoredJournal] = {}
    for row in store.query(f"SELECT ?j ?t (COUNT(DISTINCT ?g) AS ?n) WHERE {{ GRAPH ?g {{ ?j a {FABIO.Journal} "
                           f"OPTIONAL {{ ?j {DCTERMS.title} ?t }} }} }} GROUP BY ?j ?t"):
        journal = journals.setdefault(row["j"].value, StoredJournal(row["j"].value))
        journal.titles[row["t"].value if row["t"] is not None else ""] += int(row["n"].value)
    for row in store.query(f"SELECT DISTINCT ?j ?v WHERE {{ GRAPH ?g {{ ?j a {FABIO.Journal} ; "
                           f"{DATACITE.hasIdentifier} ?i . ?i {LITERAL.hasLiteralValue} ?v }} }}"):
        if row["j"].value in journals:
            journals[row["j"].value].issns.add(row["v"].value)
    return sorted(journals.values(), key=lambda j: (-j.records, j.iri))


def suspected_duplicates(journals: list[StoredJournal]) -> list[list[StoredJournal]]:
    """Groups of journals that share a name, the largest first (each group joined through any
    name its members share: "Physical Review B" ~ "Phys. Rev. B" ~ "Phys. Rev. B")."""
    found = linked_groups(journals, main_names)
    return sorted(found, key=lambda members: (-sum(j.records for j in members), members[0].iri))


def main_names(journal: StoredJournal) -> set[str]:
    """The names most of its records give it: a title one record of a mixed journal gives (a wrong
    ISSN, most often) does not make the journal a suspect duplicate of that title's journal."""
    def weight(names: set[str]) -> tuple[int, list[str]]:  # names alike in records: the same one every time
        return sum(n for t, n in journal.titles.items() if set(name_keys(t)) & names), sorted(names)

    return max(name_sets(journal), key=weight, default=set())


def mixed_titles(journals: list[StoredJournal]) -> list[StoredJournal]:
    """Journals whose records give titles sharing no name: "Nano Lett." and "Appl. Phys. Lett."."""
    return [j for j in journals if len(name_sets(j)) > 1]


def name_sets(journal: StoredJournal) -> list[set[str]]:
    """The journal's titles' names, in sets of titles that share a name."""
    sets: list[set[str]] = []
    for title in journal.titles:
        names = set(name_keys(title))
        if not names:
            continue
        overlapping = [s for s in sets if s & names]
        for s in overlapping:
            sets.remove(s)
            names |= s
        sets.append(names)
    return sets
