"""Things joined through shared keys, transitively (graph/linked_groups.py): the journals and persons reports."""
from kgpub.graph.linked_groups import linked_groups


def test_groups_join_through_chains_of_shared_keys_in_any_order():
    keys = {"a": {1}, "b": {1, 2}, "c": {3}, "d": {4}, "e": {4, 5}, "f": {3, 5}, "g": {6}, "h": {2}}
    groups = linked_groups(list(keys), lambda item: keys[item])
    assert groups == [["a", "b", "h"], ["c", "d", "e", "f"]]  # g shares nothing: no group of one


def test_a_long_chain_is_one_group():
    items = list(range(200))
    assert linked_groups(items, lambda n: {n, n + 1}) == [items]
    assert linked_groups(items[::-1], lambda n: {n, n + 1}) == [items[::-1]]
