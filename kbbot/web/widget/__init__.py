"""The embeddable chat widget: the loader script other sites include, and the chat page it frames.

A page on an allowed site (KBBOT_ALLOWED_ORIGINS) includes `/widget.js`. The
loader adds a launcher button and an iframe showing `/widget/frame`, a page of
kbbot's own origin that talks to the JSON API; the two windows exchange a few
postMessage commands, each side checking the other's origin. The frame is
framed only by kbbot itself and the allowed sites (CSP `frame-ancestors`) and
runs no inline script or style (security_headers.py, "widget_frame").
"""

from flask import (
    Blueprint,
    current_app,
    make_response,
    render_template,
    request,
    send_from_directory,
    url_for,
)

from ...articles import catalog
from ...articles.source import SLUG_PATTERN
from ...config import web_origin
from ...models import CES_CHOICES
from ...support import surveys
from ...text import one_line, url_parts
from .. import origins, security_headers
from ..session import get_session

bp = Blueprint("widget", __name__)

MODES = ("chat", "articles")
# Host pages cannot version the loader's URL, so it is cached for a day and revalidated by ETag;
# the code that changes most lives in the frame, which is always revalidated.
LOADER_MAX_AGE = 24 * 3600
MAX_PAGE_URL_CHARS = 2000  # what the chat API accepts as page_url
MAX_GREETING_CHARS = 300
MAX_TITLE_CHARS = 60
SUGGESTED_ARTICLES = 5  # listed in articles mode before the visitor searches
DEFAULT_TITLE = {"chat": "Support", "articles": "Help center"}
DEFAULT_GREETING = {
    "chat": "Hi! Ask me a question and I'll find the answer in our help center. "
    "You can talk to a person at any time.",
    "articles": "Search our help center, or browse the articles we suggest.",
}
CES_LABELS = {"easy": "Easy", "neither": "Neither easy nor difficult", "difficult": "Difficult"}


def _text_param(name, max_chars, default):
    text = one_line(request.args.get(name, ""))
    return text[:max_chars] if text else default


def _page_url(value, host_origin):
    """The host page's URL when it is an http(s) URL on the host's own origin; else None."""
    if not value or len(value) > MAX_PAGE_URL_CHARS or host_origin is None:
        return None
    parts = url_parts(value)
    if parts is None:
        return None
    return value if web_origin(f"{parts.scheme}://{parts.netloc}") == host_origin else None


def _suggested_articles(session, mode):
    """What articles mode lists before the visitor searches: (heading, articles)."""
    if mode != "articles":
        return None, []
    popular = [article for article, _ in catalog.most_viewed(session, limit=SUGGESTED_ARTICLES)]
    if popular:
        return "Popular articles", popular
    return "Recently updated", catalog.recently_updated(session, limit=SUGGESTED_ARTICLES)


@bp.get("/widget.js")
def loader():
    response = send_from_directory(
        current_app.static_folder, "widget/loader.js", mimetype="text/javascript", max_age=LOADER_MAX_AGE
    )
    return security_headers.apply(response, "widget_loader")


@bp.get("/widget/frame")
def frame():
    """The widget's panel. Query: origin (the host page's), mode, page, article, greeting, title."""
    requested_origin = request.args.get("origin")
    host_origin = origins.allowed_host(requested_origin) if requested_origin else None
    if requested_origin and host_origin is None:
        response = make_response(
            "This site may not embed the kbbot widget: add its origin to KBBOT_ALLOWED_ORIGINS.\n", 400
        )
        response.mimetype = "text/plain"
        return security_headers.apply(response, "widget_frame")
    mode = request.args.get("mode") if request.args.get("mode") in MODES else "chat"
    session = get_session()
    slug = request.args.get("article", "")
    article = catalog.article(session, slug) if SLUG_PATTERN.match(slug) else None
    suggested_heading, suggested = _suggested_articles(session, mode)
    html = render_template(
        "widget/frame.html",
        mode=mode,
        host_origin=host_origin,
        page_url=_page_url(request.args.get("page"), host_origin),
        article=article,
        suggested=suggested,
        suggested_heading=suggested_heading,
        title=_text_param("title", MAX_TITLE_CHARS, DEFAULT_TITLE[mode]),
        greeting=_text_param("greeting", MAX_GREETING_CHARS, DEFAULT_GREETING[mode]),
        api_base=url_for("api.openapi.openapi_json").removesuffix("/openapi.json"),
        theme_stylesheet=url_for("help_center.theme_css"),
        max_message_chars=current_app.config["MAX_MESSAGE_CHARS"],
        survey_questions=surveys.QUESTIONS,
        ces_choices=[(choice, CES_LABELS[choice]) for choice in CES_CHOICES],
    )
    response = make_response(html)
    response.headers["Cache-Control"] = "no-cache"
    return security_headers.apply(response, "widget_frame")
