"""Free text from outside (messages, queries, URL parameters), cleaned once before it is used.

Pure functions; every entry point (the JSON API, the help-center search, the
widget's frame parameters) calls the same ones. `slugify` makes the URL slugs
of names (articles, categories, headings) the same way everywhere.
"""

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import SplitResult, unquote, urlsplit

from anyascii import anyascii

MAX_QUERY_CHARS = 500  # the longest search query
# The longest slug: what the slug columns hold (models.py), and short enough that "<slug>.md",
# with the temporary name `kbbot export` writes it under, fits a 255-byte file name.
MAX_SLUG_CHARS = 200
_SLUG_DIGEST_CHARS = 8

# Control characters (Unicode category Cc) but tab, newline and carriage return; lone surrogates.
CONTROL_CHARACTERS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
SURROGATES = r"\ud800-\udfff"
_CONTROL = re.compile(f"[{CONTROL_CHARACTERS}]")
# What `str.isspace` calls whitespace, spelled out so that a JSON Schema pattern means the same in
# every regex dialect (ECMA-262's and Rust's `\s` differ from Python's). Single characters are written
# as ranges: Hypothesis, which test tools generate strings from these patterns with, cannot negate a
# class of several literals outside its alphabet.
WHITESPACE = (
    r"\t-\r\x1c-\x20\x85-\x85\xa0-\xa0\u1680-\u1680\u2000-\u200a\u2028-\u2029\u202f-\u202f\u205f-\u205f"
    r"\u3000-\u3000"
)
# Patterns the API documents (JSON Schema, also read by Python's `re`), each the rule its check applies:
# free text with something left once `clean_text` and `strip` are done with it,
HAS_TEXT = f"[^{CONTROL_CHARACTERS}{WHITESPACE}]"
# a one-line field with such text and no control character (`articles.source.one_line_field`),
ONE_LINE_TEXT = f"^[^{CONTROL_CHARACTERS}]*{HAS_TEXT}[^{CONTROL_CHARACTERS}]*$"
# one that may be empty,
NO_CONTROL = f"^[^{CONTROL_CHARACTERS}]*$"
# and a string with no NUL (query, path and header values, and JSON strings kept as sent).
NO_NUL = r"^[^\x00]*$"
_HAS_TEXT = re.compile(HAS_TEXT)
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
TRAILING_PUNCTUATION = " .?!,;:…。？！"


def normalize_question(text):
    """Lower case, whitespace collapsed, trailing punctuation stripped: "How do I  pay?" -> "how do i pay".
    The one form a question is searched in and counted in: a decision or a report must not turn on "?"
    or capitals."""
    return re.sub(r"\s+", " ", text.lower()).strip().rstrip(TRAILING_PUNCTUATION)


def first_words(text, count):
    """`text` cut after its first `count` words (separated by whitespace); all of it when `count` is None
    or it has no more. The words kept are joined by single spaces."""
    words = text.split()
    return text if count is None or len(words) <= count else " ".join(words[:count])


def url_parts(value: str) -> SplitResult | None:
    """`value` split as a URL, or None when it cannot be one at all ("http://[", "https://[::1/").

    `urlsplit` raises ValueError for those; callers that check a URL from outside (headers,
    parameters, settings) use this and say what is wrong in their own terms. (`config.web_origin`
    parses the port too, which raises as well, so it keeps one try of its own.)
    """
    try:
        return urlsplit(value)
    except ValueError:
        return None


@dataclass(frozen=True)
class ServerUrl:
    """A mail server's URL from the settings: where and how to connect, its user name and password
    percent-decoded."""

    host: str
    port: int  # as written, else the scheme's default
    security: str  # the scheme's: "tls" | "starttls" | "none"
    username: str | None
    password: str | None
    path: str  # "" or "/..." as written


def server_url(value: str, schemes) -> ServerUrl | None:
    """`value` read as `scheme://[user[:password]@]host[:port][/path]` with one of `schemes`, or None
    when it is not one (the caller names the setting; it never repeats the value, which may hold a
    password). `schemes`: {scheme: (its security, its default port)}."""
    parts = url_parts(value)
    try:
        port = parts.port if parts is not None else None
    except ValueError:  # a port that is not a number, or out of range
        return None
    if parts is None or parts.scheme not in schemes or not parts.hostname:
        return None
    security, default_port = schemes[parts.scheme]
    return ServerUrl(
        host=parts.hostname,
        port=port or default_port,
        security=security,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        path=parts.path,
    )


def is_link(value: str, schemes) -> bool:
    """Whether `value` is a URL a page may link to: one of `schemes` ("https", "mailto"...), a host
    unless mailto, no fragment. Settings from outside (environment, settings file) are checked so."""
    parts = url_parts(value)
    return (
        parts is not None
        and parts.scheme in schemes
        and (parts.scheme == "mailto" or bool(parts.netloc))
        and not parts.fragment
    )


def clean_text(value: str) -> str:
    """Free text as it may be stored: NFC, no control characters but tab and newlines,
    no lone surrogates (which JSON allows and UTF-8 databases refuse)."""
    value = value.encode("utf-8", "replace").decode("utf-8")
    return _CONTROL.sub("", unicodedata.normalize("NFC", value))


def has_text(value: str) -> bool:
    """Whether `value` holds a character that is neither whitespace nor a control character."""
    return _HAS_TEXT.search(value) is not None


def one_line(value: str) -> str:
    """`clean_text` on a single line: runs of whitespace, newlines included, become one space."""
    return " ".join(clean_text(value).split())


def slugify(text: str) -> str:
    """A URL slug: lower-case ASCII words joined by hyphens, "" when `text` has no letter or digit.

    Every script is transliterated rather than dropped ("Café" -> "cafe", "Счета" -> "scheta"), so
    names in any language get a slug of their own instead of all becoming the same empty one.
    A slug longer than MAX_SLUG_CHARS is cut at a word boundary and ends with a short digest of the
    whole slug, so long names that differ only past the cut keep slugs of their own.
    """
    slug = _NOT_SLUG.sub("-", anyascii(text).lower()).strip("-")
    if len(slug) <= MAX_SLUG_CHARS:
        return slug
    digest = hashlib.sha256(slug.encode()).hexdigest()[:_SLUG_DIGEST_CHARS]
    room = MAX_SLUG_CHARS - len(digest) - 1
    cut = slug[:room]
    if slug[room] != "-" and "-" in cut[room // 2 :]:  # mid-word: drop the partial word if not most of it
        cut = cut.rsplit("-", 1)[0]
    return f"{cut.rstrip('-')}-{digest}"


# Longer digit strings are far outside any range kbbot takes, and Python refuses to convert
# very long ones (sys.get_int_max_str_digits) anyway.
MAX_DIGITS = 30


def whole_number(text):
    """`text` as a whole number when it is ASCII digits only ("42", "007"), else None.

    Stricter than `str.isdigit`, which also accepts digits `int` refuses (superscripts such as "²").
    """
    if not text or len(text) > MAX_DIGITS or not (text.isascii() and text.isdigit()):
        return None
    return int(text)
