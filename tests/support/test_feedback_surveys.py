"""Helpful votes on answers and articles; CSAT, CES and NPS, one per kind per conversation."""

from sqlalchemy import select

from kbbot.models import Feedback, SurveyResponse
from kbbot.web.session import get_session
from tests.helpers import ask, event_types


def test_feedback_on_an_answer_and_on_an_article_is_stored_and_logged(support_app, client):
    reply = ask(client, "how do I export invoices")
    assert (
        client.post("/api/v1/feedback", json={"message_id": reply["message_id"], "helpful": True}).status_code
        == 201
    )
    vote = client.post(
        "/api/v1/feedback", json={"article": "refunds", "helpful": False, "comment": "outdated"}
    )
    assert vote.status_code == 201 and vote.get_json()["handoff_offered"] is False
    changed = client.post("/api/v1/feedback", json={"message_id": reply["message_id"], "helpful": False})
    assert changed.get_json()["handoff_offered"] is True
    with support_app.app_context():
        votes = get_session().execute(select(Feedback).order_by(Feedback.id)).scalars().all()
        assert [(v.message_id is not None, v.helpful, v.comment) for v in votes] == [
            (True, False, ""),  # a second vote replaces the first
            (False, False, "outdated"),
        ]
    assert event_types(support_app).count("feedback") == 3
    assert event_types(support_app)[-1] == "handoff_offered"


def test_a_visitor_cannot_vote_on_another_visitors_answer(support_app, client):
    reply = ask(client, "how do I export invoices")
    stranger = support_app.test_client()
    assert (
        stranger.post(
            "/api/v1/feedback", json={"message_id": reply["message_id"], "helpful": False}
        ).status_code
        == 404
    )


def test_a_negative_vote_then_a_handoff_records_the_negative_feedback_reason(client):
    reply = ask(client, "how do I export invoices")
    client.post("/api/v1/feedback", json={"message_id": reply["message_id"], "helpful": False})
    created = client.post(
        f"/api/v1/conversations/{reply['conversation_id']}/handoff", json={"email": "dana@example.com"}
    )
    assert created.get_json()["reason"] == "negative_feedback"


def test_one_survey_answer_per_kind_per_conversation(support_app, client):
    reply = ask(client, "how do I export invoices")
    conversation_id = reply["conversation_id"]
    answers = [
        {"kind": "csat", "score": 4},
        {"kind": "ces", "choice": "easy"},
        {"kind": "nps", "score": 9, "comment": "great"},
    ]
    for answer in answers:
        assert (
            client.post("/api/v1/surveys", json={"conversation_id": conversation_id, **answer}).status_code
            == 201
        )
    again = client.post(
        "/api/v1/surveys", json={"conversation_id": conversation_id, "kind": "csat", "score": 1}
    )
    assert again.status_code == 409
    with support_app.app_context():
        rows = get_session().execute(select(SurveyResponse).order_by(SurveyResponse.id)).scalars().all()
        assert [(r.kind, r.score, r.choice) for r in rows] == [
            ("csat", 4, None),
            ("ces", None, "easy"),
            ("nps", 9, None),
        ]
    assert event_types(support_app).count("survey") == 3


def test_nps_is_asked_after_ces_at_most_once_per_visitor_in_90_days(client):
    def ces_then_nps(question, nps=None):
        conversation_id = ask(client, question)["conversation_id"]
        ces = {"conversation_id": conversation_id, "kind": "ces", "choice": "easy"}
        asked = client.post("/api/v1/surveys", json=ces).get_json()["ask_nps"]
        if nps is not None:
            nps_answer = {"conversation_id": conversation_id, "kind": "nps", "score": nps}
            assert client.post("/api/v1/surveys", json=nps_answer).status_code == 201
        return asked

    assert ces_then_nps("how do I export invoices") is True  # not answered yet: asked, but skipped
    assert ces_then_nps("can I get a refund", nps=9) is True
    assert ces_then_nps("how do I connect stripe") is False  # answered minutes ago
