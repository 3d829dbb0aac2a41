"""The OpenAPI 3.1 document of /api/v1, built from the same schemas the routes validate with.

`OPERATIONS` lists every route once; a test checks it against the app's URL
map, so a route cannot be added without being documented.
"""

from flask import Blueprint, current_app, jsonify
from pydantic.json_schema import models_json_schema

from ...models import MAX_ID
from . import schemas, staff_schemas

bp = Blueprint("openapi", __name__)

VISITOR = [{}, {"visitorHeader": []}, {"visitorCookie": []}]  # optional: a new visitor gets an id
STAFF = [{"staffToken": []}]


def _op(
    method, path, summary, body=None, ok=None, status=200, errors=(), security=None, params=(), extra=None
):
    return {
        "method": method,
        "path": path,
        "summary": summary,
        "body": body,
        "ok": ok,
        "status": status,
        "errors": errors,
        "security": security,
        "params": params,
        "extra": extra or {},
    }


_ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}  # anything else in the path: 404
_PATH_ID = {"name": "conversation_id", "in": "path", "required": True, "schema": {"type": "string"}}
_HANDOFF_ID = {"name": "handoff_id", "in": "path", "required": True, "schema": _ID}
_VIEW_ID = {"name": "view_id", "in": "path", "required": True, "schema": _ID}
_JSON_ERRORS = (400, 413, 415, 422)

OPERATIONS = [
    _op(
        "post",
        "/chat",
        "Ask a question; starts a conversation unless conversation_id is given",
        schemas.ChatRequest,
        schemas.ChatResponse,
        errors=_JSON_ERRORS + (404, 429),
        security=VISITOR,
    ),
    _op(
        "get",
        "/conversations/{conversation_id}",
        "The visitor's transcript, including agent replies; poll with ?after=<cursor>",
        ok=schemas.ConversationOut,
        errors=(404, 422),
        security=VISITOR,
        params=(
            _PATH_ID,
            {
                "name": "after",
                "in": "query",
                "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID, "default": 0},
            },
        ),
    ),
    _op(
        "post",
        "/conversations/{conversation_id}/handoff",
        "Hand the conversation to a person (idempotent: one handoff per conversation)",
        schemas.HandoffRequest,
        schemas.HandoffCreated,
        status=201,
        errors=_JSON_ERRORS + (404,),
        security=VISITOR,
        params=(_PATH_ID,),
        extra={"200": "The conversation already had this handoff."},
    ),
    _op(
        "post",
        "/conversations/{conversation_id}/end",
        "The customer closed the conversation",
        ok=schemas.EndedOut,
        errors=(404,),
        security=VISITOR,
        params=(_PATH_ID,),
    ),
    _op(
        "get",
        "/availability",
        "Whether people answer now, and what to tell the customer",
        ok=schemas.Availability,
    ),
    _op(
        "post",
        "/feedback",
        "Helpful yes/no on a bot answer or an article",
        schemas.FeedbackRequest,
        schemas.FeedbackOut,
        status=201,
        errors=_JSON_ERRORS + (404,),
        security=VISITOR,
    ),
    _op(
        "post",
        "/surveys",
        "A CSAT, CES or NPS answer; one per kind per conversation",
        schemas.SurveyRequest,
        schemas.SurveyOut,
        status=201,
        errors=_JSON_ERRORS + (404, 409),
        security=VISITOR,
    ),
    _op(
        "get",
        "/search",
        "Search the help center",
        ok=schemas.SearchOut,
        errors=(422, 429),
        security=VISITOR,
        params=(
            {"name": "q", "in": "query", "required": True, "schema": {"type": "string", "maxLength": 500}},
            {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 50}},
        ),
    ),
    _op(
        "get",
        "/articles/{slug}",
        "A published article, its body as sanitized HTML (logged as a view in the widget)",
        ok=schemas.ArticleOut,
        errors=(404,),
        security=VISITOR,
        params=({"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}},),
    ),
    _op(
        "post",
        "/views/{view_id}",
        "How long the visitor spent on an article page (sent by the page)",
        schemas.ViewDuration,
        status=204,
        errors=_JSON_ERRORS + (404,),
        security=VISITOR,
        params=(_VIEW_ID,),
    ),
    _op(
        "get",
        "/staff/handoffs",
        "The handoff queue: waiting handoffs oldest first, then resolved ones latest first",
        ok=staff_schemas.HandoffList,
        errors=(400, 401, 403),
        security=STAFF,
        params=(
            {"name": "status", "in": "query", "schema": {"enum": ["open", "assigned", "resolved"]}},
            {"name": "mine", "in": "query", "schema": {"type": "string", "enum": ["1", "true"]}},
        ),
    ),
    _op(
        "get",
        "/staff/handoffs/{handoff_id}",
        "A handoff with its context: transcript, articles viewed, searches, page",
        ok=staff_schemas.HandoffContext,
        errors=(401, 403, 404),
        security=STAFF,
        params=(_HANDOFF_ID,),
    ),
    _op(
        "post",
        "/staff/handoffs/{handoff_id}/assign",
        "Assign the handoff to the caller",
        ok=staff_schemas.HandoffState,
        errors=(401, 403, 404, 409),
        security=STAFF,
        params=(_HANDOFF_ID,),
    ),
    _op(
        "post",
        "/staff/handoffs/{handoff_id}/replies",
        "Reply to the customer (appears in their conversation)",
        staff_schemas.ReplyRequest,
        schemas.MessageOut,
        status=201,
        errors=_JSON_ERRORS + (401, 403, 404, 409),
        security=STAFF,
        params=(_HANDOFF_ID,),
    ),
    _op(
        "post",
        "/staff/handoffs/{handoff_id}/notes",
        "Add an internal note (staff only: never shown to the customer)",
        staff_schemas.NoteRequest,
        staff_schemas.NoteOut,
        status=201,
        errors=_JSON_ERRORS + (401, 403, 404),
        security=STAFF,
        params=(_HANDOFF_ID,),
    ),
    _op(
        "get",
        "/staff/handoffs/{handoff_id}/suggestions",
        "Articles for the reply, from the customer's questions or ?q=, flagged when the customer saw them",
        ok=staff_schemas.SuggestionsOut,
        errors=(401, 403, 404),
        security=STAFF,
        params=(
            _HANDOFF_ID,
            {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 500}},
        ),
    ),
    _op(
        "post",
        "/staff/handoffs/{handoff_id}/resolve",
        "Resolve the handoff with a reason",
        staff_schemas.ResolveRequest,
        staff_schemas.HandoffState,
        errors=_JSON_ERRORS + (401, 403, 404, 409),
        security=STAFF,
        params=(_HANDOFF_ID,),
    ),
    _op(
        "post",
        "/staff/handoffs/{handoff_id}/reopen",
        "Reopen a resolved handoff",
        ok=staff_schemas.HandoffState,
        errors=(401, 403, 404, 409),
        security=STAFF,
        params=(_HANDOFF_ID,),
    ),
    _op(
        "get",
        "/staff/conversations/{conversation_id}",
        "Any conversation's transcript",
        ok=schemas.ConversationOut,
        errors=(401, 403, 404),
        security=STAFF,
        params=(_PATH_ID,),
    ),
    _op("get", "/openapi.json", "This document"),
]

