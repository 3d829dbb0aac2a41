"""`kbbot export` writes the articles back to Markdown; syncing the export changes nothing."""

from sqlalchemy import select

from kbbot.articles.source import ArticleSource, category_slug, save_article, source_of
from kbbot.articles.sync import sync_directory
from kbbot.models import Article
from kbbot.web.session import get_session
from tests.helpers import SAMPLE_ARTICLES, make_app


def sources(session):
    return {a.slug: source_of(a) for a in session.execute(select(Article)).scalars()}


def test_export_then_sync_round_trips_without_loss(app, runner, session, tmp_path):
    assert not sync_directory(session, SAMPLE_ARTICLES, 512 * 1024).errors
    save_article(
        session,
        ArticleSource(slug="new-draft", title="Draft: übersicht", body="Body with `code`.", category="Billing and plans",
                      tags=("a",), questions=("q?",), locale="de", status="draft"),
        note="editor",
    )  # fmt: skip
    session.get(Article, 1).source_path = "../../outside.md"  # a stored path never escapes the directory
    session.commit()
    before = sources(session)

    out = tmp_path / "exported"
    result = runner.invoke(args=["export", str(out)])
    assert result.exit_code == 0, result.output
    assert f"{len(before)} articles written" in result.output
    assert (out / "billing-and-plans" / "new-draft.md").exists()
    assert not (tmp_path.parent / "outside.md").exists()

    fresh = make_app(tmp_path / "fresh")
    with fresh.app_context():
        other = get_session()
        report = sync_directory(other, out, 512 * 1024)
        assert not report.errors
        assert sources(other) == before  # every field of every article, drafts included

    again = sync_directory(session, out, 512 * 1024)
    assert (again.created, again.updated, again.unpublished) == ([], [], [])


def test_export_reports_a_file_it_cannot_write_and_writes_the_rest(app, runner, session, tmp_path):
    long_category = "Щ" * 200  # "shch" x 200 as a slug, were it not bounded
    save_article(session, ArticleSource("long-category", "Long", category=long_category), note="editor")
    save_article(session, ArticleSource("plain", "Plain", category="Billing"), note="editor")
    too_long = "x" * 300 + ".md"  # a path it was imported from that this file system cannot hold
    save_article(session, ArticleSource("unwritable", "Unwritable"), note="sync", source_path=too_long)
    session.commit()

    out = tmp_path / "exported"
    result = runner.invoke(args=["export", str(out)])
    assert result.exit_code == 1
    assert f"error: {too_long}: cannot write file: File name too long" in result.output
    assert "2 articles written" in result.output and "1 errors" in result.output
    assert (out / category_slug(long_category) / "long-category.md").exists()
    assert (out / "billing" / "plain.md").exists()
