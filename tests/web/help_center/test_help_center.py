"""The public help center: its pages, what they log, what they never show (drafts) and how they are served."""

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select, update

from kbbot.accounts import users
from kbbot.articles.sync import sync_directory
from kbbot.models import Article, Category, Event, utcnow
from kbbot.web.help_center import referrer_kind
from kbbot.web.session import get_session
from tests.helpers import PASSWORD, make_app, sign_in, write_article


def views(app):
    with app.app_context():
        return [
            (event.data["slug"], event.data["ref"], event.visitor_id)
            for event in get_session().execute(select(Event).where(Event.type == "article_view")).scalars()
        ]


def test_an_article_page_renders_and_logs_the_view(support_app, client):
    page = client.get("/articles/refunds")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<h1>Refund policy</h1>" in html and "<strong>14 days</strong>" in html
    [(slug, ref, visitor)] = views(support_app)
    assert (slug, ref) == ("refunds", "direct") and visitor
    client.get("/articles/refunds?ref=bot")
    assert views(support_app)[-1][2] == visitor  # the signed cookie keeps the same visitor


class TagCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_hostile_markup_in_an_article_renders_inert(client):
    collector = TagCollector()
    collector.feed(client.get("/articles/script").get_data(as_text=True))
    scripts = [attrs.get("src") for tag, attrs in collector.tags if tag == "script"]
    assert all(src and src.startswith(("/static/", "/widget.js")) for src in scripts)  # ours, none inline
    assert not [(tag, name) for tag, attrs in collector.tags for name in attrs if name.startswith("on")]
    assert not [attrs for tag, attrs in collector.tags if "javascript:" in (attrs.get("href") or "")]


def test_unknown_and_draft_articles_are_404(client):
    assert client.get("/articles/no-such-article").status_code == 404
    assert client.get("/articles/new-pricing").status_code == 404


def test_a_slug_changed_in_its_file_sends_the_old_address_to_the_new_one(tmp_path, articles_dir):
    app = make_app(tmp_path)
    with app.app_context():
        for slug in ("refunds", "refund-policy"):
            write_article(articles_dir, "refunds.md", "Within **14 days**.", title="Refund policy", slug=slug)
            sync_directory(get_session(), articles_dir, app.config["MAX_ARTICLE_BYTES"])
    client = app.test_client()
    moved = client.get("/articles/refunds?ref=bot&slug=x")
    assert moved.status_code == 301
    assert moved.headers["Location"] == "/articles/refund-policy?ref=bot&slug=x"
    assert client.get(moved.headers["Location"]).status_code == 200
    assert views(app) and views(app)[-1][:2] == ("refund-policy", "bot")


@pytest.mark.parametrize(
    "ref, referrer, kind",
    [
        ("bot", None, "bot"),
        ("evil", None, "direct"),
        (None, "http://help.example/search?q=x", "search"),
        (None, "http://help.example/categories/billing", "browse"),
        (None, "https://www.google.com/", "external"),
        (None, "http://[", "external"),  # no URL at all
        (None, "https://[::1/search", "external"),
    ],
)
def test_referrer_kind(ref, referrer, kind):
    assert referrer_kind(ref, referrer, "help.example") == kind


def test_an_article_read_with_a_referer_that_is_no_url_counts_as_from_elsewhere(support_app, client):
    assert client.get("/articles/refunds", headers={"Referer": "http://["}).status_code == 200
    assert views(support_app)[-1][:2] == ("refunds", "external")


def test_reading_time_only_for_the_visitors_own_view(support_app, client):
    client.get("/articles/refunds")
    with support_app.app_context():
        view_id = get_session().execute(select(Event.id).where(Event.type == "article_view")).scalar_one()
    assert support_app.test_client().post(f"/api/v1/views/{view_id}", json={"seconds": 5}).status_code == 404
    assert client.post(f"/api/v1/views/{view_id}", json={"seconds": -1}).status_code == 422
    assert client.post(f"/api/v1/views/{view_id}", json={"seconds": 12}).status_code == 204


