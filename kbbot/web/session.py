"""The database session of a request (or of a CLI command, which runs in an app context too).

The core takes a session as an argument; this is where the web layer and the CLI get one: opened
on first use, closed with the app context. The events the work queued on it (`events.record`) are
written after each response and when the context ends (`events.flush`); failures are counted for
/healthz.
"""

from flask import current_app, g
from sqlalchemy.orm import Session

from .. import events

FAILURES = "kbbot.event_failures"  # app.extensions: events that could not be written


def get_session() -> Session:
    """The session of the current app context, opened on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["kbbot.sessionmaker"]()
    return g.db_session


def opened_session() -> Session | None:
    """The current app context's session if one was opened, else None."""
    return g.get("db_session")


def write_events():
    """Write the events queued on this context's session now (`events.flush`)."""
    session = opened_session()
    if session is not None:
        count_failed_events(current_app, events.flush(session))


def count_failed_events(app, failed):
    """Add `failed` events that could not be written to the app's count."""
    if failed:
        app.extensions[FAILURES] = app.extensions.get(FAILURES, 0) + failed


def failure_count(app):
    """How many events this app could not write since it started."""
    return app.extensions.get(FAILURES, 0)


def init_app(app):
    app.extensions[FAILURES] = 0

    @app.after_request
    def _write_events(response):
        write_events()
        return response

    @app.teardown_appcontext
    def _close(exception=None):
        if exception is None:
            write_events()  # a CLI command's events (after a request, none are left by now)
        session = g.pop("db_session", None)
        if session is not None:
            session.close()
