"""The OpenAPI 3.1 document of /api/v1, derived from the routes and the schemas they validate with.

Each API view declares, with `documented`, only what its route cannot tell: the
bodies it reads and returns, its success status, the errors of its own and its
query or header parameters; its summary is the first paragraph of its docstring.
The rest is derived: paths, methods and path parameters from the URL map, the
staff routes' security from `staff_required`, the errors every JSON body, staff
route or rate-limited route may get. A route without a declaration makes the
document fail to build, so a route cannot be added without being documented.

The document is built once per app, on its first request, when every blueprint
has been registered.
"""

import inspect
import re
from dataclasses import dataclass, field

from flask import Blueprint, current_app, jsonify
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from ...text import NO_NUL
from ..rate_limits import ASKING_ENDPOINTS
from . import schema_types, schemas

bp = Blueprint("openapi", __name__)

API_BLUEPRINT = "api"  # the blueprint whose URL prefix every API route is under (api/__init__.py)
VISITOR = [{}, {"visitorHeader": []}, {"visitorCookie": []}]  # optional: a new visitor gets an id
STAFF = [{"staffToken": []}]
# Any request: a NUL in its path, query string or headers (request_input.refuse_nul), a URL too long.
REQUEST_ERRORS = (400, 414)
JSON_BODY_ERRORS = (400, 413, 415, 422)
STAFF_ERRORS = (401, 403)
RATE_LIMITED_ERRORS = (429, 503)
SERVER_ANSWERED = (414,)  # by the HTTP server before kbbot sees the request: its own body, if any
IGNORED_METHODS = {"HEAD", "OPTIONS"}  # answered by Flask and the CORS checks for every route
_PATH_ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")

ERROR_TEXT = {
    400: "Malformed JSON, a malformed If-Match, or a NUL character (U+0000) in the path, the query string "
    "or a header.",
    401: "No valid staff API token.",
    403: "The token's user lacks the role.",
    404: "Unknown, or not the caller's to see.",
    409: "Conflicts with what is recorded.",
    412: "If-Match names a revision that is no longer the current one.",
    413: "Body or message too large.",
    414: "The URL is longer than the HTTP server reads (answered by the server itself, not as problem details).",
    415: "Body is not application/json.",
    422: "A field or query parameter is missing, of the wrong type or invalid; `errors` names it.",
    428: "The change does not say which revision it was made on (If-Match or base_revision).",
    429: "Over a rate limit (chat messages and searches per visitor and per address, the words they search "
    "per address, the engine calls an address runs at once; reading times per address); see Retry-After.",
    503: "Every engine slot stayed busy for a few seconds; try again after Retry-After.",
}


@dataclass(frozen=True)
class Operation:
    """What an API view declares about itself for the document (see `documented`)."""

    body: type[BaseModel] | None = None  # the JSON request body it validates
    ok: type[BaseModel] | None = None  # the JSON body of its success response
    status: int = 200  # its success status; 204 has no body
    errors: tuple[int, ...] = ()  # its own error statuses, besides the derived ones
    parameters: tuple[dict, ...] = ()  # query and header parameters (`parameter`)
    visitor: bool = True  # whether it acts for a visitor (public routes; staff routes are derived)
    other_statuses: dict[int, str] = field(default_factory=dict)  # further successes, with the same body


def documented(**declared):
    """Attach an `Operation` to an API view; put it under the route decorator."""
    operation = Operation(**declared)

    def decorator(view):
        view.openapi = operation
        return view

    return decorator


def parameter(name, schema, description="", where="query", required=False):
    """An OpenAPI parameter object: a query parameter, or a header with `where="header"`.

    A free string parameter is documented without NUL characters, which no request may hold
    (request_input.refuse_nul: 400).
    """
    if schema.get("type") == "string" and not {"enum", "pattern"} & set(schema):
        schema = {**schema, "pattern": NO_NUL}
    out = {"name": name, "in": where, "schema": schema}
    if required:
        out["required"] = True
    if description:
        out["description"] = description
    return out


@dataclass(frozen=True)
class _Route:
    """One method of one API route, with what its view declared."""

    path: str  # OpenAPI style, under the servers' URL: /staff/handoffs/{handoff_id}
    method: str  # lower case
    endpoint: str
    view: object
    path_parameters: tuple[dict, ...]

    @property
    def declared(self) -> Operation:
        try:
            return self.view.openapi
        except AttributeError:
            raise LookupError(f"{self.endpoint} is not documented: declare it with @documented") from None

    @property
    def staff_role(self):
        return getattr(self.view, "staff_role", None)  # set by staff.staff_required


