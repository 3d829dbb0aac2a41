"""Production entry point: `gunicorn wsgi:app` (or any WSGI server)."""

from kbbot import create_app
from kbbot.services import prepare_to_serve

app = create_app()
with app.app_context():
    prepare_to_serve()