def test_staff_reading_their_own_help_center_are_not_counted_as_customers(support_app):
    with support_app.app_context():
        users.create_user(get_session(), "agent@example.com", ["agent"], password=PASSWORD)
    staff = support_app.test_client()
    sign_in(staff, email="agent@example.com")
    page = staff.get("/articles/refunds").get_data(as_text=True)
    staff.get("/search?q=refund")
    assert "Refund policy" in page and "reading-time.js" not in page
    with support_app.app_context():
        assert get_session().execute(select(func.count(Event.id))).scalar_one() == 0


# -- pages -----------------------------------------------------------------------------


def page_text(response):
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def category_counts(html):
    """{category slug: article count} as the home page's category cards show them."""
    cards = re.findall(
        r'id="kb-category-([^"]+)".*?class="kb-category-card__count">(\d+) article', html, re.S
    )
    return {slug: int(count) for slug, count in cards}


def published_counts(app, statuses=("published",)):
    """{category slug: number of its articles in `statuses`}, from the database."""
    with app.app_context():
        rows = get_session().execute(
            select(Category.slug, func.count(Article.id))
            .join(Article, Article.category_id == Category.id)
            .where(Article.status.in_(statuses))
            .group_by(Category.slug)
        )
        return dict(rows.all())


def draft_titles(app):
    with app.app_context():
        return get_session().execute(select(Article.title).where(Article.status == "draft")).scalars().all()


def test_home_lists_categories_with_published_counts_and_hides_drafts(sample_app):
    html = page_text(sample_app.test_client().get("/"))
    assert 'name="q"' in html and 'role="search"' in html
    counts = published_counts(sample_app)
    assert category_counts(html) == counts and len(counts) == 7
    assert counts != published_counts(sample_app, ("published", "draft"))  # drafts exist, and are not counted
    assert draft_titles(sample_app) and not [title for title in draft_titles(sample_app) if title in html]


def test_a_category_of_drafts_only_is_invisible(help_center_app):
    client = help_center_app.test_client()
    html = page_text(client.get("/"))
    assert category_counts(html) == {"account-and-login": 1, "billing-and-plans": 2, "integrations": 1}
    assert "Roadmap" not in html
    assert client.get("/categories/roadmap").status_code == 404


def test_the_home_page_shows_the_product_name(tmp_path):
    client = make_app(tmp_path, PRODUCT_NAME="Ledgerly Help Center").test_client()
    html = page_text(client.get("/"))
    assert (
        "<title>Ledgerly Help Center</title>" in html
        and 'class="kb-brand__name">Ledgerly Help Center<' in html
    )


def popular_slugs(html):
    section = html.split('id="kb-popular"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'href="/articles/([^"?]+)\?ref=browse"', section)


def test_home_shows_the_most_viewed_articles_of_the_last_30_days(help_center_app):
    client = help_center_app.test_client()
    assert "Recently updated" in page_text(client.get("/"))  # no views yet
    for slug in ("connect-stripe", "refunds", "refunds", "refunds", "cancel", "cancel"):
        help_center_app.test_client().get(f"/articles/{slug}")  # each by another visitor
    with help_center_app.app_context():
        session = get_session()
        old = session.execute(select(Article).where(Article.slug == "reset-password")).scalar_one()
        draft = session.execute(select(Article).where(Article.slug == "new-pricing")).scalar_one()
        long_ago = utcnow() - timedelta(days=31)
        session.add_all(
            [Event(type="article_view", article_id=old.id, occurred_at=long_ago, data={}) for _ in range(5)]
            + [
                Event(type="article_view", article_id=draft.id, occurred_at=utcnow(), data={})
                for _ in range(5)
            ]
        )
        session.commit()
    html = page_text(client.get("/"))
    assert "Popular articles" in html
    assert popular_slugs(html) == ["refunds", "cancel", "connect-stripe"]


def test_a_category_page_lists_its_published_articles(sample_app):
    client = sample_app.test_client()
    html = page_text(client.get("/categories/invoices-and-payments"))
    with sample_app.app_context():
        rows = get_session().execute(
            select(Article.slug, Article.status)
            .join(Category)
            .where(Category.slug == "invoices-and-payments")
        )
        published = {slug for slug, status in rows if status == "published"}
    listed = set(
        re.findall(r'href="/articles/([^"?]+)\?ref=browse"', html.split('id="kb-category-articles"')[1])
    )
    assert listed == published and "ai-invoice-assistant" not in html  # the category's draft
    assert (
        'aria-label="Breadcrumb"' in html and '<h1 class="kb-page-title">Invoices and payments</h1>' in html
    )


