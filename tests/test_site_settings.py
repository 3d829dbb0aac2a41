"""A help center's own settings file beside its articles: the sample's, precedence, and bad files."""

import re
from datetime import time

import pytest

from kbbot import site_settings
from kbbot.articles.source import read_article_file
from kbbot.config import Config
from kbbot.errors import SettingsError
from kbbot.support import business_hours
from tests.helpers import SAMPLE_ARTICLES, make_app

SITE_ENVIRONMENT = ("KBBOT_PRODUCT_NAME", "KBBOT_SUPPORT_URL", "KBBOT_BUSINESS_HOURS", "KBBOT_TIMEZONE")
ACME = 'product_name = "Acme"\nbusiness_hours = "mon-sat 07:00-19:00"\ntimezone = "Europe/Lisbon"\n'


@pytest.fixture
def acme_articles(articles_dir, monkeypatch):
    """An articles directory with Acme's settings file, and none of those settings in the environment."""
    for name in SITE_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    (articles_dir / site_settings.FILE_NAME).write_text(ACME, encoding="utf-8")
    return articles_dir


def test_the_samples_settings_say_what_its_support_hours_article_says():
    title = read_article_file(SAMPLE_ARTICLES / "getting-started" / "support-hours.md", 4096).title
    stated = re.search(r"\((\S+@\S+)\), Monday to Friday, (\d+:\d\d) to (\d+:\d\d) (\w+)$", title)
    email, opens, closes, zone = stated.groups()
    settings = site_settings.load(SAMPLE_ARTICLES)
    schedule = business_hours.parse(settings["BUSINESS_HOURS"], settings["TIMEZONE"])
    weekday = ((time.fromisoformat(opens.zfill(5)), time.fromisoformat(closes.zfill(5))),)
    assert schedule.hours == (weekday,) * 5 + ((),) * 2
    assert schedule.zone.key == zone
    assert settings["SUPPORT_URL"] == f"mailto:{email}"
    assert title.startswith(f"{settings['PRODUCT_NAME']} support ")


def test_the_sample_help_center_is_served_under_its_own_name_and_hours(sample_app):
    html = sample_app.test_client().get("/").get_data(as_text=True)
    assert "<title>Ledgerly</title>" in html and 'class="kb-brand__name">Ledgerly<' in html
    assert 'href="mailto:support@ledgerly.app">Contact support</a>' in html
    assert sample_app.extensions["kbbot.business_hours"].zone.key == "CET"


def test_the_environment_overrides_the_file_and_the_file_the_defaults(acme_articles, monkeypatch):
    monkeypatch.setenv("KBBOT_PRODUCT_NAME", "Acme Support")
    config = Config(acme_articles)
    assert config.PRODUCT_NAME == "Acme Support"
    assert (config.BUSINESS_HOURS, config.TIMEZONE) == ("mon-sat 07:00-19:00", "Europe/Lisbon")
    assert config.SUPPORT_URL is None


def test_without_a_file_the_defaults_hold(articles_dir, monkeypatch):
    for name in SITE_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    config = Config(articles_dir)
    assert (config.PRODUCT_NAME, config.BUSINESS_HOURS, config.TIMEZONE) == (
        "Help Center",
        "mon-fri 09:00-17:00",
        "UTC",
    )


def test_create_app_reads_the_file_beside_the_articles_it_serves_below_its_overrides(
    tmp_path, acme_articles, monkeypatch
):
    monkeypatch.setenv("KBBOT_TIMEZONE", "Europe/Madrid")
    app = make_app(tmp_path, ARTICLES_DIR=acme_articles, PRODUCT_NAME="Acme Help")
    assert app.config["PRODUCT_NAME"] == "Acme Help"
    assert app.config["TIMEZONE"] == "Europe/Madrid"
    assert app.config["BUSINESS_HOURS"] == "mon-sat 07:00-19:00"


@pytest.mark.parametrize(
    "content, key, message",
    [
        (b'product_name = "Acme', None, "cannot be read as UTF-8 TOML"),
        (b'product_name = "Acme \xff"', None, "cannot be read as UTF-8 TOML"),
        (b'brand = "Acme"', "brand", "unknown setting; the file may hold product_name, support_url"),
        (b"product_name = 42", "product_name", "must be a string in quotes, got 42"),
        (b'product_name = " "', "product_name", "must not be empty"),
        (b'support_url = "support@acme.example"', "support_url", "must be a URL starting with https://"),
        (b'business_hours = "mon-fri 8-20"', "business_hours", "cannot read business hours"),
        (b'timezone = "Central European"', "timezone", "unknown time zone"),
    ],
)
def test_a_bad_file_is_refused_naming_the_file_and_the_key(articles_dir, content, key, message):
    path = articles_dir / site_settings.FILE_NAME
    path.write_bytes(content)
    with pytest.raises(SettingsError) as refused:
        site_settings.load(articles_dir)
    assert (refused.value.path, refused.value.key) == (path, key)
    assert str(refused.value).startswith(f"{path}: {key}: " if key else f"{path}: ")
    assert message in str(refused.value)


def test_a_bad_file_stops_the_app_at_start(tmp_path, articles_dir):
    (articles_dir / site_settings.FILE_NAME).write_text('business_hours = "weekdays"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="kbbot.toml: business_hours: cannot read business hours"):
        make_app(tmp_path, ARTICLES_DIR=articles_dir)