# -- staff: articles (api/staff_articles.py) ------------------------------------------
_ARTICLE_ID = {"name": "article_id", "in": "path", "required": True, "schema": _ID}
_IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "schema": {"type": "string"},
    "description": "The ETag of the revision the change was made on (from a GET); a stale one gets 412.",
}
_ARTICLE_FILTERS = tuple(
    {"name": name, "in": "query", "schema": schema, **({"description": description} if description else {})}
    for name, schema, description in (
        ("q", {"type": "string"}, "Words in the title or body."),
        ("category", {"type": "string"}, "A category's slug."),
        ("status", {"enum": ["published", "draft"]}, ""),
        ("locale", {"type": "string"}, ""),
        ("helpful", {"enum": ["under-50", "under-80", "80-plus", "unrated"]}, "Helpful-rate band."),
        ("edited_within", {"enum": ["7", "30", "90"]}, "Days since the last edit."),
        ("sort", {"enum": ["edited", "oldest", "title", "helpful"]}, "Default: most recently edited first."),
        ("page", {"type": "integer", "minimum": 1}, ""),
        ("per_page", {"type": "integer", "minimum": 1, "maximum": 200}, "Default 50."),
    )
)
OPERATIONS += [
    _op(
        "get",
        "/staff/articles",
        "Articles, drafts included, with helpful rate and last edit; filtered, sorted, paginated",
        ok=staff_schemas.StaffArticleList,
        errors=(401, 403, 422),
        security=STAFF,
        params=_ARTICLE_FILTERS,
    ),
    _op(
        "post",
        "/staff/articles",
        "Create an article (validated like a file for kbbot sync); the response's ETag is its revision",
        staff_schemas.ArticleWrite,
        staff_schemas.StaffArticle,
        status=201,
        errors=_JSON_ERRORS + (401, 403),
        security=STAFF,
    ),
    _op(
        "get",
        "/staff/articles/{article_id}",
        "An article with its current revision number (also its ETag)",
        ok=staff_schemas.StaffArticle,
        errors=(401, 403, 404),
        security=STAFF,
        params=(_ARTICLE_ID,),
    ),
    _op(
        "put",
        "/staff/articles/{article_id}",
        "Replace an article's fields and body; needs If-Match or base_revision (stale: 412 or 409)",
        staff_schemas.ArticleWrite,
        staff_schemas.StaffArticle,
        errors=_JSON_ERRORS + (401, 403, 404, 409, 412, 428),
        security=STAFF,
        params=(_ARTICLE_ID, _IF_MATCH),
    ),
    _op(
        "delete",
        "/staff/articles/{article_id}",
        "Delete an article and its history",
        status=204,
        errors=(401, 403, 404, 412),
        security=STAFF,
        params=(_ARTICLE_ID, _IF_MATCH),
    ),
    _op(
        "post",
        "/staff/articles/{article_id}/publish",
        "Publish an article as it is; the bot answers from it at once",
        ok=staff_schemas.StaffArticle,
        errors=(401, 403, 404, 409, 412),
        security=STAFF,
        params=(_ARTICLE_ID, _IF_MATCH),
    ),
    _op(
        "post",
        "/staff/articles/{article_id}/unpublish",
        "Make an article a draft: off the help center and out of the bot's answers",
        ok=staff_schemas.StaffArticle,
        errors=(401, 403, 404, 409, 412),
        security=STAFF,
        params=(_ARTICLE_ID, _IF_MATCH),
    ),
]


