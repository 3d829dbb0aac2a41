"""Reading request bodies: JSON only, validated by a schema."""

from flask import abort, current_app, request


def read_json(schema=None):
    """The request body validated by `schema`: by default the body the view declares (`documented`),
    so the body it validates is the one the OpenAPI document describes.

    Flask answers 415 to another content type and 400 to malformed JSON; the
    schema raises pydantic's ValidationError (422, naming the field) for the rest.
    """
    if schema is None:
        schema = current_app.view_functions[request.endpoint].openapi.body
    try:
        data = request.get_json()
    except RecursionError:  # Python's JSON parser gives up on pathologically nested input
        abort(400, "The JSON body is nested too deeply.")
    return schema.model_validate(data)
