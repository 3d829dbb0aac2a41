"""Tags and priority on handoffs: normalized tags, set and removed by agents, logged."""

import pytest
from sqlalchemy import select

from kbbot import events
from kbbot.accounts import users
from kbbot.errors import InvalidInput
from kbbot.models import Event, Handoff, Tag
from kbbot.support import tags
from kbbot.web.session import get_session
from tests.helpers import ask, request_handoff


@pytest.mark.parametrize(
    ("text", "tag"), [(" Billing ", "billing"), ("Refund  request", "refund-request"), ("vip_2", "vip_2")]
)
def test_tags_are_normalized(text, tag):
    assert tags.normalize(text) == tag


@pytest.mark.parametrize("text", ["", "   ", "-billing", "café", "a/b", "x" * 41])
def test_a_tag_that_cannot_be_one_is_refused(text):
    with pytest.raises(InvalidInput):
        tags.normalize(text)


def test_agents_tag_and_prioritize_handoffs_and_each_change_is_logged(support_app):
    customer = support_app.test_client()
    handoff_ids = []
    for question in ("I was charged twice", "My invoice is wrong"):
        conversation = ask(customer, question)["conversation_id"]
        handoff_ids.append(request_handoff(customer, conversation).get_json()["id"])
    with support_app.app_context():
        session = get_session()
        agent = users.create_user(session, "alex@example.com", ["agent"])
        first, second = (session.get(Handoff, i) for i in handoff_ids)
        assert first.priority == "normal" and first.tags == []
        tags.triage(session, first, agent, priority="urgent", add=["Billing", "VIP"])
        tags.triage(session, second, agent, tags=["billing", "billing "])
        tags.triage(session, first, agent, remove=["vip"])
        tags.triage(session, first, agent, add=["billing"])  # no change: not logged
        assert [tag.name for tag in first.tags] == ["billing"] and first.priority == "urgent"
        assert session.scalars(select(Tag.name).order_by(Tag.name)).all() == ["billing", "vip"]  # a row each
        assert tags.known_tags(session) == ["billing"]  # "vip" is on no handoff now
        events.flush(session)
        logged = session.scalars(select(Event).where(Event.type == "handoff_triaged").order_by(Event.id))
        assert [(e.handoff_id, e.data["priority"], e.data["tags"]) for e in logged] == [
            (first.id, "urgent", ["billing", "vip"]),
            (second.id, "normal", ["billing"]),
            (first.id, "urgent", ["billing"]),
        ]
        with pytest.raises(InvalidInput, match="priority"):
            tags.triage(session, first, agent, priority="asap")
        with pytest.raises(InvalidInput, match="at most"):
            tags.triage(session, first, agent, tags=[f"t{n}" for n in range(tags.MAX_TAGS + 1)])
