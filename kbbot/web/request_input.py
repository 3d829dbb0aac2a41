"""Rules every request's input keeps before a view sees it, so that odd input is a 4xx, never a 500.

- No NUL characters in the path, the query string, form fields or headers: PostgreSQL text
  cannot hold them, no browser sends one, and RFC 9110 forbids them in header fields. Such a
  request is refused with 400. JSON bodies are the API schemas' to check (api/schemas.py:
  422 naming the field).
- Ids are whole numbers in ASCII digits within the database's integer range (`models.MAX_ID`):
  `<id:name>` in a route matches nothing else (404, as an unknown id is), and `id_arg` reads a
  query parameter by the same rule (`number_arg`, any whole number within bounds: 422 otherwise).
"""

from flask import abort, request
from werkzeug.exceptions import NotFound
from werkzeug.routing import BaseConverter

from ..errors import InvalidInput
from ..models import MAX_ID
from ..text import whole_number

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")  # the bodies with form fields


class IdConverter(BaseConverter):
    """`<id:name>` in a route: a whole number from 1 to MAX_ID; any other path segment is 404."""

    regex = r"[0-9]+"
    weight = 50  # as werkzeug's own number converters
    json_schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID}  # for the OpenAPI document

    def to_python(self, value):
        number = whole_number(value)
        if number is None or not 1 <= number <= MAX_ID:
            # An id that cannot exist is an unknown one. (werkzeug's ValidationError would answer
            # 405 instead when a route for another method has the same path.)
            raise NotFound()
        return number

    def to_url(self, value):
        return str(int(value))


def number_arg(name, default, low, high):
    """The query parameter `name` as a whole number from `low` to `high`; `default` when absent.

    Raises InvalidInput naming the parameter for anything else, an empty value included (the API
    answers 422), as the OpenAPI document's `integer` with that minimum and maximum says.
    """
    text = request.args.get(name)
    if text is None:
        return default
    number = whole_number(text)
    if number is None or not low <= number <= high:
        raise InvalidInput(name, f"must be a whole number from {low} to {high}")
    return number


def id_arg(name, default=0):
    """The query parameter `name` as an id or cursor from 0 to MAX_ID; `default` when absent."""
    return number_arg(name, default, 0, MAX_ID)


def _has_nul(pairs):
    return any("\x00" in key or "\x00" in value for key, value in pairs)


def refuse_nul():
    """Before every request: 400 when the path, query string, a form field or a header holds a NUL."""
    places = (
        ("path", lambda: "\x00" in request.path),
        ("query string", lambda: _has_nul(request.args.items(multi=True))),
        ("form fields", lambda: request.mimetype in FORM_TYPES and _has_nul(request.form.items(multi=True))),
        ("headers", lambda: _has_nul(request.headers.items())),
    )
    for place, holds_nul in places:
        if holds_nul():
            abort(400, f"A NUL character (U+0000) in the request's {place}: kbbot accepts none.")


def stated_reason(error):
    """What kbbot said was wrong with a refused request (`abort(400, "...")`), or None where the
    error carries only werkzeug's generic sentence."""
    return error.description if error.description != type(error).description else None


def init_app(app):
    """Install the rules; before any blueprint is registered, so that their routes may use `<id:...>`."""
    app.url_map.converters["id"] = IdConverter
    app.before_request(refuse_nul)
