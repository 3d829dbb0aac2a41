"""The OpenAPI document and the API say the same thing: what the document allows is accepted, what it
refuses is refused (the disagreements Schemathesis found, one by one; .ci/schemathesis runs it)."""

import re
import sys

import jsonschema_rs
import pytest

from kbbot import text
from tests.helpers import ask, openapi, staff_headers

PROBLEM = "application/problem+json"


def allows(document, path, method, body):
    """Whether the document's request body schema of `method path` accepts `body`, as Schemathesis's
    validator judges it (ECMA-262 patterns, where `$` is the end; RFC 5321 email addresses)."""
    schema = document["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
    validator = jsonschema_rs.Draft202012Validator(
        {**schema, "components": document["components"]}, validate_formats=True
    )
    return validator.is_valid(body)


def refused(response, status=422):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == PROBLEM
    return response.get_json()


def refused_naming(response, field, status=422):
    assert field in [error["field"] for error in refused(response, status)["errors"]]


# -- the patterns the document states are the rules the code applies ----------------------------


def test_the_documented_whitespace_is_what_python_strips():
    every = (chr(code) for code in range(sys.maxunicode + 1))
    documented = re.compile(f"[{text.WHITESPACE}]")
    assert [char for char in every if documented.match(char)] == [
        chr(code) for code in range(sys.maxunicode + 1) if chr(code).isspace()
    ]


@pytest.mark.parametrize(
    "value, has_text",
    [("hi", True), ("", False), (" \t\n\u3000\u00a0", False), ("\u0096\x07", False), ("\ufeff", True)],
)
def test_has_text_is_what_is_left_after_cleaning_and_stripping(value, has_text):
    assert text.has_text(value) is has_text is bool(text.clean_text(value).strip())
    assert (re.search(text.HAS_TEXT, value) is not None) is has_text


# -- every operation --------------------------------------------------------------------------


def test_every_operation_documents_400_and_414(client):
    for path, operations in openapi(client)["paths"].items():
        for method, operation in operations.items():
            assert {"400", "414"} <= set(operation["responses"]), (method, path)


def test_string_parameters_are_documented_without_nul(client):
    for path, operations in openapi(client)["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                schema = parameter["schema"]
                if schema.get("type") == "string" and "enum" not in schema:
                    assert not re.search(schema["pattern"], "a\x00b"), (path, parameter["name"])


# -- /search ------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["", "   ", "\x19"])
def test_a_search_with_nothing_to_search_finds_nothing(client, query):
    response = client.get("/api/v1/search", query_string={"q": query})
    assert response.status_code == 200
    assert response.get_json() == {"query": "", "searched_for": "", "results": []}


def test_a_search_without_q_is_422_naming_it(client):
    refused_naming(client.get("/api/v1/search"), "q")


@pytest.mark.parametrize("limit", ["2.5", "-1", "0", "51", "ten", "", " 5"])
def test_a_limit_that_is_no_whole_number_from_1_to_50_is_422(client, limit):
    refused_naming(client.get("/api/v1/search", query_string={"q": "refund", "limit": limit}), "limit")


def test_a_query_is_measured_as_sent(client):
    padded = "password" + " " * 600 + "reset"  # 613 characters as sent, "password reset" once cleaned
    refused_naming(client.get("/api/v1/search", query_string={"q": padded}), "q")


# -- the staff handoff queue and suggestions ------------------------------------------------------


@pytest.mark.parametrize("query", ["status=bogus", "status=", "mine=null", "mine=", "mine=yes"])
def test_an_unknown_queue_filter_is_422_naming_it(client, agent_token, query):
    response = client.get(f"/api/v1/staff/handoffs?{query}", headers=staff_headers(agent_token))
    refused_naming(response, query.split("=")[0])


@pytest.mark.parametrize("mine", ["0", "false", "1", "true"])
def test_the_documented_mine_values_are_accepted(client, agent_token, mine):
    response = client.get(f"/api/v1/staff/handoffs?mine={mine}", headers=staff_headers(agent_token))
    assert response.status_code == 200


def test_a_suggestions_query_over_its_length_is_422(client, agent_token):
    reply = ask(client, "agent please")
    handoff = client.post(
        f"/api/v1/conversations/{reply['conversation_id']}/handoff", json={"email": "dana@example.com"}
    ).get_json()
    url = f"/api/v1/staff/handoffs/{handoff['id']}/suggestions"
    response = client.get(url, query_string={"q": "p" * 501}, headers=staff_headers(agent_token))
    refused_naming(response, "q")


# -- the staff article list -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, field",
    [
        ("status=", "status"),
        ("status=%20draft", "status"),
        ("sort=", "sort"),
        ("helpful=", "helpful"),
        ("edited_within=", "edited_within"),
        ("page=", "page"),
        ("per_page=1.5", "per_page"),
        ("page=1000001", "page"),
        ("q=" + "w" * 201, "q"),
    ],
)
def test_the_article_list_takes_each_filter_as_sent(client, editor_token, query, field):
    response = client.get(f"/api/v1/staff/articles?{query}", headers=staff_headers(editor_token))
    refused_naming(response, field)


def test_the_article_list_documents_its_page_range(client):
    parameters = openapi(client)["paths"]["/staff/articles"]["get"]["parameters"]
    page = next(parameter for parameter in parameters if parameter["name"] == "page")
    assert page["schema"] == {"type": "integer", "minimum": 1, "maximum": 10**6}


def test_the_staff_pages_still_read_an_empty_filter_as_any(client, editor_token):
    from tests.helpers import sign_in

    sign_in(client, "editor@example.com")
    assert client.get("/staff/articles/?status=&sort=&page=&q=").status_code == 200


# -- bodies: the document accepts exactly what the API accepts ------------------------------------


def agrees(client, document, path, url, body, accepted=(200, 201), **kwargs):
    response = client.post(url, json=body, **kwargs)
    assert response.status_code < 500
    assert allows(document, path, "post", body) == (response.status_code in accepted), (
        body,
        response.status_code,
        response.get_json(),
    )


@pytest.mark.parametrize(
    "body",
    [
        {"message": "how do I reset my password"},
        {"message": ""},
        {"message": " \u3000\n"},
        {"message": "\u0096\x07"},
        {},
        {"message": "hi", "page_url": "HTTPS://shop.example/checkout?step=2"},
        {"message": "hi", "page_url": "0000"},
        {"message": "hi", "page_url": "ftp://shop.example/"},
        {"message": "hi", "page_url": "https:///no-host"},
        {"choice": {"slug": "reset-password", "anchor": ""}},
        {"choice": {"slug": "reset-password", "anchor": ""}, "conversation_id": ""},
    ],
)
def test_chat_bodies(client, body):
    agrees(client, openapi(client), "/chat", "/api/v1/chat", body)


def test_a_message_over_the_limit_as_sent_is_413_and_the_limit_is_documented(client):
    schema = openapi(client)["components"]["schemas"]["ChatRequest"]["properties"]["message"]
    assert schema["maxLength"] == 2000
    assert client.post("/api/v1/chat", json={"message": "a" * 2000}).status_code == 200
    refused(client.post("/api/v1/chat", json={"message": "a" * 2000 + " "}), 413)


def test_a_choice_the_conversation_never_offered_is_409(client):
    reply = ask(client, "how do I export invoices")
    choice = {"slug": "no-such-article", "anchor": ""}
    response = client.post(
        "/api/v1/chat", json={"conversation_id": reply["conversation_id"], "choice": choice}
    )
    refused(response, 409)


@pytest.mark.parametrize(
    "answer",
    [
        {"kind": "csat", "score": 0},
        {"kind": "csat", "score": 1},
        {"kind": "csat", "score": 5},
        {"kind": "csat", "score": 6},
        {"kind": "csat", "score": 4.0},
        {"kind": "csat", "score": 4.5},
        {"kind": "csat"},
        {"kind": "nps", "score": 0},
        {"kind": "nps", "score": None},
        {"kind": "nps", "score": 11},
        {"kind": "ces", "choice": "easy"},
        {"kind": "ces", "score": 3},
    ],
)
def test_survey_answers(client, answer):
    reply = ask(client, "how do I export invoices")
    body = {"conversation_id": reply["conversation_id"], **answer}
    agrees(client, openapi(client), "/surveys", "/api/v1/surveys", body)


@pytest.mark.parametrize(
    "target",
    [{}, {"message_id": None, "article": None}, {"article": "reset-password"}, {"message_id": 2.0}, "both"],
)
def test_feedback_targets(client, target):
    reply = ask(client, "how do I export invoices")
    if target == "both":
        target = {"message_id": reply["message_id"], "article": "reset-password"}
    agrees(client, openapi(client), "/feedback", "/api/v1/feedback", {"helpful": True, **target})


@pytest.mark.parametrize(
    "email",
    ["dana@example.com", "", "dana", "dana@shop.test", "dana@EXAMPLE.LOCALHOST", " dana@example.com"],
)
def test_handoff_emails(client, email):
    reply = ask(client, "agent please")
    path = "/conversations/{conversation_id}/handoff"
    url = f"/api/v1/conversations/{reply['conversation_id']}/handoff"
    agrees(client, openapi(client), path, url, {"email": email})


@pytest.mark.parametrize("kind", ["replies", "notes"])
@pytest.mark.parametrize("reply_text", ["Hello Dana", "", "   ", "\u0096", "\u3000\u00a0"])
def test_replies_and_notes_need_some_text(client, agent_token, kind, reply_text):
    reply = ask(client, "agent please")
    handoff = client.post(
        f"/api/v1/conversations/{reply['conversation_id']}/handoff", json={"email": "dana@example.com"}
    ).get_json()
    path = f"/staff/handoffs/{{handoff_id}}/{kind}"
    url = f"/api/v1/staff/handoffs/{handoff['id']}/{kind}"
    agrees(client, openapi(client), path, url, {"text": reply_text}, headers=staff_headers(agent_token))


NEW = {"title": "Paying by PayPal", "body": "Choose **PayPal** at checkout.", "status": "draft"}


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"title": "  "},
        {"title": "\x12Paying"},
        {"title": "???"},
        {"category": ""},
        {"category": "Billing\x07"},
        {"tags": ["paypal", "\x1b[31m"]},
        {"locale": ""},
        {"locale": "en\n"},
        {"locale": "pt-BR"},
        {"slug": "Pay Pal"},
        {"slug": "pay-by-paypal"},
        {"note": "from the CMS\x00"},
    ],
)
def test_article_fields(client, editor_token, fields):
    agrees(
        client,
        openapi(client),
        "/staff/articles",
        "/api/v1/staff/articles",
        {**NEW, **fields},
        accepted=(201,),
        headers=staff_headers(editor_token),
    )