def test_an_article_page_has_breadcrumbs_contents_meta_and_feedback(help_center_app):
    html = page_text(help_center_app.test_client().get("/articles/refunds?ref=search"))
    breadcrumb = html.split('aria-label="Breadcrumb"', 1)[1].split("</nav>", 1)[0]
    assert re.findall(r'<a href="([^"]+)">([^<]+)</a>', breadcrumb) == [
        ("/", "Home"),
        ("/categories/billing-and-plans", "Billing and plans"),
    ]
    assert 'aria-current="page">Refund policy<' in breadcrumb
    contents = html.split('id="kb-toc"', 1)[1].split("</nav>", 1)[0]
    targets = re.findall(r'href="#([^"]+)"', contents)
    assert len(targets) == 5 and all(f'id="{target}"' in html for target in targets)
    assert "section-annual-plans" in targets and "section-by-email" in targets
    assert '<meta name="description" content="You can get your money back for a subscription payment' in html
    assert '<meta property="og:title" content="Refund policy">' in html
    assert '<link rel="canonical" href="http://localhost/articles/refunds">' in html  # no ?ref
    assert 'data-kb-feedback data-article="refunds" data-endpoint="/api/v1/feedback"' in html
    assert 'data-helpful="true"' in html and 'data-helpful="false"' in html
    assert re.search(r"<time datetime=\"\d{4}-\d\d-\d\d\">", html)


def test_a_short_article_has_no_table_of_contents(help_center_app):
    assert 'id="kb-toc"' not in page_text(help_center_app.test_client().get("/articles/reset-password"))


def test_an_article_page_offers_related_articles_but_no_drafts(help_center_app):
    html = page_text(help_center_app.test_client().get("/articles/refunds"))
    related = re.findall(r'href="/articles/([^"?]+)\?ref=browse"', html.split('id="kb-related"', 1)[1])
    assert related and related[0] == "cancel"
    assert "refunds" not in related and "new-pricing" not in related


def test_the_feedback_endpoint_the_page_names_records_the_vote(help_center_app):
    client = help_center_app.test_client()
    html = page_text(client.get("/articles/refunds"))
    endpoint = re.search(r'data-endpoint="([^"]+)"', html)[1]
    assert client.post(endpoint, json={"article": "refunds", "helpful": False}).status_code == 201


# -- search ------------------------------------------------------------------------------


def searches(app):
    with app.app_context():
        return [
            event.data
            for event in get_session().execute(select(Event).where(Event.type == "search")).scalars()
        ]


def test_search_marks_the_query_terms_and_logs_the_result_count(support_app, client):
    html = page_text(client.get("/search?q=refunds"))
    results = re.findall(r'<li class="kb-result">(.*?)</li>', html, re.S)
    assert results and 'href="/articles/refunds?ref=search"><mark>Refund</mark> policy</a>' in results[0]
    assert "<mark>refund</mark>" in results[0]
    [logged] = searches(support_app)
    assert {key: logged[key] for key in ("query", "results", "source")} == {
        "query": "refunds",
        "results": len(results),
        "source": "help_center",
    }
    assert logged["top"][0] == {"slug": "refunds", "title": "Refund policy"}  # plain text, no <mark>
    assert "new-pricing" not in html


def test_the_search_page_and_the_api_show_and_log_the_same_articles(support_app, client):
    with support_app.app_context():  # unpublished behind the engine's back: it has not looked since
        session = get_session()
        session.execute(update(Article).where(Article.slug == "mobile-app").values(status="draft"))
        session.commit()
    query = {"q": "forgot my password"}
    page = re.findall(
        r'href="/articles/([^"?]+)\?ref=search"', page_text(client.get("/search", query_string=query))
    )
    api = [
        result["slug"] for result in client.get("/api/v1/search", query_string=query).get_json()["results"]
    ]
    assert page == api and "reset-password" in page and "mobile-app" not in page
    logged = [(search["source"], [top["slug"] for top in search["top"]]) for search in searches(support_app)]
    assert logged == [("help_center", page), ("api", api)]


