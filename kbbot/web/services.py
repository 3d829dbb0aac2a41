"""The app's long-lived services: the answer engine, created on first use, the mail settings with
the thread that retries queued reply emails, and the thread that reads customers' answers from the
support mailbox."""

import os
import threading

from flask import current_app, request_started
from sqlalchemy import func, select

from .. import db
from ..articles.sync import sync_directory
from ..models import Article
from ..search import question_embeddings
from ..search.confidence import Action
from ..search.embedding import load_encoder
from ..search.engine import Engine
from ..support import mail, mailbox, reply_address
from ..threads import every_core, use_threads
from .rate_limits import engine_gate
from .session import count_failed_events, opened_session

_engine_lock = threading.Lock()


def get_engine() -> Engine:
    """The app's answer engine, made on first call; it loads the index on its first refresh and the
    model on its first encode."""
    app = current_app
    engine = app.extensions.get("kbbot.answer_engine")
    if engine is None:
        with _engine_lock:
            engine = app.extensions.get("kbbot.answer_engine")
            if engine is None:
                engine = Engine(
                    encoder=load_encoder(
                        app.config["EMBEDDING_MODEL"],
                        backend=app.config["EMBEDDING_BACKEND"],
                        device=app.config["DEVICE"],
                        cache_dir=app.config["INSTANCE_PATH"] / "models",
                    ),
                    index_dir=app.config["INDEX_DIR"],
                    answer_threshold=app.config["ANSWER_THRESHOLD"],
                    suggest_threshold=app.config["SUGGEST_THRESHOLD"],
                    section_threshold=app.config["SECTION_THRESHOLD"],
                    correct_spelling=app.config["SPELLING_CORRECTION"],
                    max_query_words=app.config["MAX_QUERY_WORDS"],
                    answer_cache_size=app.config["ANSWER_CACHE_SIZE"],
                    hnsw_from=app.config["HNSW_FROM"] or None,
                    rebuild_in_background=True,
                    gate=engine_gate(app),
                )
                app.extensions["kbbot.answer_engine"] = engine
    return engine


def answering_article(session, question):
    """(slug, title) of the article the bot answers `question` from now, or None when it would not answer."""
    answer = get_engine().ask(session, question)
    if answer.action != Action.ANSWER or not answer.sources:
        return None
    return answer.sources[0].slug, answer.sources[0].title


def question_encoder(session):
    """The engine's encoder for the reports' content-gap questions, each embedded once and then read
    from the database (`question_embeddings.stored`), keyed by the encoder's name (backend included:
    int8 vectors are another model's): the model is loaded only for a new question."""
    encoder = get_engine().encoder  # knows its name without loading the model
    return question_embeddings.stored(session, encoder.name, encoder.encode)


def refresh_if_loaded(session):
    """Re-index this process's engine now, if it is loaded, so the next answer needs no refresh.

    Other processes catch up before their next answer (they compare content generations).
    """
    engine = current_app.extensions.get("kbbot.answer_engine")
    if engine is not None:
        engine.ensure_current(session)


def prepare_to_serve(session, threads):
    """Before serving: on first start, import the articles directory into an empty database; bring the
    index up to date with every core; then hold the model and FAISS to `threads`
    (`kbbot.threads.serving_threads`; 0: a thread per core) and load the model, so that the first
    question waits for neither."""
    articles_dir = current_app.config["ARTICLES_DIR"]
    empty = session.execute(select(func.count(Article.id))).scalar_one() == 0
    report = None
    if empty and current_app.config["SYNC_ON_FIRST_START"] and articles_dir.is_dir():
        report = sync_directory(session, articles_dir, current_app.config["MAX_ARTICLE_BYTES"])
        for error in report.errors:
            current_app.logger.error("article not imported: %s", error)
        current_app.logger.info(
            "first start: imported %d articles from %s", len(report.created), articles_dir
        )
    engine = get_engine()
    with every_core():
        engine.ensure_current(session)
    if threads:
        use_threads(threads)
    engine.encoder.load()
    return report


def mail_settings():
    """The app's `mail.MailSettings`, or None when it sends no email."""
    return current_app.extensions["kbbot.mail"]


def mailbox_settings():
    """The app's `mailbox.ImapSettings`, or None when it reads no mailbox (no KBBOT_IMAP_URL)."""
    return current_app.extensions["kbbot.mailbox"]


def reply_addresses():
    """The app's `reply_address.ReplyAddresses`, or None without KBBOT_MAIL_REPLY_TO."""
    return current_app.extensions["kbbot.reply_addresses"]


def mailbox_lock_path(app):
    """The lock file that lets one process of this instance read the mailbox at a time."""
    return app.config["INSTANCE_PATH"] / "mail-fetch.lock"


def init_app(app):
    app.extensions["kbbot.answer_engine"] = None

    @app.after_request
    def _refresh_after_edit(response):
        """After a request that changed what the bot answers from (`db.bump_generation`), this
        process's engine is refreshed at once, so the next answer needs no refresh."""
        session = opened_session()
        if session is not None and db.take_generation_bump(session):
            refresh_if_loaded(session)
        return response

    app.extensions["kbbot.mail"] = mail.settings_from_config(app.config)
    if app.extensions["kbbot.mail"] is not None:
        request_started.connect(_start_mail_retries, app)
    app.extensions["kbbot.reply_addresses"] = reply_address.from_config(app.config)
    app.extensions["kbbot.mailbox"] = mailbox.settings_from_config(app.config)
    if app.extensions["kbbot.mailbox"] is not None and not app.testing:  # a test starts its own
        request_started.connect(start_mail_fetcher, app)


_workers_lock = threading.Lock()


def _start_once(app, key, make_worker):
    """Start this process's background thread `key` (made by `make_worker()`), unless it runs: a forked
    worker process inherits none (threads do not survive a fork)."""
    worker = app.extensions.get(key)
    if worker is not None and worker.pid == os.getpid():
        return
    with _workers_lock:
        worker = app.extensions.get(key)
        if worker is None or worker.pid != os.getpid():
            app.extensions[key] = worker = make_worker()
            worker.start()


def _stop(app, key):
    """Stop the app's background thread `key`, if this process runs one (the tests do; otherwise the
    daemon thread ends with its process)."""
    worker = app.extensions.pop(key, None)
    if worker is not None and worker.pid == os.getpid():
        worker.stop()


def _start_mail_retries(app, **_extra):
    """On a request: start this process's `mail.RetryWorker`, unless it runs."""
    _start_once(
        app,
        "kbbot.mail_retries",
        lambda: mail.RetryWorker(
            app.extensions["kbbot.sessionmaker"],
            app.extensions["kbbot.mail"],
            on_failed_events=lambda failed: count_failed_events(app, failed),
        ),
    )


def stop_mail_retries(app):
    _stop(app, "kbbot.mail_retries")


def start_mail_fetcher(app, **_extra):
    """On a request: start this process's `mailbox.FetchWorker`, unless it runs (a test calls it)."""
    _start_once(
        app,
        "kbbot.mail_fetcher",
        lambda: mailbox.FetchWorker(
            app.extensions["kbbot.sessionmaker"],
            app.extensions["kbbot.mailbox"],
            app.extensions["kbbot.reply_addresses"],
            mailbox_lock_path(app),
            policy=app.extensions["kbbot.sla"],
        ),
    )


def stop_mail_fetcher(app):
    _stop(app, "kbbot.mail_fetcher")
