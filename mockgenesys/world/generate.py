"""Fill a ``World`` with realistic, seeded Faker data."""

from __future__ import annotations

from typing import TYPE_CHECKING

from faker import Faker

from mockgenesys.clock import DEFAULT_EPOCH
from mockgenesys.world.models import (
    Conversation,
    Deployment,
    ExternalContact,
    Message,
    Org,
    Participant,
)

if TYPE_CHECKING:
    from mockgenesys.world.store import World

#: The default OAuth client: stable across runs and seeds so local configs never change.
DEFAULT_CLIENT_ID = "5f3a1c2e-8d4b-4e6f-9a7c-1b2d3e4f5a6b"
DEFAULT_CLIENT_SECRET = "mockgenesys-local-secret"
DEFAULT_CONVERSATIONS = 5
DEFAULT_CONTACTS = 40
DEFAULT_MESSAGES = (12, 60)

_CUSTOMER_LINES = (
    "Is my order still being processed?",
    "I was charged twice for the same order.",
    "Can I change the delivery address?",
    "The tracking link does not work.",
    "How long does a refund take?",
    "Thanks, that helps.",
)
_AGENT_LINES = (
    "Let me check that for you.",
    "I can see your order here.",
    "Could you confirm the email on the account?",
    "I have escalated this to our billing team.",
    "Is there anything else I can help with?",
)


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
    fake = Faker("en_US")
    fake.seed_instance(world.seed)
    rng = world.rng

    company = fake.company()
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
    contact_list = []
    for _ in range(contacts):
        first, last = fake.first_name(), fake.last_name()
        created = base - rng.randint(1, 400) * 86400.0
        contact_list.append(
            world.add_contact(
                ExternalContact(
                    id=world.new_id(),
                    org_id=org.id,
                    first_name=first,
                    last_name=last,
                    title=fake.job()[:60],
                    work_email=f"{first.lower()}.{last.lower()}@{fake.domain_name()}",
                    personal_email=fake.free_email(),
                    cell_phone=_e164(rng.randint(2002000000, 9899999999)),
                    work_phone=_e164(rng.randint(2002000000, 9899999999)),
                    address={
                        "address1": fake.street_address(),
                        "city": fake.city(),
                        "state": fake.state_abbr(),
                        "postalCode": fake.postcode(),
                        "countryCode": "US",
                    },
                    create_date=created,
                    modify_date=created + rng.randint(0, 30) * 86400.0,
                    division_id=org.default_site_id,
                )
            )
        )

    agents = [(world.new_id(), fake.name()) for _ in range(3)]
    queue_id = world.new_id()
    low, high = messages
    for index in range(conversations):
        start = base + index * 3600.0 + rng.randint(0, 1800)
        contact = contact_list[index % len(contact_list)] if contact_list else None
        guest_name = f"{contact.first_name} {contact.last_name}" if contact else fake.name()
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
        conversation = Conversation(
            id=world.new_id(),
            org_id=org.id,
            deployment_id=deployment.id,
            start_time=start,
            participants=[customer, agent],
            external_contact_id=contact.id if contact else None,
        )
        when = start + 5
        for n in range(rng.randint(low, high)):
            inbound = n % 2 == 0
            when += rng.randint(5, 90)
            lines = _CUSTOMER_LINES if inbound else _AGENT_LINES
            conversation.messages.append(
                Message(
                    id=world.new_id() if inbound else world.new_hex_id(),
                    conversation_id=conversation.id,
                    direction="inbound" if inbound else "outbound",
                    text=rng.choice(lines),
                    timestamp=when,
                    sender_id=customer.id if inbound else agent.id,
                )
            )
        if index == conversations - 1 and conversations > 1:
            end = when + 60
            conversation.state = "disconnected"
            conversation.end_time = end
            for participant in conversation.participants:
                participant.state = "disconnected"
                participant.end_time = end
                participant.disconnect_type = "client" if participant.purpose == "customer" else "peer"
        world.add_conversation(conversation)


def _e164(number: int) -> str:
    return f"+1{number}"