def test_a_result_that_matched_table_rows_shows_them_as_a_table_with_the_terms_marked(table_app):
    html = page_text(table_app.test_client().get("/search?q=monthly+price"))
    snippet = re.search(r'class="kb-result__snippet kb-result__table">(.*?)</div>', html, re.DOTALL)[1]
    assert '<div class="kb-table-scroll"' in snippet and "<thead>" in snippet
    assert '<th align="right"><mark>Monthly</mark></th>' in snippet and '<td align="left">Pro</td>' in snippet


def test_a_misspelt_search_shows_and_marks_the_corrected_words(support_app, client):
    html = page_text(client.get("/search?q=refnuds"))
    results = re.findall(r'<li class="kb-result">(.*?)</li>', html, re.S)
    assert results and "<mark>Refund</mark> policy" in results[0]
    assert "for “<strong>refunds</strong>”" in html and 'id="kb-searched-instead"' in html
    assert searches(support_app)[0]["query"] == "refnuds"  # the log keeps what the customer typed
    assert 'id="kb-searched-instead"' not in page_text(client.get("/search?q=refunds"))


def test_a_search_without_results_shows_a_way_to_the_assistant(support_app, client):
    html = page_text(client.get("/search?q=zebra+quantum+teleportation"))
    assert 'id="kb-no-results"' in html and 'class="kb-result"' not in html
    assert 'data-kbbot-ask data-kbbot-message="zebra quantum teleportation"' in html
    assert searches(support_app) == [
        {"query": "zebra quantum teleportation", "results": 0, "source": "help_center", "top": []}
    ]


def test_a_search_without_results_links_to_support_when_configured(tmp_path):
    client = make_app(tmp_path, SUPPORT_URL="mailto:help@example.com").test_client()
    html = page_text(client.get("/search?q=anything"))  # an empty knowledge base finds nothing
    assert 'id="kb-no-results"' in html and 'href="mailto:help@example.com">Contact support</a>' in html


def test_the_search_api_gives_a_table_snippet_as_a_table_and_a_text_snippet_as_text(sample_app):
    client = sample_app.test_client()
    table = client.get("/api/v1/search", query_string={"q": "annual billing price"}).get_json()["results"][0]
    assert table["snippet"].startswith("| | Free | Starter | Pro | Business |")
    assert "<table>" in table["snippet_html"] and "<th>Starter</th>" in table["snippet_html"]
    text = client.get("/api/v1/search", query_string={"q": "send an invoice"}).get_json()["results"][0]
    assert text["snippet"] and text["snippet_html"] is None


@pytest.mark.parametrize("query", ["salesforce", "xyzzy plugh"])
def test_a_search_no_article_answers_gets_the_assistant_and_support_not_weak_matches(sample_app, query):
    client = sample_app.test_client()
    html = page_text(client.get("/search", query_string={"q": query}))
    assert 'id="kb-no-results"' in html and 'class="kb-result"' not in html
    assert f'data-kbbot-ask data-kbbot-message="{query}"' in html and "Ask our assistant" in html
    assert f'href="{sample_app.config["SUPPORT_URL"]}">Contact support</a>' in html
    assert client.get("/api/v1/search", query_string={"q": query}).get_json()["results"] == []


@pytest.mark.parametrize(
    ("query", "slug"),
    [("forgot my password", "reset-your-password"), ("send an invoice", "send-your-first-invoice")],
)
def test_a_search_an_article_answers_still_lists_it_first(sample_app, query, slug):
    client = sample_app.test_client()
    html = page_text(client.get("/search", query_string={"q": query}))
    assert re.findall(r'href="/articles/([^"?]+)\?ref=search"', html)[0] == slug
    assert client.get("/api/v1/search", query_string={"q": query}).get_json()["results"][0]["slug"] == slug


def test_an_empty_search_shows_the_page_without_logging(support_app, client):
    html = page_text(client.get("/search?q=+++"))
    assert (
        'id="kb-search-input"' in html and 'id="kb-results"' not in html and 'id="kb-no-results"' not in html
    )
    assert searches(support_app) == []


def test_a_search_query_is_never_reflected_as_markup(support_app, client):
    query = '<script>alert(1)</script>"><img src=x onerror=alert(2)> refund'
    html = page_text(client.get("/search", query_string={"q": query}))
    collector = TagCollector()
    collector.feed(html)
    assert all(attrs.get("src") for tag, attrs in collector.tags if tag == "script")  # none inline
    assert not [tag for tag, attrs in collector.tags if tag == "img"]
    assert not [(tag, name) for tag, attrs in collector.tags for name in attrs if name.startswith("on")]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert searches(support_app)[0]["query"] == query


