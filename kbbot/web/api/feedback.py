"""Feedback on answers and articles, and the CSAT / CES / NPS surveys."""

from flask import Blueprint

from ...support import conversations, feedback, surveys
from ..session import get_session
from ..visitors import current_visitor_id
from . import schemas
from .requests import read_json

bp = Blueprint("feedback", __name__)


@bp.post("/feedback")
def give_feedback():
    body = read_json(schemas.FeedbackRequest)
    session = get_session()
    visitor_id = current_visitor_id()
    if body.message_id is not None:
        vote, offered = feedback.on_answer(session, visitor_id, body.message_id, body.helpful, body.comment)
    else:
        vote, offered = (
            feedback.on_article(session, visitor_id, body.article, body.helpful, body.comment),
            False,
        )
    return schemas.FeedbackOut(id=vote.id, handoff_offered=offered).model_dump(mode="json"), 201


@bp.post("/surveys")
def answer_survey():
    body = read_json(schemas.SurveyRequest)
    session = get_session()
    conversation = conversations.get_for_visitor(
        session, body.conversation_id, current_visitor_id(create=False)
    )
    score, choice = (None, body.choice) if body.kind == "ces" else (body.score, None)
    response = surveys.answer(session, conversation, body.kind, score, choice, body.comment)
    ask_nps = body.kind == "ces" and surveys.nps_due(session, conversation.visitor_id)
    return schemas.SurveyOut(id=response.id, kind=response.kind, ask_nps=ask_nps).model_dump(mode="json"), 201
