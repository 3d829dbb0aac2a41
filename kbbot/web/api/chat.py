"""Chat: questions and answers, the transcript, handing off to a person, ending a conversation."""

from datetime import datetime, timezone

from flask import Blueprint, abort, current_app, request

from ...accounts.users import normalized_email
from ...articles.rendering import render_answer, render_bot_message, snippet_html
from ...errors import InvalidInput
from ...models import MAX_ID
from ...support import assignment, business_hours, conversations, handoffs, presence, replies
from ...text import has_text
from ..help_center import absolute_url
from ..request_input import id_arg
from ..services import get_engine, mail_settings
from ..session import get_session
from ..visitors import current_visitor_id
from . import schemas
from .openapi import documented, parameter
from .requests import read_json

bp = Blueprint("chat", __name__)


def article_url(slug):
    """The link a customer follows from the bot to an article (logged as a view that came from the bot)."""
    return absolute_url("help_center.article", slug=slug, ref="bot")


def handoff_ref(conversation):
    handoff = conversation.handoff
    return {"id": handoff.id, "status": handoff.status} if handoff else None


def source_out(record):
    out = {key: record[key] for key in ("slug", "title", "url", "snippet", "score")}
    return {**out, "snippet_html": snippet_html(record["snippet"], record["url"])}


def bot_decision_out(message):
    """The decision fields of a bot message, as the chat response and the transcript give them."""
    return {
        "action": message.action,
        "confidence": message.confidence,
        "section_confidence": message.section_confidence,
        "section": message.section,
        "sources": [source_out(record) for record in message.sources],
        "choices": message.choices or [],
        "handoff_offered": message.handoff_offered,
    }


def message_out(message):
    out = {"id": message.id, "role": message.role, "text": message.text, "created_at": message.created_at}
    if message.role == "bot":
        out.update(bot_decision_out(message), html=render_bot_message(message))
    elif message.role == "customer":
        out["choice"] = message.choice
    elif message.role == "agent":
        out["author"] = (message.author.name or "Support team") if message.author else "Support team"
    return out


def availability():
    """Whether people are at work now, and what the handoff form tells the customer."""
    return business_hours.availability(
        current_app.extensions["kbbot.business_hours"],
        datetime.now(timezone.utc),
        by_email=mail_settings() is not None,
    )


def conversation_out(conversation, after=0):
    """The transcript after the cursor `after`, as the visitor's and the staff API return it."""
    messages = conversations.transcript(get_session(), conversation, after)
    return schemas.ConversationOut(
        conversation_id=conversation.public_id,
        messages=[message_out(message) for message in messages],
        cursor=messages[-1].id if messages else after,
        handoff=handoff_ref(conversation),
        ended=conversation.ended_at is not None,
        agent_typing=conversation.handoff is not None
        and presence.agent_typing(get_session(), conversation.handoff.id, datetime.now(timezone.utc)),
    ).model_dump(mode="json")


@bp.post("/chat")
@documented(body=schemas.ChatRequest, ok=schemas.ChatResponse, errors=(404, 409))
def chat():
    """Ask a question; starts a conversation unless conversation_id is given."""
    body = read_json()
    sent = request.get_json().get("message", "")  # as sent, before `Text` cleaned it
    if body.choice is not None and not body.conversation_id:
        raise InvalidInput("choice", "needs the conversation_id it was offered in")
    if body.choice is None and not has_text(sent):
        raise InvalidInput("message", "must not be empty")
    if len(sent) > current_app.config["MAX_MESSAGE_CHARS"]:
        abort(413, f"message is longer than {current_app.config['MAX_MESSAGE_CHARS']} characters")
    message = body.message.strip()
    session = get_session()
    visitor_id = current_visitor_id()
    if body.conversation_id:
        conversation = conversations.get_for_visitor(session, body.conversation_id, visitor_id)
    else:
        conversation = conversations.start(
            session, visitor_id, body.page_url, body.locale, request.headers.get("User-Agent")
        )
    choice = (body.choice.slug, body.choice.anchor) if body.choice else None
    turn = conversations.reply(
        session, get_engine(), conversation, message, article_url, choice, current_app.extensions["kbbot.sla"]
    )
    bot = turn.bot_message
    if bot is None:  # the message waits for a person: the bot stays silent
        response = {
            "message_id": turn.customer_message.id,
            "action": "handoff",
            "answer": replies.WAITING_FOR_AGENT,
            "answer_html": render_answer(replies.WAITING_FOR_AGENT, None),
            "confidence": 0.0,
            "sources": [],
            "handoff_offered": False,
        }
    else:
        response = {
            "message_id": bot.id,
            "answer": bot.text,
            "answer_html": render_bot_message(bot),
            **bot_decision_out(bot),
        }
    response.update(conversation_id=conversation.public_id, handoff=handoff_ref(conversation))
    return schemas.ChatResponse(**response).model_dump(mode="json")


@bp.get("/conversations/<conversation_id>")
@documented(
    ok=schemas.ConversationOut,
    errors=(404, 422),
    parameters=(parameter("after", {"type": "integer", "minimum": 0, "maximum": MAX_ID, "default": 0}),),
)
def conversation(conversation_id):
    """The visitor's transcript, including agent replies; poll with ?after=<cursor>."""
    found = conversations.get_for_visitor(get_session(), conversation_id, current_visitor_id(create=False))
    return conversation_out(found, id_arg("after"))


@bp.post("/conversations/<conversation_id>/handoff")
@documented(
    body=schemas.HandoffRequest,
    ok=schemas.HandoffCreated,
    status=201,
    errors=(404,),
    other_statuses={200: "The conversation already had this handoff."},
)
def request_handoff(conversation_id):
    """Hand the conversation to a person (idempotent: one handoff per conversation)."""
    body = read_json()
    session = get_session()
    conversation = conversations.get_for_visitor(session, conversation_id, current_visitor_id(create=False))
    handoff, created = handoffs.request(
        session,
        conversation,
        email=normalized_email(body.email),
        name=body.name.strip(),
        message=body.message.strip(),
        user_agent=request.headers.get("User-Agent"),
        policy=current_app.extensions["kbbot.sla"],
    )
    if created:  # round-robin, when KBBOT_AGENT_CAPACITY is set
        assignment.assign_automatically(
            session, handoff, current_app.config["AGENT_CAPACITY"], datetime.now(timezone.utc)
        )
    out = schemas.HandoffCreated.from_attributes(handoff, created=created, availability=availability())
    return out.model_dump(mode="json"), 201 if created else 200


@bp.get("/availability")
@documented(ok=schemas.Availability, visitor=False)
def support_availability():
    """Whether people answer now, and what to tell the customer."""
    return schemas.Availability(**availability()).model_dump(mode="json")


@bp.post("/conversations/<conversation_id>/end")
@documented(ok=schemas.EndedOut, errors=(404,))
def end_conversation(conversation_id):
    """The customer closed the conversation."""
    session = get_session()
    conversation = conversations.get_for_visitor(session, conversation_id, current_visitor_id(create=False))
    conversations.end(session, conversation)
    return schemas.EndedOut(
        conversation_id=conversation.public_id, ended_at=conversation.ended_at
    ).model_dump(mode="json")
