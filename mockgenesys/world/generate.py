"""Fill a ``World`` with realistic data drawn from fixed pools with the world's seeded RNG.

Every value comes from ``world.rng`` (ids too), in a fixed order, so a seed gives the same world
on every machine. Names and texts are drawn in bulk (``rng.choices``) from ``pools``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mockgenesys.clock import DEFAULT_EPOCH
from mockgenesys.world import pools
from mockgenesys.world.models import (
    Conversation,
    Deployment,
    ExternalContact,
    Message,
    Org,
    Participant,
)

if TYPE_CHECKING:
    from random import Random

    from mockgenesys.world.store import World

#: The default OAuth client: stable across runs and seeds so local configs never change.
DEFAULT_CLIENT_ID = "5f3a1c2e-8d4b-4e6f-9a7c-1b2d3e4f5a6b"
DEFAULT_CLIENT_SECRET = "mockgenesys-local-secret"
DEFAULT_CONVERSATIONS = 5
DEFAULT_CONTACTS = 40
DEFAULT_MESSAGES = (12, 60)
_AGENTS = 3


def populate(
    world: World,
    *,
    client_id: str = DEFAULT_CLIENT_ID,
    client_secret: str = DEFAULT_CLIENT_SECRET,
    conversations: int = DEFAULT_CONVERSATIONS,
    contacts: int = DEFAULT_CONTACTS,
    messages: tuple[int, int] = DEFAULT_MESSAGES,
    token_ttl: int = 86400,
) -> None:
    """Add one org, its default OAuth client, one deployment, contacts and conversations."""
    rng = world.rng
    company = _company(rng)
    slug = "".join(ch for ch in company.lower() if ch.isalnum())[:20] or "org"
    org = world.add_org(Org(id=world.new_id(), name=company, domain=f"{slug}.example", default_site_id=world.new_id()))
    world.add_client(
        client_id=client_id,
        secret=client_secret,
        name="mockgenesys default client",
        org_id=org.id,
        token_ttl=token_ttl,
    )
    deployment = world.add_deployment(Deployment(id=world.new_id(), org_id=org.id, name=f"{company} web messenger"))
    base = DEFAULT_EPOCH - 7 * 86400
    contact_list = _contacts(world, org, contacts, base)
    agent_names = _full_names(rng, _AGENTS)
    agents = [(world.new_id(), name) for name in agent_names]
    queue_id = org.queue_id = world.new_id()
    for index in range(conversations):
        contact = contact_list[index % len(contact_list)] if contact_list else None
        guest_name = f"{contact.first_name} {contact.last_name}" if contact else _full_names(rng, 1)[0]
        conversation = _conversation(world, org, deployment, base, index, contact, guest_name, agents, queue_id)
        when = _history(world, conversation, messages)
        if index == conversations - 1 and conversations > 1:
            _disconnect(conversation, when + 60)
        world.add_conversation(conversation)


def _company(rng: Random) -> str:
    first, second, third = rng.choices(pools.LAST_NAMES, k=3)
    shape = rng.randrange(3)
    if shape == 0:
        return f"{first} {rng.choice(pools.COMPANY_SUFFIXES)}"
    if shape == 1:
        return f"{first}-{second}"
    return f"{first}, {second} and {third}"


def _full_names(rng: Random, count: int) -> list[str]:
    firsts = rng.choices(pools.FIRST_NAMES, k=count)
    lasts = rng.choices(pools.LAST_NAMES, k=count)
    return [f"{first} {last}" for first, last in zip(firsts, lasts, strict=True)]


def _contacts(world: World, org: Org, count: int, base: float) -> list[ExternalContact]:
    rng = world.rng
    firsts = rng.choices(pools.FIRST_NAMES, k=count)
    lasts = rng.choices(pools.LAST_NAMES, k=count)
    titles = rng.choices(pools.JOB_TITLES, k=count)
    employers = rng.choices(pools.LAST_NAMES, k=count)
    webs = rng.choices(pools.WEB_SUFFIXES, k=count)
    free = rng.choices(pools.FREE_EMAIL_DOMAINS, k=count)
    streets = rng.choices(pools.STREET_NAMES, k=count)
    suffixes = rng.choices(pools.STREET_SUFFIXES, k=count)
    cities = rng.choices(pools.CITIES, k=count)
    states = rng.choices(pools.STATE_CODES, k=count)
    made = []
    for n in range(count):
        first, last = firsts[n], lasts[n]
        login = f"{first.lower()}.{last.lower()}"
        created = base - rng.randint(1, 400) * 86400.0
        made.append(
            world.add_contact(
                ExternalContact(
                    id=world.new_id(),
                    org_id=org.id,
                    first_name=first,
                    last_name=last,
                    title=titles[n],
                    work_email=f"{login}@{employers[n].lower()}.{webs[n]}",
                    personal_email=f"{first.lower()}{last.lower()}{rng.randint(1, 99)}@{free[n]}",
                    cell_phone=_e164(rng.randint(2002000000, 9899999999)),
                    work_phone=_e164(rng.randint(2002000000, 9899999999)),
                    address={
                        "address1": f"{rng.randint(1, 9999)} {streets[n]} {suffixes[n]}",
                        "city": cities[n],
                        "state": states[n],
                        "postalCode": f"{rng.randint(1001, 99950):05d}",
                        "countryCode": "US",
                    },
                    create_date=created,
                    modify_date=created + rng.randint(0, 30) * 86400.0,
                    division_id=org.default_site_id,
                )
            )
        )
    return made


def _conversation(
    world: World,
    org: Org,
    deployment: Deployment,
    base: float,
    index: int,
    contact: ExternalContact | None,
    guest_name: str,
    agents: list[tuple[str, str]],
    queue_id: str,
) -> Conversation:
    start = base + index * 3600.0 + world.rng.randint(0, 1800)
    agent_id, agent_name = agents[index % len(agents)]
    customer = Participant(
        id=world.new_id(),
        purpose="customer",
        name=guest_name,
        start_time=start,
        connected_time=start,
        external_contact_id=contact.id if contact else None,
        address=world.new_id(),
    )
    agent = Participant(
        id=world.new_id(),
        purpose="agent",
        name=agent_name,
        start_time=start + 20,
        connected_time=start + 25,
        user_id=agent_id,
        queue_id=queue_id,
    )
    return Conversation(
        id=world.new_id(),
        org_id=org.id,
        deployment_id=deployment.id,
        start_time=start,
        participants=[customer, agent],
        external_contact_id=contact.id if contact else None,
    )


def _history(world: World, conversation: Conversation, messages: tuple[int, int]) -> float:
    """Alternate customer and agent messages; returns the time of the last one."""
    rng = world.rng
    low, high = messages
    customer, agent = conversation.participants
    when = conversation.start_time + 5
    count = rng.randint(low, high)
    inbound_lines = rng.choices(pools.CUSTOMER_LINES, k=(count + 1) // 2)
    outbound_lines = rng.choices(pools.AGENT_LINES, k=count // 2)
    for n in range(count):
        inbound = n % 2 == 0
        when += rng.randint(5, 90)
        conversation.messages.append(
            Message(
                id=world.new_id() if inbound else world.new_hex_id(),
                conversation_id=conversation.id,
                direction="inbound" if inbound else "outbound",
                text=inbound_lines[n // 2] if inbound else outbound_lines[n // 2],
                timestamp=when,
                sender_id=customer.id if inbound else agent.id,
            )
        )
    return when


def _disconnect(conversation: Conversation, end: float) -> None:
    conversation.state = "disconnected"
    conversation.end_time = end
    for participant in conversation.participants:
        participant.state = "disconnected"
        participant.end_time = end
        participant.disconnect_type = "client" if participant.purpose == "customer" else "peer"


def _e164(number: int) -> str:
    return f"+1{number}"
