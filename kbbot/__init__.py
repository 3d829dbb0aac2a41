"""kbbot: a self-hosted knowledge-base chatbot for customer support.

The core packages (search, articles, support, reports) import without Flask; the web layer
(`kbbot.web`) is loaded when an application is built.
"""


def create_app(config=None):
    """Build a kbbot application (`kbbot.web.app.create_app`)."""
    from .web.app import create_app as build_app  # Flask loads with the app, not with the core

    return build_app(config)