def test_a_query_without_results_is_echoed_as_text(client):
    query = '"><svg onload=confirm(3)> zebra'
    html = page_text(client.get("/search", query_string={"q": query}))
    collector = TagCollector()
    collector.feed(html)
    assert 'id="kb-no-results"' in html
    assert not [tag for tag, attrs in collector.tags if tag == "svg" and "onload" in attrs]
    escaped = "&#34;&gt;&lt;svg onload=confirm(3)&gt; zebra"
    assert f"No articles match “{escaped}”" in html and f'data-kbbot-message="{escaped}"' in html


# -- sitemap, robots, errors, headers, theme ------------------------------------------------

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def test_the_sitemap_lists_published_articles_and_categories(sample_app):
    response = sample_app.test_client().get("/sitemap.xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    entries = {
        url.find(f"{SITEMAP}loc").text: url.find(f"{SITEMAP}lastmod").text
        for url in ET.fromstring(response.data).iter(f"{SITEMAP}url")
    }
    with sample_app.app_context():
        slugs = get_session().execute(select(Article.slug, Article.status)).all()
    assert {loc for loc in entries if "/articles/" in loc} == {
        f"http://localhost/articles/{slug}" for slug, status in slugs if status == "published"
    }
    assert {loc for loc in entries if "/categories/" in loc} == {
        f"http://localhost/categories/{slug}" for slug in published_counts(sample_app)
    }
    assert "http://localhost/" in entries
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", lastmod) for lastmod in entries.values())


def sitemap_entries(client, **headers):
    """{location: last modified} of the sitemap."""
    response = client.get("/sitemap.xml", headers=headers)
    return {
        url.find(f"{SITEMAP}loc").text: url.find(f"{SITEMAP}lastmod").text
        for url in ET.fromstring(response.data).iter(f"{SITEMAP}url")
    }


def test_the_sitemap_is_kept_until_the_content_changes(help_center_app, tmp_path):
    client = help_center_app.test_client()
    first = sitemap_entries(client)
    with help_center_app.app_context():  # changed behind the content generation's back: not seen yet
        get_session().execute(update(Article).values(updated_at=datetime(2001, 2, 3, tzinfo=UTC)))
        get_session().commit()
    assert sitemap_entries(client) == first
    assert "http://help.example.org/articles/cancel" in sitemap_entries(client, Host="help.example.org")
    write_article(tmp_path / "support-articles", "billing/gift-cards.md", "Never expire.", title="Gift cards")
    with help_center_app.app_context():  # a publish moves the generation
        sync_directory(get_session(), tmp_path / "support-articles", 512 * 1024)
    after = sitemap_entries(client)
    assert "http://localhost/articles/gift-cards" in after
    assert after["http://localhost/articles/cancel"] == "2001-02-03"


def test_a_category_page_shows_the_summaries_stored_with_the_articles(help_center_app):
    html = page_text(help_center_app.test_client().get("/categories/billing-and-plans"))
    assert (
        '<p class="kb-article-card__summary">You can get your money back for a subscription payment in some'
        " cases.</p>" in html
    )


def test_robots_allows_all_but_the_api_and_points_to_the_sitemap(tmp_path):
    client = make_app(tmp_path, PUBLIC_URL="https://help.example.com/").test_client()
    response = client.get("/robots.txt")
    assert response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[:4] == ["User-agent: *", "Allow: /", "Disallow: /api/", "Disallow: /staff/"]
    assert "Sitemap: https://help.example.com/sitemap.xml" in lines
    assert '<link rel="canonical" href="https://help.example.com/">' in page_text(client.get("/"))


def test_unknown_pages_are_a_friendly_404_and_unknown_api_urls_stay_json(client):
    for url in ("/articles/no-such-article", "/articles/new-pricing", "/categories/no-such-category"):
        response = client.get(url)
        assert response.status_code == 404 and response.mimetype == "text/html"
        assert "We can’t find that page" in response.get_data(as_text=True) and 'role="search"' in (
            response.get_data(as_text=True)
        )
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.mimetype == "application/problem+json"


