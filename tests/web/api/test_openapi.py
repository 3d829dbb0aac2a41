"""The OpenAPI document is valid, lists exactly the app's API routes, and describes real responses."""

import re

import pytest
from openapi_spec_validator import validate

from kbbot.web.api import openapi as openapi_module
from tests.helpers import ask, check, openapi, staff_headers


def test_the_document_is_valid_openapi_3_1(client):
    document = openapi(client)
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_every_api_route_is_documented_and_nothing_else(support_app, client):
    documented = {(path, method.upper()) for path, ops in openapi(client)["paths"].items() for method in ops}
    routed = set()
    for rule in support_app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
            routed |= {(path, method) for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routed == documented


def test_a_route_without_a_declaration_fails_the_document(app):
    app.add_url_rule("/api/v1/undocumented", "undocumented", lambda: {})
    with pytest.raises(LookupError, match="undocumented"):
        openapi_module.build(app)


def test_the_document_is_built_once_per_app(client, monkeypatch):
    builds = []
    build = openapi_module.build
    monkeypatch.setattr(openapi_module, "build", lambda app: builds.append(app) or build(app))
    assert openapi(client) == openapi(client)
    assert len(builds) == 1


def test_responses_match_their_documented_schemas(client, agent_token):
    document = openapi(client)
    answer = client.post("/api/v1/chat", json={"message": "how do I export invoices"})
    check(document, "/chat", "post", answer)
    conversation_id = answer.get_json()["conversation_id"]
    check(
        document,
        "/conversations/{conversation_id}",
        "get",
        client.get(f"/api/v1/conversations/{conversation_id}"),
    )
    check(document, "/chat", "post", client.post("/api/v1/chat", json={"message": 1}))
    check(document, "/chat", "post", client.post("/api/v1/chat", data="{", content_type="application/json"))
    check(document, "/search", "get", client.get("/api/v1/search?q=refund"))
    check(document, "/articles/{slug}", "get", client.get("/api/v1/articles/refunds"))
    check(document, "/articles/{slug}", "get", client.get("/api/v1/articles/new-pricing"))  # a draft: 404
    check(document, "/availability", "get", client.get("/api/v1/availability"))
    vote = client.post(
        "/api/v1/feedback", json={"message_id": answer.get_json()["message_id"], "helpful": True}
    )
    check(document, "/feedback", "post", vote)
    survey = client.post(
        "/api/v1/surveys", json={"conversation_id": conversation_id, "kind": "nps", "score": 10}
    )
    check(document, "/surveys", "post", survey)
    check(
        document,
        "/surveys",
        "post",
        client.post("/api/v1/surveys", json={"conversation_id": conversation_id, "kind": "nps", "score": 3}),
    )
    handoff = client.post(f"/api/v1/conversations/{conversation_id}/handoff", json={"email": "a@example.com"})
    check(document, "/conversations/{conversation_id}/handoff", "post", handoff)
    headers = staff_headers(agent_token)
    handoff_id = handoff.get_json()["id"]
    check(document, "/staff/handoffs", "get", client.get("/api/v1/staff/handoffs", headers=headers))
    check(document, "/staff/handoffs", "get", client.get("/api/v1/staff/handoffs"))
    reply = client.post(
        f"/api/v1/staff/handoffs/{handoff_id}/replies", json={"text": "Hello"}, headers=headers
    )
    check(document, "/staff/handoffs/{handoff_id}/replies", "post", reply)
    check(
        document,
        "/staff/handoffs/{handoff_id}",
        "get",
        client.get(f"/api/v1/staff/handoffs/{handoff_id}", headers=headers),
    )
    silent = ask(client, "hello?", conversation_id=conversation_id)
    assert silent["action"] == "handoff"
    resolved = client.post(
        f"/api/v1/staff/handoffs/{handoff_id}/resolve", json={"reason": "answered"}, headers=headers
    )
    check(document, "/staff/handoffs/{handoff_id}/resolve", "post", resolved)
    check(
        document,
        "/conversations/{conversation_id}/end",
        "post",
        client.post(f"/api/v1/conversations/{conversation_id}/end"),
    )
