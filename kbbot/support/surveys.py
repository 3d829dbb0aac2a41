"""CX surveys at the end of a conversation: CSAT (1-5), CES (easy / neither / difficult), NPS (0-10).

The questions, as the industry asks them, are in `QUESTIONS`. One answer per
kind per conversation: a second one is a conflict, not an overwrite, so a
score cannot be changed after the fact. CSAT and CES are about this
conversation and asked after every one; NPS is about the company, so a
visitor is asked it at most once per `NPS_INTERVAL`, after their CES answer.
"""

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import events
from ..errors import Conflict
from ..models import Conversation, SurveyResponse, utcnow

# As NPS tools throttle it: asking a loyal customer every week teaches them to skip surveys.
NPS_INTERVAL = timedelta(days=90)

QUESTIONS = {
    "csat": "How satisfied are you with the help you received?",
    "ces": "How easy was it to get your issue resolved today?",
    "nps": "How likely are you to recommend us to a friend or colleague?",
}


def answer(session: Session, conversation: Conversation, kind, score=None, choice=None, comment=""):
    response = SurveyResponse(
        conversation_id=conversation.id,
        handoff_id=conversation.handoff.id if conversation.handoff else None,
        kind=kind,
        score=score,
        choice=choice,
        comment=comment,
    )
    session.add(response)
    try:
        session.commit()
    except IntegrityError as e:
        session.rollback()
        raise Conflict(f"this conversation already has a {kind.upper()} answer") from e
    events.record_in(
        conversation,
        "survey",
        handoff_id=response.handoff_id,
        kind=kind,
        score=score,
        choice=choice,
    )
    return response


def nps_due(session: Session, visitor_id):
    """Whether to ask this visitor the NPS question: they have not answered it within `NPS_INTERVAL`."""
    answered = session.execute(
        select(SurveyResponse.id)
        .join(Conversation, Conversation.id == SurveyResponse.conversation_id)
        .where(
            Conversation.visitor_id == visitor_id,
            SurveyResponse.kind == "nps",
            SurveyResponse.created_at >= utcnow() - NPS_INTERVAL,
        )
        .limit(1)
    ).first()
    return answered is None