def test_a_title_with_no_letter_or_digit_gets_a_slug_of_its_own(client, editor_token):
    created = client.post(
        "/api/v1/staff/articles", json={**NEW, "title": "???"}, headers=staff_headers(editor_token)
    )
    assert created.status_code == 201
    assert re.fullmatch(r"article-[0-9a-f]{8}", created.get_json()["slug"])


def test_a_taken_slug_is_409_naming_it(client, editor_token):
    headers = staff_headers(editor_token)
    assert client.post("/api/v1/staff/articles", json=NEW, headers=headers).status_code == 201
    refused_naming(client.post("/api/v1/staff/articles", json=NEW, headers=headers), "slug", 409)


# -- If-Match (RFC 9110) ---------------------------------------------------------------------------


@pytest.fixture
def draft(client, editor_token):
    """(url, ETag without quotes, headers) of a new draft article."""
    headers = staff_headers(editor_token)
    created = client.post("/api/v1/staff/articles", json=NEW, headers=headers).get_json()
    return f"/api/v1/staff/articles/{created['id']}", f"{created['id']}.{created['revision']}", headers


@pytest.mark.parametrize("if_match", ["{etag}", "W/{etag}", '"{etag}', '"{etag}" "{etag}"'])
def test_an_if_match_that_is_no_entity_tag_list_is_400(client, draft, if_match):
    url, etag, headers = draft
    response = client.post(f"{url}/publish", headers={**headers, "If-Match": if_match.format(etag=etag)})
    assert "If-Match" in refused(response, 400)["detail"]


@pytest.mark.parametrize(
    "if_match, status",
    [
        ('"{etag}"', 200),
        ('"0.0", "{etag}"', 200),
        ("*", 200),
        ('W/"{etag}"', 412),  # compared strongly: a weak tag never matches
        ('"0.0"', 412),
        ("", 412),  # an empty list (RFC 9110 allows one) matches nothing
        (' , "{etag}"', 200),  # and a recipient accepts empty elements
    ],
)
def test_if_match_compares_entity_tags_strongly(client, draft, if_match, status):
    url, etag, headers = draft
    response = client.post(f"{url}/publish", headers={**headers, "If-Match": if_match.format(etag=etag)})
    assert response.status_code == status, response.get_json()


def test_the_if_match_pattern_is_documented(client, draft):
    header = next(
        parameter
        for parameter in openapi(client)["paths"]["/staff/articles/{article_id}"]["put"]["parameters"]
        if parameter["name"] == "If-Match"
    )
    pattern = header["schema"]["pattern"]
    assert all(re.search(pattern, value) for value in ['"1.2"', 'W/"1.2", "1.3"', "*", ""])
    assert not any(re.search(pattern, value) for value in ["1.2", '"1.2', "W/1.2", '"1.2" *'])
