from __future__ import annotations

import os
from pathlib import Path

import pytest

from mockgenesys import ConfigError, MockGenesys, World
from mockgenesys.world.template import WorldTemplate, cache_info, clear_cache

LAZY = ("orgs", "clients", "deployments", "contacts", "conversations", "seed_sessions", "guest_sessions", "rng")


def test_template_world_equals_a_generated_world_and_draws_the_same_ids() -> None:
    copy = WorldTemplate.generate(21, contacts=6).world()
    generated = World.generate(21, contacts=6)
    assert copy.snapshot_json() == generated.snapshot_json()
    assert [copy.new_id() for _ in range(3)] == [generated.new_id() for _ in range(3)]


def test_template_world_copies_nothing_until_read_and_then_only_what_was_read() -> None:
    world = WorldTemplate.generate(22).world()
    assert not set(LAZY) & set(vars(world))
    assert world.clients  # reading one collection copies that one
    assert set(LAZY) & set(vars(world)) == {"clients"}


def test_template_worlds_are_independent_of_each_other_and_of_the_template() -> None:
    template = WorldTemplate.generate(23)
    first = template.world()
    next(iter(first.contacts.values())).address["city"] = "Changed"
    first.conversations.clear()
    first.new_id()
    second = template.world()
    assert second.snapshot_json() == World.generate(23).snapshot_json() != first.snapshot_json()
    assert second.new_id() == World.generate(23).new_id()


def test_template_world_indexes_its_own_copies_of_the_messages() -> None:
    world = WorldTemplate.generate(24).world()
    for conversation in world.conversations.values():
        for message in conversation.messages:
            assert world.message(message.id) is message


def test_template_generate_builds_a_seed_once_per_process_and_options_apart() -> None:
    before = cache_info()["generations"]
    assert WorldTemplate.generate(25) is WorldTemplate.generate(25)
    assert WorldTemplate.generate(25, contacts=3) is not WorldTemplate.generate(25)
    assert WorldTemplate.generate(25, contacts=40, conversations=5) is WorldTemplate.generate(25)  # the defaults
    assert cache_info()["generations"] == before + 2


def test_template_clear_cache_forgets_every_kept_template() -> None:
    kept = WorldTemplate.generate(31)
    clear_cache()
    assert cache_info()["kept"] == 0
    again = WorldTemplate.generate(31)
    assert again is not kept and again.world().snapshot_json() == kept.world().snapshot_json()


def test_template_generate_with_an_unhashable_option_still_works_uncached() -> None:
    world = WorldTemplate.generate(26, messages=[2, 3]).world()  # type: ignore[arg-type]
    assert all(2 <= len(c.messages) <= 3 for c in world.conversations.values())
    with pytest.raises(TypeError):
        WorldTemplate.generate(26, colour="blue")


def test_template_load_reads_a_file_once_until_it_changes(tmp_path: Path) -> None:
    path = tmp_path / "world.json"
    path.write_text(World.generate(27).snapshot_json())
    assert WorldTemplate.load(path) is WorldTemplate.load(str(path))
    path.write_text(World.generate(28, contacts=2).snapshot_json())
    os.utime(path, ns=(0, 123_456_789))  # a new modification time even on a coarse clock
    assert WorldTemplate.load(path).world().snapshot_json() == World.generate(28, contacts=2).snapshot_json()


def test_template_load_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"Cannot read the world file .*missing\.json"):
        WorldTemplate.load(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    with pytest.raises(ConfigError, match=r"bad\.json is not valid JSON"):
        WorldTemplate.load(bad)


def test_template_of_a_snapshot_dict_is_its_own() -> None:
    snapshot = World.generate(29, conversations=1).snapshot()
    template = WorldTemplate.load(snapshot)
    snapshot["orgs"].clear()  # the caller's dict, down to its nested values, is not the template's
    snapshot["contacts"][0]["address"]["city"] = "Changed"
    world = template.world()
    assert len(world.orgs) == 1 and template.seed == 29
    assert next(iter(world.contacts.values())).address["city"] != "Changed"


def test_template_mocks_of_one_seed_share_the_template_but_not_the_world() -> None:
    first, second = MockGenesys(seed=30), MockGenesys(seed=30)
    assert first.world is not second.world
    assert first.world.default_client is not second.world.default_client
    assert repr(WorldTemplate.generate(30)).startswith("WorldTemplate(seed=30, contacts=40")
