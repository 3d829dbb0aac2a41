"""The JSON API under /api/v1: the chat widget's and scripts' way into kbbot.

Public resources (chat, conversations, handoff requests, feedback, surveys,
search, articles) act for the signed visitor and answer browsers on allowed
sites (cors.py); `staff` needs an API token of a staff user. Errors are
RFC 9457 problem details (problems.py); bodies are described by schemas.py
and staff_schemas.py, from which openapi.py builds /api/v1/openapi.json.
"""

from flask import Blueprint

from .. import security_headers
from . import (
    articles,
    chat,
    cors,
    feedback,
    openapi,
    presence,
    problems,
    search,
    staff,
    staff_articles,
    staff_saved_replies,
)

bp = Blueprint("api", __name__, url_prefix="/api/v1")
PUBLIC = (chat, presence, feedback, search, articles, openapi)  # called by the widget from allowed sites
STAFF = (staff, staff_articles, staff_saved_replies)  # called by scripts and the staff pages: no CORS
RESOURCES = (*PUBLIC, *STAFF)
for resource in RESOURCES:
    bp.register_blueprint(resource.bp)
# Every blueprint serving /api/v1: the staff side's CSRF tokens are for forms, not for header-authenticated JSON.
BLUEPRINTS = (bp, *(resource.bp for resource in RESOURCES))
problems.register(bp)
security_headers.protect(bp, "api")
for resource in STAFF:  # nested: applied before the API's own
    security_headers.protect(resource.bp, "staff_api")
for resource in PUBLIC:
    cors.register(resource.bp)


def init_app(app):
    app.register_blueprint(bp)
