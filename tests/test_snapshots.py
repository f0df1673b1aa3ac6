"""Readers follow the writer through snapshots (graph/store/snapshots.py)."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest
from pyoxigraph import Literal, NamedNode, Triple

from kgpub.graph.namespaces import DCTERMS
from kgpub.graph.search import SearchError
from kgpub.graph.store.oxigraph import OxigraphStore, SnapshotStore
from kgpub.graph.store.snapshots import snapshot_root

BASE = "https://data.example.edu/"


def record(key: str, title: str) -> tuple[NamedNode, list[Triple]]:
    thing = NamedNode(f"{BASE}id/output/{key}")
    return NamedNode(f"{BASE}graph/output/{key}"), [Triple(thing, DCTERMS.title, Literal(title))]


def titles(store) -> set[str]:
    return titles_in(store.triples(None, DCTERMS.title))


def test_a_reader_sees_each_commit_at_its_next_refresh(tmp_path):
    writer = OxigraphStore(tmp_path / "store")
    reader = SnapshotStore(tmp_path / "store")
    assert titles(reader) == set()
    writer.write_graphs(dict([record("a", "First")]))
    assert titles(reader) == set(), "a snapshot never changes under a reader"
    reader.refresh()
    assert titles(reader) == {"First"}
    writer.remove_graphs([record("a", "First")[0]])
    reader.refresh()
    assert titles(reader) == set()
    reader.close()
    writer.close()


def test_a_reader_moves_on_when_current_comes_back_with_the_same_inode_and_mtime(tmp_path):
    """A file system reuses the inode number of a replaced CURRENT, and with 1 s timestamps (small
    ext4) the next publish can carry the same mtime: the stat is unchanged, the name is not. This
    failed in CI; here the reuse is made certain by keeping the old inode alive with a hard link."""
    writer = OxigraphStore(tmp_path / "store")
    writer.write_graphs(dict([record("a", "First")]))
    reader = SnapshotStore(tmp_path / "store")
    pointer = snapshot_root(tmp_path / "store") / "CURRENT"
    old_inode = tmp_path / "old-current"
    os.link(pointer, old_inode)
    seen = pointer.stat()
    writer.write_graphs(dict([record("b", "Second")]))
    old_inode.write_text(pointer.read_text())  # the new name, in the old inode
    os.utime(old_inode, ns=(seen.st_atime_ns, seen.st_mtime_ns))
    os.replace(old_inode, pointer)
    assert (pointer.stat().st_ino, pointer.stat().st_mtime_ns) == (seen.st_ino, seen.st_mtime_ns)
    reader.refresh()
    assert titles(reader) == {"First", "Second"}
    reader.close()
    writer.close()


def test_a_reader_in_another_process_while_the_writer_holds_the_store(tmp_path):
    writer = OxigraphStore(tmp_path / "store")
    writer.write_graphs(dict([record("a", "Written while open")]))
    script = ("import sys; from kgpub.graph.store.oxigraph import SnapshotStore; "
              "from kgpub.graph.namespaces import DCTERMS; s = SnapshotStore(sys.argv[1]); "
              "print(sorted(t.object.value for t in s.triples(None, DCTERMS.title)))")
    out = subprocess.run([sys.executable, "-c", script, str(tmp_path / "store")], capture_output=True, text=True)
    assert out.stdout.strip() == "['Written while open']", out.stderr
    writer.close()


def test_old_snapshots_are_deleted_unless_a_reader_holds_them(tmp_path):
    writer = OxigraphStore(tmp_path / "store")
    reader = SnapshotStore(tmp_path / "store")
    held = reader.snapshot
    for n in range(5):
        writer.write_graphs(dict([record(str(n), f"Title {n}")]))
    names = {p.name for p in snapshot_root(tmp_path / "store").iterdir() if p.is_dir()}
    assert held in names, "the snapshot a reader uses stays"
    assert len(names) == 2, "every other superseded snapshot is gone"
    reader.refresh()
    writer.write_graphs(dict([record("x", "One more")]))
    names = {p.name for p in snapshot_root(tmp_path / "store").iterdir() if p.is_dir()}
    assert held not in names and reader.snapshot in names
    reader.close()
    writer.close()


def test_readers_of_one_process_share_each_snapshot_and_keep_the_one_still_held(tmp_path):
    """One open database per snapshot per process (each costs ~30 MB of caches), not per thread;
    a snapshot another reader still holds stays open and on disk after the rest move on."""
    writer = OxigraphStore(tmp_path / "store")
    writer.write_graphs(dict([record("a", "First")]))
    first, second = SnapshotStore(tmp_path / "store"), SnapshotStore(tmp_path / "store")
    assert first.db is second.db and first.search is second.search and first.copies is second.copies
    old = first.snapshot
    writer.write_graphs(dict([record("b", "Second")]))
    second.refresh()
    assert second.snapshot != old and first.snapshot == old
    writer.write_graphs(dict([record("c", "Third")]))  # publishing deletes what no reader holds
    assert titles(first) == {"First"}, "the old snapshot still reads for the reader on it"
    assert (snapshot_root(tmp_path / "store") / old).is_dir()
    first.refresh()
    second.refresh()
    assert first.db is second.db and titles(first) == {"First", "Second", "Third"}
    writer.write_graphs(dict([record("d", "Fourth")]))
    assert not (snapshot_root(tmp_path / "store") / old).exists(), "let go by both, so deleted"
    first.close()
    second.close()
    writer.close()


def test_a_reader_that_fails_to_open_lets_go_of_its_snapshot(tmp_path):
    """A reader whose side files cannot be opened holds nothing: the snapshot is deleted at the next publish."""
    writer = OxigraphStore(tmp_path / "store")
    writer.write_graphs(dict([record("a", "First")]))
    held = (snapshot_root(tmp_path / "store") / "CURRENT").read_text()
    search = tmp_path / "store" / "kgpub" / "search.sqlite"
    search.rename(tmp_path / "away.sqlite")
    with pytest.raises(SearchError):
        SnapshotStore(tmp_path / "store")
    (tmp_path / "away.sqlite").rename(search)
    writer.write_graphs(dict([record("b", "Second")]))
    assert not (snapshot_root(tmp_path / "store") / held).exists()
    writer.close()


def test_writes_stamp_each_graph_with_its_time(tmp_path):
    writer = OxigraphStore(tmp_path / "store")
    graph, triples = record("a", "Stamped")
    writer.write_graphs({graph: triples})
    stamps = [t.object for t in writer.graph_triples(graph) if t.subject == graph and t.predicate == DCTERMS.modified]
    assert len(stamps) == 1 and stamps[0].datatype.value.endswith("#dateTime")
    assert dt.datetime.fromisoformat(stamps[0].value).tzinfo is not None
    writer.close()


def test_the_search_index_is_rebuilt_when_missing(tmp_path):
    writer = OxigraphStore(tmp_path / "store")
    writer.write_graphs(dict([record("a", "Searchable title")]))
    writer.close()
    (tmp_path / "store" / "kgpub" / "search.sqlite").unlink()
    writer = OxigraphStore(tmp_path / "store")
    assert writer.search.search("searchable").total == 1
    writer.close()


def mapped_record(key: str, title: str) -> tuple[NamedNode, list[Triple]]:
    """A record graph as the mapping writes it: with its content digest."""
    from kgpub.graph.mapping import with_digest

    graph, triples = record(key, title)
    return graph, with_digest(graph, triples)


def test_readers_take_a_record_from_its_copy_only_when_it_is_their_snapshots_version(tmp_path):
    from kgpub.graph.store.record_copies import RecordCopies

    writer = OxigraphStore(tmp_path / "store")
    graph, triples = mapped_record("a", "Stored title")
    writer.write_graphs({graph: triples})
    reader = SnapshotStore(tmp_path / "store")
    assert "Stored title" in titles_in(reader.graph_triples(graph))

    # A copy with the snapshot's digest is what the reader serves (no store read)...
    copies = RecordCopies(tmp_path / "store" / "kgpub" / "records.sqlite")
    same_digest = [Triple(t.subject, t.predicate, Literal("From the copy")) if t.predicate == DCTERMS.title else t
                   for t in triples]
    copies.update({graph: same_digest})
    assert titles_in(reader.graph_triples(graph)) == {"From the copy"}
    # ...a copy of another version is not.
    copies.update(dict([mapped_record("a", "Another version")]))
    assert titles_in(reader.graph_triples(graph)) == {"Stored title"}
    copies.remove([graph])
    assert titles_in(reader.graph_triples(graph)) == {"Stored title"}
    copies.close()
    reader.close()
    writer.close()


def test_copies_follow_writes_and_removals(tmp_path):
    writer = OxigraphStore(tmp_path / "store")
    graph, triples = mapped_record("a", "First")
    writer.write_graphs({graph: triples})
    digest, copied = writer.copies.get(graph)
    assert titles_in(copied) == {"First"} and digest == triples[-1].object.value
    writer.remove_graphs([graph])
    assert writer.copies.get(graph) is None
    writer.close()


def titles_in(triples) -> set[str]:
    return {t.object.value for t in triples if t.predicate == DCTERMS.title}


def test_optimizing_keeps_everything_and_publishes_a_snapshot(tmp_path):
    writer = OxigraphStore(tmp_path / "store")
    for n in range(3):
        writer.write_graphs(dict([record(str(n), f"Title {n}")]))
    reader = SnapshotStore(tmp_path / "store")
    before = reader.snapshot
    writer.optimize()
    reader.refresh()
    assert reader.snapshot != before
    assert titles(reader) == {"Title 0", "Title 1", "Title 2"}
    reader.close()
    writer.close()


def test_a_removal_cut_short_is_undone_with_its_search_entries(tmp_path):
    """As if the process died inside remove_graphs: journal written, graph dropped, index
    updated, journal never cleared. Reopening puts the graph back, searchable again."""
    writer = OxigraphStore(tmp_path / "store")
    graph, triples = mapped_record("a", "Searchable record")
    writer.write_graphs({graph: triples})
    writer._write_journal([graph], [graph])
    writer.db.remove_graph(graph)
    writer.search.remove([graph])
    writer.copies.remove([graph])
    writer.close()
    reopened = OxigraphStore(tmp_path / "store")
    assert titles_in(reopened.graph_triples(graph)) == {"Searchable record"}
    assert reopened.search.search("searchable").total == 1
    assert reopened.copies.get(graph) is not None
    reopened.close()
