"""A help center's own settings, shipped beside its articles in `kbbot.toml`.

The articles state facts about the product that kbbot must repeat: its name, where to write to
support, when people answer. A file next to them keeps a help center consistent with its own
articles wherever it is served, with no environment to set. The environment and create_app's
overrides still win, setting by setting (kbbot/config.py).
"""

import tomllib
from pathlib import Path

from .errors import SettingsError
from .support import business_hours
from .text import is_link

FILE_NAME = "kbbot.toml"
# The keys a settings file may hold, and the setting (config.Config attribute) each gives.
KEYS = {
    "product_name": "PRODUCT_NAME",
    "support_url": "SUPPORT_URL",
    "business_hours": "BUSINESS_HOURS",
    "timezone": "TIMEZONE",
}
SUPPORT_URL_SCHEMES = ("https", "http", "mailto")


def _check(key, value):
    """What is wrong with `value` for `key`, or None."""
    if not isinstance(value, str):
        return f"must be a string in quotes, got {value!r}"
    if key == "product_name" and not value.strip():
        return "must not be empty"
    if key == "support_url" and not is_link(value, SUPPORT_URL_SCHEMES):
        return f"must be a URL starting with https://, http:// or mailto:, got {value!r}"
    try:
        if key == "business_hours":
            business_hours.parse(value)
        elif key == "timezone":
            business_hours.parse("24/7", value)  # the zone alone, checked as the app reads it
    except ValueError as e:
        return str(e)
    return None


def load(articles_dir):
    """The settings in `articles_dir`/kbbot.toml as {Config attribute: value}; {} when there is no file.

    Raises SettingsError naming the file and the key of anything it cannot use: TOML that does not
    parse, an unknown key, a value that is not a string or does not read (business hours, time zone,
    support URL), so that a typo stops the app at start rather than showing on a page.
    """
    path = Path(articles_dir) / FILE_NAME
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise SettingsError(path, None, f"cannot be read as UTF-8 TOML: {e}") from e
    settings = {}
    for key, value in table.items():
        if key not in KEYS:
            raise SettingsError(path, key, f"unknown setting; the file may hold {', '.join(KEYS)}")
        problem = _check(key, value)
        if problem:
            raise SettingsError(path, key, problem)
        settings[KEYS[key]] = value
    return settings
