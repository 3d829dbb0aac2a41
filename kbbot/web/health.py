"""Liveness and readiness for load balancers and orchestrators."""

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from . import security_headers
from .services import get_engine
from .session import failure_count, get_session

bp = Blueprint("health", __name__)
security_headers.protect(bp, "api")


@bp.get("/healthz")
def healthz():
    """200 with the indexed content's size when the database answers and the index is current."""
    session = get_session()
    try:
        session.execute(text("SELECT 1"))
        engine = get_engine()
        engine.ensure_current(session)
    except Exception:  # any failure means "not ready"; the reason is logged, never shown
        session.rollback()
        current_app.logger.exception("health check failed")
        return jsonify(status="unavailable"), 503
    return jsonify(
        status="ok",
        articles=engine.article_count(),
        entries=engine.entry_count(),
        generation=engine.generation,
        event_log_failures=failure_count(current_app),
    )
