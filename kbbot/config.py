"""Configuration read from the environment (12-factor), with embedded defaults.

Every setting has a default that runs the bundled sample help center on SQLite
with an on-disk index and the packaged embedding model, so a fresh checkout
starts with no configuration at all. A help center's own facts (its name, support
address and hours) may also come from a settings file beside its articles
(kbbot/site_settings.py): the environment overrides it, and it overrides the defaults.
"""

import os
import re
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from . import site_settings
from .accounts import two_factor
from .search import backends, confidence
from .support import sla

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


_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def _flag(name, default):
    """Environment variable `name` as a boolean: 1/true/yes/on or 0/false/no/off, any case."""
    value = os.environ.get(name, "").strip().lower()
    if value == "":
        return default
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"environment variable {name} must be 1 or 0 (true or false), got {os.environ[name]!r}")


def _choice(name, default, choices):
    """Environment variable `name`, lower-cased, which must be one of `choices`; `default` when unset."""
    value = (os.environ.get(name) or default).strip().lower()
    if value not in choices:
        raise ValueError(f"environment variable {name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def _sla_target(name):
    """Environment variable `name` as an SLA target's text (`sla.parse_target`), None when unset or off."""
    value = os.environ.get(name, "").strip()
    try:
        return value if sla.parse_target(value) is not None else None
    except ValueError as e:
        raise ValueError(f"environment variable {name}: {e}") from e


def _threads():
    """KBBOT_THREADS, or its former name KBBOT_ENGINE_THREADS, as a number of threads (0 or more);
    None when neither is set."""
    name = "KBBOT_THREADS" if os.environ.get("KBBOT_THREADS") else "KBBOT_ENGINE_THREADS"
    count = _int(name, None)
    if count is not None and count < 0:
        raise ValueError(f"environment variable {name} must be 0 (a thread per core) or more, got {count}")
    return count


def _path(name, default):
    return Path(os.environ.get(name) or default).resolve()


_HOST = re.compile(r"^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])$")


def web_origin(text):
    """`text` as browsers write an origin (lower case, no default port), or None if it is not one."""
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:  # an unparseable port or IPv6 address
        return None
    scheme, netloc = parts.scheme.lower(), parts.netloc.lower()
    host = netloc.rsplit(":", 1)[0] if port is not None else netloc
    if (
        scheme not in ("http", "https")
        or not _HOST.match(host)  # also refuses user info, wildcards and non-ASCII (use punycode)
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
    ):
        return None
    default_port = 443 if scheme == "https" else 80
    return f"{scheme}://{host}" + (f":{port}" if port not in (None, default_port) else "")


def parse_origins(value, name="KBBOT_ALLOWED_ORIGINS"):
    """Web origins from a comma-separated string or an iterable, as browsers send them in `Origin`.

    Each must be `scheme://host[:port]` with scheme http or https and nothing after the host but an
    optional "/"; the result is lower case without a default port, e.g. ("https://www.example.com",).
    Raises ValueError naming the setting and the bad entry.
    """
    items = value.split(",") if isinstance(value, str) else list(value or ())
    origins = []
    for item in (str(item).strip() for item in items):
        if not item:
            continue
        origin = web_origin(item)
        if origin is None:
            raise ValueError(
                f"{name}: {item!r} is not a web origin; write scheme://host[:port] separated by commas, "
                "e.g. https://www.example.com,https://shop.example.com"
            )
        if origin not in origins:
            origins.append(origin)
    return tuple(origins)


def instance_secret(instance_path):
    """The secret key kept in the instance folder, created (readable by the owner only) on first use."""
    path = instance_path / "secret_key"
    instance_path.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # made earlier, or by another worker starting at the same moment
        pass
    else:
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_hex(32))
    return path.read_text().strip()


