"""The per-worker snapshot store, without an app."""

from __future__ import annotations

from forumapp.caching import Snapshot, SnapshotStore

GUESTS: Snapshot[str] = Snapshot("guests", frozenset({"groups", "forum_groups"}))
MEMBERS: Snapshot[str] = Snapshot("members", frozenset({"users"}))


class Loads:
    """A loader that counts its calls."""

    def __init__(self, value: str = "v") -> None:
        self.value = value
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        return f"{self.value}{self.calls}"


def test_a_value_is_kept_for_max_age_seconds() -> None:
    now = [0.0]
    store = SnapshotStore(lambda: now[0])
    load = Loads()
    assert store.get(GUESTS, load, 5) == "v1"
    now[0] = 4.9
    assert store.get(GUESTS, load, 5) == "v1"
    now[0] = 5.0
    assert store.get(GUESTS, load, 5) == "v2"


def test_no_max_age_loads_every_time() -> None:
    store = SnapshotStore(lambda: 0.0)
    load = Loads()
    assert [store.get(GUESTS, load, 0) for _ in range(3)] == ["v1", "v2", "v3"]


def test_forgetting_a_table_drops_only_the_snapshots_read_from_it() -> None:
    store = SnapshotStore(lambda: 0.0)
    guests, members = Loads("g"), Loads("m")
    store.get(GUESTS, guests, 60)
    store.get(MEMBERS, members, 60)
    store.forget({"forum_groups", "topics"})
    assert store.get(GUESTS, guests, 60) == "g2"
    assert store.get(MEMBERS, members, 60) == "m1"


def test_a_value_loaded_while_a_write_lands_is_not_kept() -> None:
    store = SnapshotStore(lambda: 0.0)

    def load_during_a_write() -> str:
        store.forget({"users"})  # another thread commits while this one reads
        return "maybe stale"

    assert store.get(MEMBERS, load_during_a_write, 60) == "maybe stale"
    assert store.get(MEMBERS, Loads("fresh"), 60) == "fresh1"
