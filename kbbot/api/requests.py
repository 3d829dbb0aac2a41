"""Reading request bodies: JSON only, validated by a schema."""

from flask import request


def read_json(schema):
    """The request body validated by `schema`.

    Flask answers 415 to another content type and 400 to malformed JSON; the
    schema raises pydantic's ValidationError (422, naming the field) for the rest.
    """
    return schema.model_validate(request.get_json())
