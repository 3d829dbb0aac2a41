"""kbbot: a self-hosted knowledge-base chatbot for customer support."""

import logging

from flask import Flask

from . import commands, db, health, services
from .config import Config


def create_app(config=None):
    """Build a kbbot application.

    `config` is a `Config`, or a mapping of settings that override the ones
    read from the environment (tests pass their own database and index dir).
    The database schema is migrated to the latest revision; the embedding
    model and the index are loaded on first use.
    """
    settings = Config().to_flask()
    if isinstance(config, Config):
        settings.update(config.to_flask())
    elif config:
        settings.update(config)
    app = Flask(__name__, instance_path=str(settings["INSTANCE_PATH"]))
    app.config.update(settings)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("alembic", "sentence_transformers", "bm25s"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    db.init_app(app)
    db.upgrade(app.extensions["kbbot.engine"])
    services.init_app(app)
    commands.init_app(app)
    app.register_blueprint(health.bp)
    return app
