"""The application factory: wires the config, the database, the services and the blueprints."""

import logging

from flask import Flask, make_response
from werkzeug.exceptions import SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix

from .. import commands, db
from ..articles import source
from ..config import Config, instance_secret
from ..support import business_hours, outcome_facts, sla
from . import (
    api,
    article_views,
    health,
    help_center,
    origins,
    rate_limits,
    request_input,
    security_headers,
    services,
    session,
    staff,
    visitors,
    widget,
)


def create_app(config=None):
    """Build a kbbot application.

    `config` is a `Config`, or a mapping of settings that override the ones
    read from the environment and from the articles directory's settings file
    (tests pass their own database and index dir). The database schema is
    migrated to the latest revision (and articles cut into entries again if
    this release chunks them differently); the embedding model and the index
    are loaded on first use.
    """
    if isinstance(config, Config):
        settings = config.to_flask()
    else:
        overrides = dict(config or {})
        settings = Config(overrides.get("ARTICLES_DIR")).to_flask()
        settings.update(overrides)
    if not settings.get("SECRET_KEY"):
        settings["SECRET_KEY"] = instance_secret(settings["INSTANCE_PATH"])
    app = Flask("kbbot", instance_path=str(settings["INSTANCE_PATH"]))
    app.config.update(settings)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("alembic", "sentence_transformers", "bm25s"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    _secure_by_default(app)

    db.init_app(app)
    # The reports' per-conversation facts, written with the changes that move them, by every session.
    outcome_facts.watch(app.extensions["kbbot.sessionmaker"])
    db.upgrade(app.extensions["kbbot.engine"])
    _rechunk_outdated(app)
    request_input.init_app(app)
    session.init_app(app)
    services.init_app(app)
    commands.init_app(app)
    visitors.init_app(app)
    security_headers.init_app(app)
    origins.init_app(app)
    rate_limits.init_app(app)
    article_views.init_app(app)
    if app.config["PROXIES"]:
        proxies = app.config["PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    app.extensions["kbbot.business_hours"] = business_hours.parse(
        app.config["BUSINESS_HOURS"], app.config["TIMEZONE"]
    )
    app.extensions["kbbot.sla"] = sla.policy(
        app.extensions["kbbot.business_hours"], app.config["SLA_FIRST_REPLY"], app.config["SLA_NEXT_REPLY"]
    )
    app.register_blueprint(health.bp)
    app.register_blueprint(help_center.bp)
    app.register_blueprint(widget.bp)
    api.init_app(app)
    staff.init_app(app, csrf_exempt=api.BLUEPRINTS)
    _handle_unrouted(app)
    _handle_database_unavailable(app)
    return app


HSTS_DEFAULT_SECONDS = 365 * 24 * 3600
SECURE_SESSION_COOKIE = "__Host-kbbot_session"  # sent over HTTPS only, to this host only, for any path


def _secure_by_default(app):
    """Settings that follow the public URL unless set: with an https KBBOT_PUBLIC_URL, the staff session
    cookie is Secure and named with the __Host- prefix (no subdomain can set or read it), and responses
    carry HSTS. Without a public URL or trusted hosts, a request's Host header names the site in
    absolute links: warn."""
    config = app.config
    https = (config.get("PUBLIC_URL") or "").lower().startswith("https://")
    if config["SESSION_COOKIE_SECURE"] is None:
        config["SESSION_COOKIE_SECURE"] = https
    if config["SESSION_COOKIE_SECURE"] and config["SESSION_COOKIE_NAME"] == "session":
        config["SESSION_COOKIE_NAME"] = SECURE_SESSION_COOKIE
    if config.get("HSTS_SECONDS") is None:
        config["HSTS_SECONDS"] = HSTS_DEFAULT_SECONDS if https else 0
    if isinstance(config.get("TRUSTED_HOSTS"), str):  # a mapping's override, written as the variable is
        config["TRUSTED_HOSTS"] = [
            host.strip() for host in config["TRUSTED_HOSTS"].split(",") if host.strip()
        ]
    if not config.get("PUBLIC_URL") and not config.get("TRUSTED_HOSTS"):
        app.logger.warning(
            "neither KBBOT_PUBLIC_URL nor KBBOT_TRUSTED_HOSTS is set: the Host header of each request "
            "names the site in canonical links, the sitemap and the links the APIs and the bot give; "
            "set one of them in production"
        )


def _rechunk_outdated(app):
    """Stored chunks follow the chunking of the running release (`source.rechunk_outdated`)."""
    with app.app_context():
        db_session = session.get_session()
        count = source.rechunk_outdated(db_session)
        db_session.commit()
    if count:
        app.logger.info("articles are cut into entries differently in this release: %d re-chunked", count)


def _handle_unrouted(app):
    """A URL no route matches: problem details under /api/, the help center's own 404 page elsewhere.

    The same for a request refused (request_input: 400) where no blueprint has a page of its own.
    """

    @app.errorhandler(400)
    @app.errorhandler(404)
    def _bad_request_or_not_found(error):
        if api.problems.wants_problem_json():
            return api.problems.http_error(error)
        return help_center.error_page(error)

    @app.errorhandler(SecurityError)
    def _untrusted_host(error):
        """A Host header KBBOT_TRUSTED_HOSTS does not list: no URL can be built for it, so no page."""
        response = make_response("This server does not answer for that host name.\n", 400)
        response.mimetype = "text/plain"
        return response

    @app.errorhandler(405)
    def _method_not_allowed(error):
        return api.problems.http_error(error) if api.problems.wants_problem_json() else error


def _handle_database_unavailable(app):
    """A database that cannot answer now (`db.UNAVAILABLE`) on any page: 503 with Retry-After (problem
    details under /api/, the help center's page elsewhere), never a stack trace. Nothing needs a
    restart: the next request takes a fresh connection (the pool checks each before use)."""

    def _unavailable(error):
        db_session = session.opened_session()
        if db_session is not None:
            db_session.rollback()  # what the failed request began, never committed, is dropped
        http = api.problems.database_unavailable(error)
        if api.problems.wants_problem_json():
            return api.problems.http_error(http)
        return help_center.error_page(http)

    for unavailable in db.UNAVAILABLE:
        app.register_error_handler(unavailable, _unavailable)