def _component_schemas():
    models = {op[key] for op in OPERATIONS for key in ("body", "ok") if op[key] is not None} | {
        schemas.Problem
    }
    pairs = [(model, "validation" if model in _request_models() else "serialization") for model in models]
    _, definitions = models_json_schema(pairs, ref_template="#/components/schemas/{model}")
    return definitions.get("$defs", {})


def _request_models():
    return {op["body"] for op in OPERATIONS if op["body"] is not None}


def _ref(model):
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _operation(op):
    responses = {}
    if op["status"] == 204:
        responses["204"] = {"description": "Recorded."}
    elif op["ok"] is not None:
        responses[str(op["status"])] = {
            "description": "OK",
            "content": {"application/json": {"schema": _ref(op["ok"])}},
        }
    else:
        responses["200"] = {
            "description": "OK",
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    for code, description in op["extra"].items():
        responses[code] = {"description": description, "content": responses[str(op["status"])]["content"]}
    for code in op["errors"]:
        responses[str(code)] = {
            "description": _ERROR_TEXT[code],
            "content": {"application/problem+json": {"schema": _ref(schemas.Problem)}},
        }
    operation = {"summary": op["summary"], "operationId": _operation_id(op), "responses": responses}
    if op["params"]:
        operation["parameters"] = list(op["params"])
    if op["body"] is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref(op["body"])}},
        }
    operation["security"] = op["security"] if op["security"] is not None else []
    return operation


def _operation_id(op):
    words = [part for part in op["path"].replace("{", "").replace("}", "").split("/") if part]
    return op["method"] + "".join(word.replace("_", " ").title().replace(" ", "") for word in words)


_ERROR_TEXT = {
    400: "Malformed JSON or query parameter.",
    401: "No valid staff API token.",
    403: "The token's user lacks the role.",
    404: "Unknown, or not the caller's to see.",
    409: "Conflicts with what is recorded.",
    412: "If-Match names a revision that is no longer the current one.",
    413: "Body or message too large.",
    415: "Body is not application/json.",
    422: "A field is missing, of the wrong type or invalid; `errors` names it.",
    428: "The change does not say which revision it was made on (If-Match or base_revision).",
    429: "Over a rate limit on chat messages and searches (per visitor and per address); see Retry-After.",
}


def document():
    paths = {}
    for op in OPERATIONS:
        paths.setdefault(op["path"], {})[op["method"]] = _operation(op)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "kbbot API",
            "version": "1",
            "description": (
                "Chat with the knowledge base, hand off to a person, give feedback and answer surveys; "
                "staff endpoints for the handoff queue. Errors are RFC 9457 problem details. A new visitor "
                "gets a signed id in the X-Kbbot-Visitor response header (and a cookie); send it back in "
                f"the same header. Messages longer than {current_app.config['MAX_MESSAGE_CHARS']} characters "
                "get 413."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "paths": paths,
        "components": {
            "schemas": _component_schemas(),
            "securitySchemes": {
                "visitorHeader": {"type": "apiKey", "in": "header", "name": "X-Kbbot-Visitor"},
                "visitorCookie": {"type": "apiKey", "in": "cookie", "name": "kbbot_visitor"},
                "staffToken": {"type": "http", "scheme": "bearer"},
            },
        },
    }


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(document())
