"""Database engine, sessions and migrations.

Any SQLAlchemy URL works (SQLite by default, PostgreSQL through
KBBOT_DATABASE_URL); the schema is only ever created by Alembic migrations.
"""

import os
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import create_engine, event, exc, select
from sqlalchemy.orm import Session, sessionmaker

from .models import KnowledgeBaseState

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
GENERATION_BUMPED = "kbbot.generation_bumped"  # a `Session.info` key: this session changed the content


# A database that cannot answer now (a server restarting or unreachable, a connection that dropped, a
# pool with no connection free, a SQLite lock not had in time): the request may be tried again.
UNAVAILABLE = (exc.OperationalError, exc.InterfaceError, exc.TimeoutError)
RETRY_AFTER_SECONDS = 5  # what a client told the database is unavailable waits before trying again

SQLITE_BUSY_TIMEOUT_MS = 5000  # how long a write waits for another one's lock before "database is locked"


def make_engine(url):
    """An engine for `url`; SQLite gets foreign keys, write-ahead logging and a busy timeout, and a new
    database file is readable and writable by its owner only (it holds conversations and staff
    accounts; SQLite gives its journal files the same mode).

    In WAL mode readers never wait for a writer nor a writer for readers; writers take turns, each
    waiting up to `SQLITE_BUSY_TIMEOUT_MS` for the one before (kbbot keeps its write transactions
    short: no answer is computed while one is open). A commit writes the log without waiting for the
    disk (`synchronous=NORMAL`, WAL's usual setting): a chat turn's commits cost microseconds instead
    of a disk flush each (1.8 ms apiece on this machine's disk, more on network volumes). The
    database is never corrupted and a killed process loses nothing committed; a power cut or an
    operating-system crash may undo the last commits before it (PostgreSQL, for a deployment that
    must not lose those). Other databases get a connection check on checkout, so a server restart
    costs the requests in flight, not every pooled connection.
    """
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///").split("?", 1)[0])
        path.parent.mkdir(parents=True, exist_ok=True)
        if str(path) != ":memory:":
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))  # an existing file is left as it is
    engine = create_engine(url, future=True, pool_pre_ping=not url.startswith("sqlite"))
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA journal_mode=WAL")  # kept in the file; in-memory databases ignore it
            cursor.execute("PRAGMA synchronous=NORMAL")  # per connection; see the docstring
            cursor.close()

    return engine


def alembic_config(engine):
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade(engine):
    """Create or migrate the schema to the latest revision."""
    command.upgrade(alembic_config(engine), "head")


def generation(session: Session) -> int:
    """The knowledge base's content generation (0 before anything was indexed)."""
    state = session.get(KnowledgeBaseState, 1)
    return state.generation if state else 0


def bump_generation(session: Session) -> int:
    """Record that indexed content changed; returns the new generation."""
    state = session.execute(select(KnowledgeBaseState).with_for_update()).scalar_one_or_none()
    if state is None:
        state = KnowledgeBaseState(id=1, generation=0)
        session.add(state)
    state.generation += 1
    session.info[GENERATION_BUMPED] = True
    return state.generation


def take_generation_bump(session: Session) -> bool:
    """Whether `session` bumped the generation since the last call (the web layer then refreshes its
    engine at once)."""
    return session.info.pop(GENERATION_BUMPED, False)


def init_app(app):
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["kbbot.engine"] = engine
    app.extensions["kbbot.sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
