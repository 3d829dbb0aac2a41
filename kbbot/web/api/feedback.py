"""Feedback on answers and articles, and the CSAT / CES / NPS surveys."""

from flask import Blueprint

from ...support import conversations, feedback, surveys
from ..session import get_session
from ..visitors import current_visitor_id
from . import schemas
from .openapi import documented
from .requests import read_json

bp = Blueprint("feedback", __name__)


@bp.post("/feedback")
@documented(body=schemas.FeedbackRequest, ok=schemas.FeedbackOut, status=201, errors=(404,))
def give_feedback():
    """Helpful yes/no on a bot answer or an article."""
    body = read_json()
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
@documented(body=schemas.SurveyRequest, ok=schemas.SurveyOut, status=201, errors=(404, 409))
def answer_survey():
    """A CSAT, CES or NPS answer; one per kind per conversation."""
    body = read_json()
    session = get_session()
    conversation = conversations.get_for_visitor(
        session, body.conversation_id, current_visitor_id(create=False)
    )
    score, choice = (None, body.choice) if body.kind == "ces" else (body.score, None)
    response = surveys.answer(session, conversation, body.kind, score, choice, body.comment)
    ask_nps = body.kind == "ces" and surveys.nps_due(session, conversation.visitor_id)
    return schemas.SurveyOut(id=response.id, kind=response.kind, ask_nps=ask_nps).model_dump(mode="json"), 201
