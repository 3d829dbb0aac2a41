"""Every API error in one shape: RFC 9457 problem details (`application/problem+json`)."""

from flask import current_app, jsonify, request
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from ... import db
from ...errors import Conflict, InvalidInput, NotFound
from .. import security_headers

PROBLEM_TYPE = "about:blank"


def problem(status, title, detail=None, errors=None, headers=None, extra=None):
    """A problem details response; `errors` lists {"field", "message"} for validation failures.

    `extra` adds members of the problem type (e.g. the current revision in a conflict).
    """
    body = {"type": PROBLEM_TYPE, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    body.update(extra or {})
    response = jsonify(body)
    response.status_code = status
    response.content_type = "application/problem+json"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    # Also for URLs under /api/ that no route matched, which no blueprint's after_request sees.
    return security_headers.apply(response, "staff_api" if _is_staff_api() else "api")


STAFF_BLUEPRINTS = ("api.staff", "api.staff_articles")


def _is_staff_api():
    return request.blueprint in STAFF_BLUEPRINTS


def field_errors(error: ValidationError):
    """Pydantic's errors as {"field": "a.b", "message"} pairs, naming the field for the client."""
    return [
        {"field": ".".join(str(part) for part in item["loc"]) or "body", "message": item["msg"]}
        for item in error.errors(include_url=False, include_input=False)
    ]


def http_error(error: HTTPException):
    # The error's own headers (Allow with a 405, Retry-After with a 429), but not its HTML content type.
    headers = {name: value for name, value in error.get_headers() if name.lower() != "content-type"}
    return problem(error.code, error.name, error.description, headers=headers)


def _validation_error(error: ValidationError):
    errors = field_errors(error)
    detail = "; ".join(f"{item['field']}: {item['message']}" for item in errors)
    return problem(422, "Unprocessable Content", detail, errors=errors)


def _invalid_input(error: InvalidInput):
    return problem(
        422, "Unprocessable Content", str(error), errors=[{"field": error.field, "message": error.message}]
    )


def _unexpected(error: Exception):
    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    return problem(500, "Internal Server Error", "The server could not complete the request.")


def database_unavailable(error: Exception) -> ServiceUnavailable:
    """The 503 for a database that cannot answer now (`db.UNAVAILABLE`), logged in one line: a client
    tries again after Retry-After, and the next request gets a fresh connection."""
    current_app.logger.warning(
        "database unavailable on %s %s: %s", request.method, request.path, str(error).splitlines()[0]
    )
    return ServiceUnavailable(
        "The help desk cannot reach its database just now; try again in a few seconds.",
        retry_after=db.RETRY_AFTER_SECONDS,
    )


def register(blueprint):
    """Install the handlers on the API blueprint (nested blueprints inherit them)."""
    blueprint.register_error_handler(HTTPException, http_error)
    blueprint.register_error_handler(ValidationError, _validation_error)
    blueprint.register_error_handler(InvalidInput, _invalid_input)
    blueprint.register_error_handler(NotFound, lambda e: problem(404, "Not Found", str(e)))
    blueprint.register_error_handler(Conflict, lambda e: problem(409, "Conflict", str(e)))
    for unavailable in db.UNAVAILABLE:
        blueprint.register_error_handler(unavailable, lambda e: http_error(database_unavailable(e)))
    blueprint.register_error_handler(Exception, _unexpected)


def wants_problem_json():
    """Errors outside any blueprint's routes (unknown URL, wrong method) under /api/ are JSON too."""
    return request.path.startswith("/api/")
