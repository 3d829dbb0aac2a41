"""The bases every API body is built on, the field types they share, and the errors' body.

Requests are strict: a number is not accepted where a string is expected, or vice versa. Unknown
fields are ignored, so clients may send more than this version reads. A type's JSON Schema states
what its validator checks (`Documented`), so the OpenAPI document says what the API does.
"""

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from ...models import MAX_ID
from ...text import HAS_TEXT, NO_NUL, clean_text


class Documented:
    """Annotated metadata adding to a type's JSON Schema what a validator of ours checks, so that
    the document states the rule (`Documented(pattern=...)`) while the validator words its error."""

    def __init__(self, **schema):
        self.schema = schema

    def __get_pydantic_json_schema__(self, core_schema, handler):
        return {**handler(core_schema), **self.schema}


Text = Annotated[str, AfterValidator(clean_text)]
# Free text that must say something: more than whitespace and control characters (checked where it is used).
SomeText = Annotated[str, AfterValidator(clean_text), Documented(pattern=HAS_TEXT)]


def _without_nul(value):
    if "\x00" in value:
        raise ValueError("must not contain a NUL character (U+0000)")
    return value


# A string used as sent (an id, a slug, a URL): one with a NUL is refused, as PostgreSQL cannot store it.
Verbatim = Annotated[str, AfterValidator(_without_nul), Documented(pattern=NO_NUL)]
# An http(s) URL with a host, as sent (`page_url`); the scheme in any case, as URLs allow.
WEB_URL = r"^[Hh][Tt][Tt][Pp][Ss]?://[^/?#\x00]+[^\x00]*$"
_WEB_URL = re.compile(WEB_URL)


def _whole(value):
    # JSON Schema's integer is any number without a fraction: 2.0 is 2 (pydantic's strict int refuses it).
    return int(value) if isinstance(value, float) and value.is_integer() else value


Whole = Annotated[int, BeforeValidator(_whole)]
# A row's id: what the database's integer columns hold.
Id = Annotated[int, Field(ge=1, le=MAX_ID), BeforeValidator(_whole)]


class Request(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")


class Response(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @classmethod
    def from_attributes(cls, source, **fields):
        """This response for `source`: the `fields` given, and each other field the attribute of `source`
        of the same name (a model's column, say), as pydantic's `from_attributes` reads them."""
        read = {name: getattr(source, name) for name in cls.model_fields if name not in fields}
        return cls(**read, **fields)


def _web_url(value):
    if value is not None and not _WEB_URL.fullmatch(value):
        raise ValueError("must be an http(s) URL")
    return value


WebUrl = Annotated[str, AfterValidator(_web_url), Documented(pattern=WEB_URL)]


class Problem(Response):
    """RFC 9457 problem details."""

    model_config = ConfigDict(extra="allow")
    type: str
    title: str
    status: int
    detail: str | None = None
    errors: list[dict[str, str]] | None = Field(
        None, description="For 422: each invalid field and what is wrong."
    )
