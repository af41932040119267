from __future__ import annotations

import hashlib
import subprocess
import sys

from mockgenesys import World
from mockgenesys.world import pools


def test_generate_counts_and_shapes() -> None:
    world = World.generate(7, conversations=3, contacts=5, messages=(4, 6))
    assert len(world.orgs) == 1 and len(world.deployments) == 1
    assert len(world.contacts) == 5 and len(world.conversations) == 3
    for conversation in world.conversations.values():
        assert 4 <= len(conversation.messages) <= 6
        times = [m.timestamp for m in conversation.messages]
        assert times == sorted(times)
        assert {m.direction for m in conversation.messages} == {"inbound", "outbound"}
        assert [p.purpose for p in conversation.participants] == ["customer", "agent"]
    last = list(world.conversations.values())[-1]
    assert last.state == "disconnected" and not last.is_active


def test_generate_messages_are_indexed() -> None:
    world = World.generate(2)
    for conversation in world.conversations.values():
        for message in conversation.messages:
            assert world.message(message.id) is message


def test_generate_a_seed_gives_the_same_world_on_every_machine() -> None:
    # Pinned: a change here changes every user's seeded world; say so in CHANGELOG.md.
    world = World.generate(0)
    assert world.default_org.name == "Spencer-Roberts"
    assert [f"{c.first_name} {c.last_name}" for c in list(world.contacts.values())[:3]] == [
        "Tammy Collins",
        "Connor Medina",
        "Caleb Bryant",
    ]
    digest = hashlib.sha256(world.snapshot_json().encode()).hexdigest()
    assert digest == "9c8bb77ef2e5fd1c710ccb5f9ed5cf28a4ad61cc53199212b3c74acb0d0e5afd"


def test_generate_needs_no_faker() -> None:
    # Faker's output changes between its releases (and importing it costs ~100 ms per process).
    code = "import sys, mockgenesys; mockgenesys.MockGenesys(seed=1).world.contacts; print('faker' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_generate_contacts_look_real() -> None:
    contact = next(iter(World.generate(4).contacts.values()))
    assert contact.work_email.startswith(f"{contact.first_name.lower()}.{contact.last_name.lower()}@")
    assert contact.personal_email.split("@")[1] in pools.FREE_EMAIL_DOMAINS
    assert contact.address["state"] in pools.STATE_CODES and len(contact.address["postalCode"]) == 5
    assert contact.cell_phone.startswith("+1") and len(contact.cell_phone) == 12