def test_a_link_with_a_nul_gets_the_help_centers_400_page_saying_what_was_wrong(client):
    for url in (
        "/search?q=refund%00",
        "/articles/refunds?ref=%00",
        "/categories/billing%00",
        "/no-such%00page",
    ):
        response = client.get(url)
        text = response.get_data(as_text=True)
        assert response.status_code == 400 and response.mimetype == "text/html", url
        assert "We couldn’t read that link" in text and 'role="search"' in text, url
        assert "A NUL character (U+0000) in the request" in text, url
        assert response.headers["Content-Security-Policy"], url
    api = client.get("/api/v1/search?q=refund%00")
    assert api.status_code == 400 and api.mimetype == "application/problem+json"


def test_every_help_center_page_is_sent_with_the_content_security_policy(client):
    for url in ("/", "/search?q=refund", "/articles/refunds", "/articles/nope", "/sitemap.xml", "/theme.css"):
        policy = client.get(url).headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy
        assert "frame-ancestors 'self'" in policy and "object-src 'none'" in policy


def test_pages_have_no_inline_script_or_style(client):
    for url in ("/", "/search?q=refund", "/search?q=zebra", "/articles/refunds", "/articles/nope"):
        collector = TagCollector()
        collector.feed(client.get(url).get_data(as_text=True))
        assert not [tag for tag, attrs in collector.tags if tag == "style" or "style" in attrs]
        assert all(attrs.get("src") for tag, attrs in collector.tags if tag == "script")


def test_the_theme_stylesheet_reflects_the_brand_colour(tmp_path):
    response = make_app(tmp_path, BRAND_COLOR="#FC0").test_client().get("/theme.css")
    css = response.get_data(as_text=True)
    assert response.mimetype == "text/css"
    assert "--kb-brand: #ffcc00;" in css and "--kb-brand-contrast: #000000;" in css  # black reads on yellow


def test_the_default_theme_is_blue_with_white_text(app):
    css = app.test_client().get("/theme.css").get_data(as_text=True)
    assert "--kb-brand: #2563eb;" in css and "--kb-brand-contrast: #ffffff;" in css


@pytest.mark.parametrize(
    "setting, value, message",
    [
        ("BRAND_COLOR", "blue", "KBBOT_BRAND_COLOR must be a hex colour"),
        ("BRAND_COLOR", "#12345", "KBBOT_BRAND_COLOR must be a hex colour"),
        ("LOGO_URL", "javascript:alert(1)", "KBBOT_LOGO_URL must be an https:// URL"),
        ("PUBLIC_URL", "help.example.com", "KBBOT_PUBLIC_URL must be a URL"),
        ("SUPPORT_URL", "javascript:alert(1)", "KBBOT_SUPPORT_URL must be a URL"),
        # Not URLs at all (urlsplit raises): still the setting's own message, not "Invalid IPv6 URL".
        ("LOGO_URL", "https://[cdn.example.com/logo.svg", "KBBOT_LOGO_URL must be an https:// URL"),
        ("PUBLIC_URL", "https://[help.example.com", "KBBOT_PUBLIC_URL must be a URL"),
        ("SMTP_URL", "smtp://[mail.example.com", "KBBOT_SMTP_URL must be smtp://"),
    ],
)
def test_a_bad_theme_or_url_setting_stops_the_app_at_start(tmp_path, setting, value, message):
    with pytest.raises(ValueError, match=message):
        make_app(tmp_path, **{setting: value})


def test_the_logo_replaces_the_mark_next_to_the_product_name(tmp_path):
    html = page_text(make_app(tmp_path, LOGO_URL="https://cdn.example.com/logo.svg").test_client().get("/"))
    assert '<img class="kb-brand__logo" src="https://cdn.example.com/logo.svg" alt="">' in html


def test_a_url_no_route_matches_gets_the_friendly_404_page(client):
    page = client.get("/no/such/page")
    assert page.status_code == 404 and page.content_type.startswith("text/html")
    assert 'id="kb-search-input"' in page.get_data(as_text=True)  # a way on: search
    assert "frame-ancestors" in page.headers["Content-Security-Policy"]
    assert client.get("/api/v1/no/such/page").content_type == "application/problem+json"
