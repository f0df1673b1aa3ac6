"""Which journal a record's journal is: one journal per journal, whatever the sources call it.

A journal is known by its ISSNs (either one: print or electronic) and by its names: the title and
its ISO 4 abbreviation, normalised (graph/journal_names.py). Each record graph writes its journal's
names (`kgv:nameKey`), so the store can be asked.

A record's journal is, in this order:
1. the stored journal that has one of its ISSNs (a right check digit only: graph/identifiers.py);
2. the stored journal its names name. With ISSNs of its own, only a journal without ISSNs is taken
   (two ISSNs under one name may be two journals: the print and online ISSNs, or the eras, of one
   title, or two journals of one abbreviation; `kgpub journals` lists them, nothing merges them).
   When the names name several journals, the one most records give that name to is taken if it
   has at least twice as many as the next; else the match is ambiguous: warned, and not merged;
3. else a journal of its own (graph/keys.journal_key: by ISSN, Pure UUID or title).
"""
from __future__ import annotations

import collections
from dataclasses import dataclass, field
from typing import Iterable

from kgpub.graph import iris, keys
from kgpub.graph.journal_names import Claim, claims, issns, name_keys
from kgpub.graph.record import Journal, Record
from kgpub.graph.store import Store

DOMINANCE = 2  # a name joins the journal most records give it to when that has this many times the next


@dataclass
class JournalIndex:
    """The journals a run knows: what the store says (asked once per claim) plus what the run adds.
    `known[claim]` counts records per journal key; `with_issn` is the keys known to have an ISSN."""

    store: Store | None  # None when validating only
    base: str
    known: dict[Claim, collections.Counter] = field(default_factory=dict)
    with_issn: set[str] = field(default_factory=set)

    def keys_for(self, records: Iterable[Record]) -> list[str | None]:
        """Each record's journal key (None without a journal); ambiguous names are warned."""
        records = list(records)
        self.look_up({c for r in records if r.journal for c in claims(r.journal)})
        return [self.key_of(record) if record.journal else None for record in records]

    def look_up(self, wanted: set[Claim]) -> None:
        new = wanted - self.known.keys()
        if not new:
            return
        found = self.store.find_journals(new) if self.store is not None else {}
        for claim in new:
            self.known[claim] = collections.Counter(found.get(claim, {}))
            if claim[0] == "issn":
                self.with_issn.update(self.known[claim])
        named = {k for c in new if c[0] == "name" for k in self.known[c]} - self.with_issn
        if named:
            journals = self.store.journals_with_issn(iris.thing(self.base, "journal", k) for k in named)
            self.with_issn.update(iris.journal_key(j.value) for j in journals)

    def key_of(self, record: Record) -> str:
        journal = record.journal
        key = self.by_issn(journal) or self.by_name(record) or keys.journal_key(journal)
        self.learn(key, journal)
        return key

    def by_issn(self, journal: Journal) -> str | None:
        return next((self.known[("issn", v)].most_common(1)[0][0] for v in issns(journal)
                     if self.known[("issn", v)]), None)

    def by_name(self, record: Record) -> str | None:
        journal = record.journal
        votes = collections.Counter()
        for name in name_keys(journal.title):
            votes.update(self.known[("name", name)])
        if issns(journal):  # a journal with other ISSNs is another journal, or the same: not told here
            votes = collections.Counter({k: n for k, n in votes.items() if k not in self.with_issn})
        ranked = votes.most_common(2)
        if len(ranked) == 2 and ranked[0][1] < DOMINANCE * ranked[1][1]:
            record.add_problem("journal", f"the journal title {journal.title!r} names several stored journals "
                                          f"about equally ({', '.join(k for k, _ in ranked)}): not matched by its "
                                          "title; see `kgpub journals`", "warning")
            return None
        return ranked[0][0] if ranked else None

    def learn(self, key: str, journal: Journal) -> None:
        for claim in claims(journal):
            self.known.setdefault(claim, collections.Counter())[key] += 1
        if issns(journal):
            self.with_issn.add(key)
