"""The JSON API under /api/v1: the chat widget's and scripts' way into kbbot.

Public resources (chat, conversations, handoff requests, feedback, surveys,
search) act for the signed visitor; `staff` needs an API token of a staff
user. Errors are RFC 9457 problem details (problems.py); bodies are described
by schemas.py, from which openapi.py builds /api/v1/openapi.json.
"""

from flask import Blueprint

from . import chat, feedback, openapi, problems, search, staff

bp = Blueprint("api", __name__, url_prefix="/api/v1")
for resource in (chat, feedback, search, staff, openapi):
    bp.register_blueprint(resource.bp)
problems.register(bp)


def init_app(app):
    app.register_blueprint(bp)

    # Unknown URLs and wrong methods under /api/ never reach the blueprint: answer them in the same shape.
    @app.errorhandler(404)
    @app.errorhandler(405)
    def _not_routed(error):
        return problems.http_error(error) if problems.wants_problem_json() else error