class Config:
    """Settings of one kbbot instance; read once, when the app is created.

    `articles_dir` replaces KBBOT_ARTICLES_DIR (create_app passes an override's), so that the
    settings file read is the one beside the articles served.
    """

    # Long on purpose: a flat list of settings, each read once beside the comment that explains it.
    def __init__(self, articles_dir=None):
        self.INSTANCE_PATH = _path("KBBOT_INSTANCE_PATH", PROJECT_ROOT / "instance")
        self.DATABASE_URL = os.environ.get("KBBOT_DATABASE_URL") or (
            f"sqlite:///{self.INSTANCE_PATH / 'kbbot.sqlite3'}"
        )
        self.INDEX_DIR = _path("KBBOT_INDEX_DIR", PROJECT_ROOT / "index")
        self.ARTICLES_DIR = (
            Path(articles_dir).resolve()
            if articles_dir
            else _path("KBBOT_ARTICLES_DIR", PROJECT_ROOT / "articles")
        )
        # The help center's own settings file: the environment overrides it, it overrides the defaults.
        site = site_settings.load(self.ARTICLES_DIR)
        # None means the packaged all-MiniLM-L6-v2; otherwise a local
        # sentence-transformers model directory. Never a hub name.
        self.EMBEDDING_MODEL = os.environ.get("KBBOT_EMBEDDING_MODEL") or None
        # What runs the model: `auto` is ONNX Runtime on the CPU (the same vectors as PyTorch, faster;
        # docs/benchmarks.md, "Encoder backends") and PyTorch on a GPU; `auto` device is the GPU when
        # PyTorch sees one. The ONNX file is exported once into the instance folder's models/.
        self.EMBEDDING_BACKEND = _choice("KBBOT_EMBEDDING_BACKEND", "auto", backends.BACKENDS)
        self.DEVICE = _choice("KBBOT_DEVICE", "auto", backends.DEVICES)
        # Signs visitor ids and sessions. Production sets SECRET_KEY; a fresh
        # install generates one once and keeps it in the instance folder, so
        # that signed ids survive restarts and are shared by all workers.
        self.SECRET_KEY = os.environ.get("SECRET_KEY") or None  # None: see instance_secret()

        # Decision thresholds on the confidence in [0, 1]; see docs/calibration.md
        # for how they were measured.
        self.ANSWER_THRESHOLD = _float("KBBOT_ANSWER_THRESHOLD", confidence.ANSWER_THRESHOLD)
        self.SUGGEST_THRESHOLD = _float("KBBOT_SUGGEST_THRESHOLD", confidence.SUGGEST_THRESHOLD)
        self.SECTION_THRESHOLD = _float("KBBOT_SECTION_THRESHOLD", confidence.SECTION_THRESHOLD)
        # Help-center search (its page and /api/v1/search) leaves out the articles whose confidence is
        # below this floor, so that a query nothing answers shows no results (docs/calibration.md).
        self.SEARCH_FLOOR = _float("KBBOT_SEARCH_FLOOR", confidence.SEARCH_FLOOR)
        # Correct customers' misspelt words to the articles' words before retrieval (kbbot/search/spelling.py).
        # Its guard against "correcting" real words is an English word list: turn it off (0) for a
        # help center in another language.
        self.SPELLING_CORRECTION = _flag("KBBOT_SPELLING_CORRECTION", True)

        # A query's words past this many are not searched (the engine's work grows with each word).
        self.MAX_QUERY_WORDS = _int("KBBOT_MAX_QUERY_WORDS", 50)
        if self.MAX_QUERY_WORDS < 1:
            raise ValueError(
                f"environment variable KBBOT_MAX_QUERY_WORDS must be 1 or more, got {self.MAX_QUERY_WORDS}"
            )

        # Answers kept per process for questions asked again within one content generation (0: none).
        self.ANSWER_CACHE_SIZE = _int("KBBOT_ANSWER_CACHE_SIZE", 4096)
        if self.ANSWER_CACHE_SIZE < 0:
            raise ValueError(
                f"environment variable KBBOT_ANSWER_CACHE_SIZE must be 0 or more, got {self.ANSWER_CACHE_SIZE}"
            )

        # The dense index is an HNSW graph from this many entries on (0: always exact, flat search):
        # flat search grows with the entries, HNSW stays near a millisecond (docs/benchmarks.md#ann).
        self.HNSW_FROM = _int("KBBOT_HNSW_FROM", 30_000)
        if self.HNSW_FROM < 0:
            raise ValueError(f"environment variable KBBOT_HNSW_FROM must be 0 or more, got {self.HNSW_FROM}")

        # Articles larger than this are refused by sync, with an error naming the file.
        self.MAX_ARTICLE_BYTES = _int("KBBOT_MAX_ARTICLE_BYTES", 512 * 1024)
        # Staff session cookies only over HTTPS (also named __Host-, bound to this host); by default
        # when KBBOT_PUBLIC_URL is https (read below), as the quick start serves plain HTTP.
        self.SESSION_COOKIE_SECURE = _flag("KBBOT_SECURE_COOKIES", None)
        self.SESSION_COOKIE_SAMESITE = "Lax"
        # A staff session ends after this many hours without a request (the idle timeout, also the
        # cookie's lifetime), and in any case this many hours after signing in (docs/security.md).
        self.PERMANENT_SESSION_LIFETIME = timedelta(hours=_float("KBBOT_STAFF_SESSION_HOURS", 12))
        self.STAFF_SESSION_MAX_AGE = timedelta(hours=_float("KBBOT_STAFF_SESSION_MAX_HOURS", 24))
        for name, value in (
            ("KBBOT_STAFF_SESSION_HOURS", self.PERMANENT_SESSION_LIFETIME),
            ("KBBOT_STAFF_SESSION_MAX_HOURS", self.STAFF_SESSION_MAX_AGE),
        ):
            if value <= timedelta(0):
                raise ValueError(f"environment variable {name} must be more than 0, got {os.environ[name]!r}")
        # Who must sign in with a second factor (TOTP): admins, all staff, or nobody ("off"); anyone
        # who enrolled is always asked for it.
        self.REQUIRE_2FA = (os.environ.get("KBBOT_REQUIRE_2FA") or "admin").strip().lower()
        if self.REQUIRE_2FA not in two_factor.POLICIES:
            raise ValueError(
                f"environment variable KBBOT_REQUIRE_2FA must be one of {', '.join(two_factor.POLICIES)}, "
                f"got {os.environ['KBBOT_REQUIRE_2FA']!r}"
            )

        # Chat: the longest message accepted (characters); longer ones get 413.
        self.MAX_MESSAGE_CHARS = _int("KBBOT_MAX_MESSAGE_CHARS", 2000)
        # Any request body larger than this (bytes) is refused with 413.
        self.MAX_CONTENT_LENGTH = _int("KBBOT_MAX_REQUEST_BYTES", 1024 * 1024)
        # When people answer handoffs, e.g. "mon-fri 09:00-17:00; sat 10:00-14:00" or "24/7",
        # in KBBOT_TIMEZONE. Outside them handoffs still queue; customers are told when to expect a reply.
        self.BUSINESS_HOURS = (
            os.environ.get("KBBOT_BUSINESS_HOURS") or site.get("BUSINESS_HOURS") or "mon-fri 09:00-17:00"
        )
        self.TIMEZONE = os.environ.get("KBBOT_TIMEZONE") or site.get("TIMEZONE") or "UTC"
        # SLA targets, counted in those business hours: how soon a customer waiting for an agent's first
        # reply, and for the next one after they write again, gets it, e.g. "1h", "4h", "30m", "1d";
        # unset: nothing is due (kbbot/support/sla.py).
        self.SLA_FIRST_REPLY = _sla_target("KBBOT_SLA_FIRST_REPLY")
        self.SLA_NEXT_REPLY = _sla_target("KBBOT_SLA_NEXT_REPLY")

        # Automatic assignment (kbbot/support/assignment.py): each online agent holds at most this many
        # open assigned handoffs, new ones go round-robin to those under it, and an agent who goes away
        # or offline gives theirs back to be reassigned. 0: off, agents take handoffs themselves.
        self.AGENT_CAPACITY = _int("KBBOT_AGENT_CAPACITY", 0)
        if self.AGENT_CAPACITY < 0:
            raise ValueError(
                f"environment variable KBBOT_AGENT_CAPACITY must be 0 (off) or more, got {self.AGENT_CAPACITY}"
            )

        # Agent replies are also emailed to the customer through this SMTP server (kbbot/support/mail.py),
        # e.g. smtp://user:password@smtp.example.com:587, from this address; unset: replies come in
        # the chat only, and the handoff form says so.
        self.SMTP_URL = os.environ.get("KBBOT_SMTP_URL") or None
        self.MAIL_FROM = os.environ.get("KBBOT_MAIL_FROM") or None
        # Customers answer those emails (kbbot/support/inbound_mail.py): each one's Reply-To is this
        # template with the conversation's signed token, e.g. support+{token}@example.com, and the
        # answers are read from this IMAP mailbox, e.g. imaps://user:password@imap.example.com/INBOX,
        # by `kbbot mail fetch` and every minute by each serving process. Both checked at startup.
        self.MAIL_REPLY_TO = os.environ.get("KBBOT_MAIL_REPLY_TO") or None
        self.IMAP_URL = os.environ.get("KBBOT_IMAP_URL") or None

        # Sites (origins) whose pages may embed the chat widget and call the public API from a
        # browser, besides kbbot's own; empty: only kbbot's own pages.
        self.ALLOWED_ORIGINS = parse_origins(os.environ.get("KBBOT_ALLOWED_ORIGINS", ""))

        # How many reverse proxies in front of kbbot set X-Forwarded-For, -Proto and -Host: that many
        # are trusted, so the client's address (rate limits, login throttling) and scheme are known.
        self.PROXIES = _int("KBBOT_PROXIES", 0)
        if self.PROXIES < 0:
            raise ValueError(f"environment variable KBBOT_PROXIES must be 0 or more, got {self.PROXIES}")
        # Chat messages and searches (they run the engine), counted together per visitor and per client
        # address in moving windows, e.g. "30/minute;300/hour", or "off"; a request over one gets 429.
        # Counted in memory per process unless the storage is shared: redis://host:6379 (kbbot/web/rate_limits.py).
        self.RATE_LIMIT_PER_VISITOR = os.environ.get("KBBOT_RATE_LIMIT_PER_VISITOR") or "30/minute;300/hour"
        self.RATE_LIMIT_PER_ADDRESS = os.environ.get("KBBOT_RATE_LIMIT_PER_ADDRESS") or "120/minute;2000/hour"
        self.RATE_LIMIT_STORAGE = os.environ.get("KBBOT_RATE_LIMIT_STORAGE") or "memory://"
        # What the engine's work costs, counted per client address: the words searched (each asking
        # request charged its words, at most MAX_QUERY_WORDS), and the engine calls running at once.
        self.RATE_LIMIT_WORDS_PER_ADDRESS = (
            os.environ.get("KBBOT_RATE_LIMIT_WORDS_PER_ADDRESS") or "600/minute;6000/hour"
        )
        self.ENGINE_CALLS_PER_ADDRESS = _int("KBBOT_ENGINE_CALLS_PER_ADDRESS", 2)
        # Engine calls running at once on this machine, all worker processes together (0: no cap); the
        # cores left over serve the pages. Above it a call waits a few seconds, then gets 503.
        self.ENGINE_CALLS_AT_ONCE = _int("KBBOT_ENGINE_CALLS_AT_ONCE", max(1, (os.cpu_count() or 2) - 1))
        self.ENGINE_WAIT_SECONDS = _float("KBBOT_ENGINE_WAIT_SECONDS", 5)
        # Threads each serving process lets the model and FAISS use (0: a thread per core); None: 1 under
        # wsgi.py, the cores less one under `kbbot serve` (kbbot/threads.py). Bulk indexing uses every core.
        self.THREADS = _threads()
        # Article views and reading times come from anonymous browsers: a visitor's views of one article
        # within this many minutes count once, an address counts at most this many views of one
        # article (more are served, not counted), and reports of reading time are rate-limited per address.
        self.VIEW_REPEAT_MINUTES = _float("KBBOT_VIEW_REPEAT_MINUTES", 30)
        self.VIEW_COUNT_PER_ADDRESS = os.environ.get("KBBOT_VIEW_COUNT_PER_ADDRESS") or "10/day"
        self.RATE_LIMIT_READING_REPORTS = os.environ.get("KBBOT_RATE_LIMIT_READING_REPORTS") or "60/minute"
        # A visitor id not seen for this many days expires: the visitor gets a new one.
        self.VISITOR_ID_DAYS = _float("KBBOT_VISITOR_ID_DAYS", 90)
        # The host names this app answers to (Host header), comma-separated, e.g. help.example.com;
        # a request for another gets 400. Empty: any (a warning at start unless PUBLIC_URL is set).
        self.TRUSTED_HOSTS = [
            host.strip() for host in os.environ.get("KBBOT_TRUSTED_HOSTS", "").split(",") if host.strip()
        ] or None

        # On first start, import ARTICLES_DIR into an empty database.
        self.SYNC_ON_FIRST_START = _flag("KBBOT_SYNC_ON_FIRST_START", True)

        # Reports (docs/metrics.md): a conversation with an answer is an assumed deflection unless
        # the visitor asks the same question again within this many hours; a conversation on the
        # same topic within this many days of another is a repeat contact; content-gap questions
        # join a topic at this cosine similarity to its centroid (see kbbot/search/topics.py).
        self.DEFLECTION_WINDOW_HOURS = _float("KBBOT_DEFLECTION_WINDOW_HOURS", 24)
        self.REPEAT_CONTACT_DAYS = _float("KBBOT_REPEAT_CONTACT_DAYS", 7)
        self.TOPIC_SIMILARITY = _float("KBBOT_TOPIC_SIMILARITY", 0.6)

        # The public help center; checked when the app is created (kbbot/web/theme.py, kbbot/web/help_center/).
        # Its name, brand colour ("#rrggbb" or "#rgb") and logo (an https:// URL or a path on this site).
        self.PRODUCT_NAME = os.environ.get("KBBOT_PRODUCT_NAME") or site.get("PRODUCT_NAME") or "Help Center"
        self.BRAND_COLOR = os.environ.get("KBBOT_BRAND_COLOR") or "#2563eb"
        self.LOGO_URL = os.environ.get("KBBOT_LOGO_URL") or None
        # The public base URL of the help center, e.g. https://help.example.com, for canonical links,
        # the sitemap and robots.txt; None: the URL each request came in on.
        self.PUBLIC_URL = os.environ.get("KBBOT_PUBLIC_URL") or None
        # Strict-Transport-Security's max-age in seconds on every response, 0 for none; None: a year
        # when PUBLIC_URL is https, else none (decided when the app is created, kbbot/web/app.py).
        hsts = os.environ.get("KBBOT_HSTS_SECONDS")
        self.HSTS_SECONDS = _int("KBBOT_HSTS_SECONDS", 0) if hsts else None
        # Where "Contact support" links: a contact page (http/https) or a mailto: URL; None: the
        # help center offers the chat assistant only.
        self.SUPPORT_URL = os.environ.get("KBBOT_SUPPORT_URL") or site.get("SUPPORT_URL")

    def to_flask(self):
        """The settings as the upper-case mapping Flask's config expects."""
        return {key: value for key, value in vars(self).items() if key.isupper()}
