"""The public help center, server-rendered: home, categories, articles, search, sitemap and robots.txt.

Article views and searches are logged for agents and reports. Every page is
sent with the help center's security headers (security_headers.py): a strict
Content-Security-Policy, as the pages run no inline script or style.
"""

from dataclasses import dataclass
from urllib.parse import urlencode
from xml.etree import ElementTree

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from markupsafe import Markup

from ... import db
from ...articles import catalog
from ...articles.highlight import excerpt, highlight, query_terms
from ...articles.rendering import render_article, snippet_html
from ...text import is_link, url_parts
from .. import article_views, security_headers, theme
from ..content_cache import ContentCache
from ..rate_limits import EngineBusy
from ..request_input import stated_reason
from ..search import clean_query, search_help_center
from ..services import get_engine
from ..session import get_session
from ..visitors import current_visitor_id

bp = Blueprint("help_center", __name__)
security_headers.protect(bp, "help_center")

REFERRER_KINDS = ("search", "browse", "bot", "widget", "external", "direct")


def referrer_kind(ref, referrer, own_host):
    """How the visitor reached a page: an explicit `ref` from our own links, else the Referer header."""
    if ref in ("search", "browse", "bot"):
        return ref
    if not referrer:
        return "direct"
    parts = url_parts(referrer)
    if parts is None or parts.netloc != own_host:  # not a URL at all is not one of our pages either
        return "external"
    return "search" if parts.path.rstrip("/").endswith("/search") else "browse"


SEARCH_LIMIT = 10  # as many as the search API gives by default
POPULAR_COUNT = 6
RELATED_COUNT = 5
TOC_MIN_HEADINGS = 3  # shorter articles need no table of contents
WORDS_PER_MINUTE = 200  # reading speed behind "N min read"
SITEMAP_NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"


def _check_url(config, key, schemes):
    value = config.get(key)
    if value and not is_link(value, schemes):
        starts = ", ".join(scheme + (":" if scheme == "mailto" else "://") for scheme in schemes)
        raise ValueError(f"KBBOT_{key} must be a URL starting with {starts}; got {value!r}")


@bp.record_once
def _configure(state):
    """Check the help center's settings when the app is created, so a typo fails at start, not on a page."""
    config = state.app.config
    state.app.extensions["kbbot.theme"] = theme.from_config(config)
    state.app.extensions["kbbot.content_cache"] = ContentCache()
    _check_url(config, "PUBLIC_URL", ("https", "http"))
    _check_url(config, "SUPPORT_URL", ("https", "http", "mailto"))


def absolute_url(endpoint, **values):
    """The public URL of a page: under KBBOT_PUBLIC_URL when set, else the URL the request came in on."""
    base = current_app.config.get("PUBLIC_URL")
    if not base:
        return url_for(endpoint, _external=True, **values)
    return base.rstrip("/") + url_for(endpoint, **values).removeprefix(request.script_root)


def long_date(moment):
    """A date as English readers expect it: "March 5, 2026"."""
    return f"{moment:%B} {moment.day}, {moment.year}"


@bp.context_processor
def _page_context():
    """What every help-center template may use (only requests routed to this blueprint get it)."""
    return {
        "theme": current_app.extensions["kbbot.theme"],
        "support_url": current_app.config.get("SUPPORT_URL"),
        # Without ?ref=; a URL no route matched has none.
        "canonical_url": absolute_url(request.endpoint, **(request.view_args or {}))
        if request.endpoint
        else None,
        "long_date": long_date,
    }


@bp.get("/")
def home():
    session = get_session()
    popular = [found for found, _views in catalog.most_viewed(session, limit=POPULAR_COUNT)]
    return render_template(
        "help_center/home.html",
        categories=catalog.categories(session),
        popular=popular or catalog.recently_updated(session, limit=POPULAR_COUNT),
        popular_by_views=bool(popular),
    )


@bp.get("/categories/<slug>")
def category(slug):
    session = get_session()
    found = catalog.category(session, slug)
    if found is None:
        abort(404)
    category, articles = found
    return render_template(
        "help_center/category.html",
        category=category,
        articles=articles,
        summaries={row.id: row.summary for row in articles},
        categories=catalog.categories(session),
    )


