"""`kbbot export` writes the articles back to Markdown; syncing the export changes nothing."""

from sqlalchemy import select

from conftest import SAMPLE_ARTICLES, make_app
from kbbot import db
from kbbot.articles import ArticleSource, save_article, source_of
from kbbot.models import Article
from kbbot.sync import sync_directory


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
        other = db.get_session()
        report = sync_directory(other, out, 512 * 1024)
        assert not report.errors
        assert sources(other) == before  # every field of every article, drafts included

    again = sync_directory(session, out, 512 * 1024)
    assert (again.created, again.updated, again.unpublished) == ([], [], [])
