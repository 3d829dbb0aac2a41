"""Configuration read from the environment (12-factor), with embedded defaults.

Every setting has a default that runs the bundled sample help center on SQLite
with an on-disk index and the packaged embedding model, so a fresh checkout
starts with no configuration at all.
"""

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _number(name, default, kind, description):
    """Environment variable `name` converted by `kind`, or `default` when unset or empty."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return kind(value)
    except ValueError as e:
        raise ValueError(f"environment variable {name} must be {description}, got {value!r}") from e


def _float(name, default):
    return _number(name, default, float, "a number")


def _int(name, default):
    return _number(name, default, int, "an integer")


def _path(name, default):
    return Path(os.environ.get(name) or default).resolve()


class Config:
    """Settings of one kbbot instance; read once, when the app is created."""

    def __init__(self):
        self.INSTANCE_PATH = _path("KBBOT_INSTANCE_PATH", PROJECT_ROOT / "instance")
        self.DATABASE_URL = os.environ.get("KBBOT_DATABASE_URL") or (
            f"sqlite:///{self.INSTANCE_PATH / 'kbbot.sqlite3'}"
        )
        self.INDEX_DIR = _path("KBBOT_INDEX_DIR", PROJECT_ROOT / "index")
        self.ARTICLES_DIR = _path("KBBOT_ARTICLES_DIR", PROJECT_ROOT / "articles")
        # None means the packaged all-MiniLM-L6-v2; otherwise a local
        # sentence-transformers model directory. Never a hub name.
        self.EMBEDDING_MODEL = os.environ.get("KBBOT_EMBEDDING_MODEL") or None
        # A random key keeps a fresh install safe; production sets SECRET_KEY
        # so that signed ids survive restarts and are shared by all workers.
        self.SECRET_KEY = os.environ.get("SECRET_KEY") or secrets.token_hex(32)

        # Decision thresholds on the confidence in [0, 1]; see docs/calibration.md
        # for how they were measured.
        self.ANSWER_THRESHOLD = _float("KBBOT_ANSWER_THRESHOLD", 0.63)
        self.SUGGEST_THRESHOLD = _float("KBBOT_SUGGEST_THRESHOLD", 0.61)

        # Articles larger than this are refused by sync, with an error naming the file.
        self.MAX_ARTICLE_BYTES = _int("KBBOT_MAX_ARTICLE_BYTES", 512 * 1024)
        # On first start, import ARTICLES_DIR into an empty database.
        self.SYNC_ON_FIRST_START = os.environ.get("KBBOT_SYNC_ON_FIRST_START", "1") != "0"

    def to_flask(self):
        """The settings as the upper-case mapping Flask's config expects."""
        return {key: value for key, value in vars(self).items() if key.isupper()}