@bp.get("/articles/<slug>")
def article(slug):
    session = get_session()
    found = catalog.article(session, slug)
    if found is None:
        renamed = catalog.successor(session, slug)
        if renamed is None:
            abort(404)
        # The query string goes along (re-encoded): `ref` still says where the visitor came from.
        query = urlencode(list(request.args.items(multi=True)))
        return redirect(url_for(".article", slug=renamed.slug) + (f"?{query}" if query else ""), 301)
    view = None
    if not current_user.is_authenticated:  # staff reading their own help center would skew the reports
        # Written now: the page reports the reading time against the view's id.
        view = article_views.count_view(
            session, found, referrer_kind(request.args.get("ref"), request.referrer, request.host)
        )
    related = get_engine().related(session, found.slug, limit=RELATED_COUNT)
    return article_page(found, view=view, related=related)


def article_page(article, **context):
    """The public page of `article`; the staff editor previews unsaved text with it, so both look the same.

    `context` adds to or overrides the page's template variables (`view`, `related`...).
    """
    rendered = render_article(article.body)
    page = {
        **_page_context(),
        "related": (),
        **context,
        "article": article,
        "body": rendered.html,
        "contents": rendered.headings if len(rendered.headings) >= TOC_MIN_HEADINGS else (),
        "description": rendered.summary or (article.questions[0] if article.questions else article.title),
        "minutes": max(1, round(rendered.word_count / WORDS_PER_MINUTE)),
    }
    return render_template("help_center/article.html", **page)


@dataclass(frozen=True)
class SearchResult:
    slug: str
    title: Markup  # escaped, query terms in <mark>
    snippet: Markup  # escaped, query terms in <mark>; a table's rows as a sanitized HTML table
    table: bool  # whether `snippet` is a table (a block), not a line of text
    category: str | None
    section: str  # the heading path of the passage that matched, "" for the article's top


def _one_line(passage):
    """A passage's lines (list items start with "- ") as one line of prose for a result snippet."""
    return " ".join(line.strip().removeprefix("- ") for line in passage.splitlines())


def search_results(session, query, visitor_id):
    """(the query as searched, misspellings corrected; its results as `search_help_center` keeps them,
    for the page). The search is logged for `visitor_id` unless it is None."""
    searched, found_articles = search_help_center(session, query, SEARCH_LIMIT, visitor_id, "help_center")
    terms = query_terms(searched)
    results = []
    for source, found in found_articles:
        table = snippet_html(source.snippet, absolute_url("help_center.article", slug=source.slug), terms)
        results.append(
            SearchResult(
                slug=source.slug,
                title=highlight(source.title, terms),
                snippet=Markup(table)
                if table
                else highlight(excerpt(_one_line(source.snippet), terms), terms),
                table=table is not None,
                category=found.category.name if found.category else None,
                section=" › ".join(source.heading_path),
            )
        )
    return searched, results


@bp.get("/search")
def search():
    query = clean_query(request.args.get("q", ""))
    searched, results = query, None
    if query:
        # Staff reading their own help center would skew the reports: their searches are not logged.
        visitor_id = None if current_user.is_authenticated else current_visitor_id()
        searched, results = search_results(get_session(), query, visitor_id)
    return render_template(
        "help_center/search.html",
        query=query,
        searched=searched,
        results=results,
        categories=catalog.categories(get_session()) if query and not results else (),
    )


def sitemap_xml(entries):
    """A sitemaps.org document of (absolute URL, last modified datetime or None) pairs, as UTF-8 bytes."""
    urlset = ElementTree.Element("urlset", xmlns=SITEMAP_NAMESPACE)
    for loc, lastmod in entries:
        url = ElementTree.SubElement(urlset, "url")
        ElementTree.SubElement(url, "loc").text = loc
        if lastmod is not None:
            ElementTree.SubElement(url, "lastmod").text = lastmod.strftime("%Y-%m-%d")
    return ElementTree.tostring(urlset, encoding="utf-8", xml_declaration=True)


