"""Reading request bodies: JSON only, validated by a schema."""

from flask import abort, request


def read_json(schema):
    """The request body validated by `schema`.

    Flask answers 415 to another content type and 400 to malformed JSON; the
    schema raises pydantic's ValidationError (422, naming the field) for the rest.
    """
    try:
        data = request.get_json()
    except RecursionError:  # Python's JSON parser gives up on pathologically nested input
        abort(400, "The JSON body is nested too deeply.")
    return schema.model_validate(data)
