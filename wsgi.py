"""Production entry point: `gunicorn wsgi:app` (or any WSGI server)."""

from kbbot import create_app
from kbbot.web.services import prepare_to_serve
from kbbot.web.session import get_session

app = create_app()
with app.app_context():
    prepare_to_serve(get_session())