@bp.get("/sitemap.xml")
def sitemap():
    session = get_session()
    document = current_app.extensions["kbbot.content_cache"].get(
        db.generation(session), ("sitemap", absolute_url("help_center.home")), lambda: _sitemap(session)
    )
    return Response(document, mimetype="application/xml")


def _sitemap(session):
    """The sitemap of the published articles and their categories (`sitemap_xml`)."""
    articles = catalog.published_articles(session)
    entries = [(absolute_url("help_center.home"), max((row.updated_at for row in articles), default=None))]
    entries += [
        (absolute_url("help_center.category", slug=category.slug), category.updated_at)
        for category in catalog.categories(session)
    ]
    entries += [(absolute_url("help_center.article", slug=row.slug), row.updated_at) for row in articles]
    return sitemap_xml(entries)


@bp.get("/robots.txt")
def robots():
    lines = (
        "User-agent: *",
        "Allow: /",
        "Disallow: /api/",
        "Disallow: /staff/",
        f"Sitemap: {absolute_url('help_center.sitemap')}",
    )
    return Response("\n".join(lines) + "\n", mimetype="text/plain")


@bp.get("/theme.css")
def theme_css():
    """The brand colours as CSS custom properties (see theme.stylesheet), shared with the widget."""
    response = Response(theme.stylesheet(current_app.extensions["kbbot.theme"]), mimetype="text/css")
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    response.add_etag()
    return response.make_conditional(request)


@dataclass(frozen=True)
class ErrorPage:
    """What the help center's error page says (help_center/error.html)."""

    title: str
    heading: str
    advice: str
    description: str  # "{product}" stands for the help center's name


ERROR_PAGES = {
    400: ErrorPage(
        title="Link not understood",
        heading="We couldn’t read that link",
        advice="Check the address, or search for what you need instead.",
        description="The link could not be read.",
    ),
    404: ErrorPage(
        title="Page not found",
        heading="We can’t find that page",
        advice="The article may have moved or been removed. Try searching for it instead.",
        description="The page you were looking for is not in the {product}.",
    ),
    429: ErrorPage(  # over the search rate limit (`rate_limits`)
        title="Too many searches",
        heading="Too many searches at once",
        advice="Please wait a moment, then search again.",
        description="Too many searches at once.",
    ),
    503: ErrorPage(  # the database cannot answer now (`app._handle_database_unavailable`)
        title="Briefly unavailable",
        heading="We’ll be right back",
        advice="The help center is briefly unavailable. Please try again in a few seconds.",
        description="The {product} is briefly unavailable.",
    ),
}
# Every engine slot stayed busy (`rate_limits.EngineBusy`): only searching waits, pages open.
SEARCH_BUSY_PAGE = ErrorPage(
    title="Search is busy",
    heading="Search is busy right now",
    advice="Please wait a moment, then search again. Articles and categories still open as usual.",
    description="Search is busy right now.",
)


@bp.errorhandler(400)
@bp.errorhandler(404)
@bp.errorhandler(429)
@bp.errorhandler(503)
def error_page(error):
    """The help center's own page for a link it cannot read (a NUL in it), a page it does not have,
    a visitor over the search rate limit, search busy on every engine slot or a database that cannot
    answer now, saying what was wrong when kbbot knows; the app also uses it for URLs that match no
    route."""
    theme = current_app.extensions["kbbot.theme"]
    page = SEARCH_BUSY_PAGE if isinstance(error, EngineBusy) else ERROR_PAGES[error.code]
    html = render_template(
        "help_center/error.html",
        error=error,
        page=page,
        description=page.description.format(product=theme.product_name),
        reason=stated_reason(error),
        **_page_context(),
    )
    # Also sent for URLs no route matched, which no blueprint's after_request sees.
    response = security_headers.apply(make_response(html, error.code), "help_center")
    if retry_after := dict(error.get_headers()).get("Retry-After"):
        response.headers["Retry-After"] = retry_after
    return response