def _routes(app, prefix):
    """Every method of every API route, in the URL map's order."""
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(f"{prefix}/"):
            continue
        path = _PATH_ARGUMENT.sub(r"{\2}", rule.rule.removeprefix(prefix))
        path_parameters = tuple(
            parameter(name, _converter_schema(app, converter), where="path", required=True)
            for converter, name in _PATH_ARGUMENT.findall(rule.rule)
        )
        for method in sorted(rule.methods - IGNORED_METHODS):
            routes.append(
                _Route(
                    path, method.lower(), rule.endpoint, app.view_functions[rule.endpoint], path_parameters
                )
            )
    return routes


def _converter_schema(app, converter):
    """A path argument's JSON Schema: the converter's own (`json_schema`), else a string without NUL."""
    converter_class = app.url_map.converters[converter or "default"]
    return getattr(converter_class, "json_schema", {"type": "string", "pattern": NO_NUL})


def _ref(model):
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _json(model):
    return {"application/json": {"schema": _ref(model) if model is not None else {"type": "object"}}}


def _errors(route):
    declared = route.declared
    derived = (
        REQUEST_ERRORS
        + (JSON_BODY_ERRORS if declared.body is not None else ())
        + (STAFF_ERRORS if route.staff_role else ())
        + (RATE_LIMITED_ERRORS if route.endpoint in ASKING_ENDPOINTS else ())
    )
    return sorted({*declared.errors, *derived})


def _responses(route):
    declared = route.declared
    if declared.status == 204:
        responses = {"204": {"description": "Recorded."}}
    else:
        responses = {str(declared.status): {"description": "OK", "content": _json(declared.ok)}}
        for status, description in declared.other_statuses.items():
            responses[str(status)] = {"description": description, "content": _json(declared.ok)}
    problem = {"application/problem+json": {"schema": _ref(schema_types.Problem)}}
    for status in _errors(route):
        responses[str(status)] = {"description": ERROR_TEXT[status]}
        if status not in SERVER_ANSWERED:
            responses[str(status)]["content"] = problem
    return responses


def _summary(view):
    """The first paragraph of the view's docstring, on one line, without its final period."""
    return " ".join(inspect.getdoc(view).split("\n\n")[0].split()).removesuffix(".")


def _operation_id(route):
    words = [part for part in route.path.replace("{", "").replace("}", "").split("/") if part]
    return route.method + "".join(word.replace("_", " ").title().replace(" ", "") for word in words)


def _operation(route):
    declared = route.declared
    operation = {
        "summary": _summary(route.view),
        "operationId": _operation_id(route),
        "responses": _responses(route),
        "security": STAFF if route.staff_role else VISITOR if declared.visitor else [],
    }
    if route.path_parameters or declared.parameters:
        operation["parameters"] = [*route.path_parameters, *declared.parameters]
    if declared.body is not None:
        operation["requestBody"] = {"required": True, "content": _json(declared.body)}
    return operation


def _component_schemas(routes):
    requests = {route.declared.body for route in routes} - {None}
    responses = {route.declared.ok for route in routes} - {None} - requests
    pairs = [(model, "validation") for model in requests]
    pairs += [(model, "serialization") for model in responses | {schema_types.Problem}]
    _, definitions = models_json_schema(pairs, ref_template="#/components/schemas/{model}")
    return definitions.get("$defs", {})


def _configured(definitions, config):
    """The body schemas with the limits the app's configuration sets (checked in the views)."""
    message = definitions[schemas.ChatRequest.__name__]["properties"]["message"]
    message["maxLength"] = config["MAX_MESSAGE_CHARS"]
    return definitions


def build(app):
    """The document of `app`'s API routes."""
    prefix = app.blueprints[API_BLUEPRINT].url_prefix
    routes = _routes(app, prefix)
    paths = {}
    for route in routes:
        paths.setdefault(route.path, {})[route.method] = _operation(route)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "kbbot API",
            "version": "1",
            "description": (
                "Chat with the knowledge base, hand off to a person, give feedback and answer surveys; "
                "staff endpoints for the handoff queue. Errors are RFC 9457 problem details. A new visitor "
                "gets a signed id in the X-Kbbot-Visitor response header (and a cookie); send it back in "
                f"the same header. Messages longer than {app.config['MAX_MESSAGE_CHARS']} characters "
                "get 413."
            ),
        },
        "servers": [{"url": prefix}],
        "paths": paths,
        "components": {
            "schemas": _configured(_component_schemas(routes), app.config),
            "securitySchemes": {
                "visitorHeader": {"type": "apiKey", "in": "header", "name": "X-Kbbot-Visitor"},
                "visitorCookie": {"type": "apiKey", "in": "cookie", "name": "kbbot_visitor"},
                "staffToken": {"type": "http", "scheme": "bearer"},
            },
        },
    }


def document(app):
    """`app`'s document, built on first use (by then every route is registered) and kept."""
    built = app.extensions.get("kbbot.openapi")
    if built is None:  # two first requests at once build it twice, to the same result
        built = app.extensions["kbbot.openapi"] = build(app)
    return built


@bp.get("/openapi.json")
@documented(visitor=False)
def openapi_json():
    """This document."""
    return jsonify(document(current_app))
