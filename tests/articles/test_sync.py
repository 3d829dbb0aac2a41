"""`kbbot sync`: idempotent import, revisions, unpublishing, and bad input reported file by file."""

from dataclasses import replace

from sqlalchemy import event, select

from kbbot import db
from kbbot.accounts import users
from kbbot.articles import editing, source
from kbbot.articles.source import source_of
from kbbot.articles.sync import sync_directory
from kbbot.models import Article, Category, Chunk, KnowledgeBaseState, Revision
from kbbot.search import chunking
from kbbot.web.session import get_session
from tests.helpers import make_app, write_article

LIMIT = 512 * 1024


def articles_by_slug(session):
    return {a.slug: a for a in session.execute(select(Article)).scalars()}


def test_first_sync_creates_articles_categories_revisions_and_chunks(session, articles_dir):
    write_article(
        articles_dir,
        "a.md",
        "## Steps\n1. Open settings.\n2. Save.",
        title="Alpha",
        category="Getting started",
        questions=["how to start"],
    )
    write_article(articles_dir, "sub/b.md", "", title="Beta")
    report = sync_directory(session, articles_dir, LIMIT)
    assert sorted(report.created) == ["a", "b"]
    articles = articles_by_slug(session)
    assert articles["a"].category.name == "Getting started"
    assert articles["a"].source_path == "a.md" and articles["b"].source_path == "sub/b.md"
    assert [r.number for r in articles["a"].revisions] == [1]
    kinds = [c.kind for c in articles["a"].chunks]
    assert kinds == ["title", "question", "passage"]


def test_second_sync_of_same_files_changes_nothing(session, articles_dir):
    write_article(articles_dir, "a.md", "Body.", title="Alpha")
    sync_directory(session, articles_dir, LIMIT)
    chunk_ids = [c.id for c in session.execute(select(Chunk)).scalars()]
    report = sync_directory(session, articles_dir, LIMIT)
    assert report.unchanged == ["a"] and not report.changed
    assert session.execute(select(Revision)).scalars().all()[-1].number == 1
    assert [c.id for c in session.execute(select(Chunk)).scalars()] == chunk_ids


def test_changed_file_gets_a_new_revision_and_keeps_the_old_one(session, articles_dir):
    write_article(articles_dir, "a.md", "Old text.", title="Alpha")
    sync_directory(session, articles_dir, LIMIT)
    write_article(articles_dir, "a.md", "New text.", title="Alpha")
    report = sync_directory(session, articles_dir, LIMIT)
    assert report.updated == ["a"]
    article = articles_by_slug(session)["a"]
    assert [(r.number, r.body) for r in article.revisions] == [(1, "Old text."), (2, "New text.")]
    assert article.body == "New text."
    assert "New text." in [c.text for c in article.chunks]


def test_removed_file_unpublishes_and_reports_but_never_deletes(session, articles_dir):
    path = write_article(articles_dir, "a.md", "Text.", title="Alpha")
    write_article(articles_dir, "b.md", "Text.", title="Beta")
    sync_directory(session, articles_dir, LIMIT)
    path.unlink()
    report = sync_directory(session, articles_dir, LIMIT)
    assert report.unpublished == ["a"]
    article = articles_by_slug(session)["a"]
    assert article.status == "draft"
    assert article.revisions[-1].note == "sync: source file a.md removed"
    # Nothing more happens while the file stays away; it comes back published.
    assert sync_directory(session, articles_dir, LIMIT).unpublished == []
    write_article(articles_dir, "a.md", "Text.", title="Alpha")
    assert sync_directory(session, articles_dir, LIMIT).updated == ["a"]
    assert articles_by_slug(session)["a"].status == "published"


def test_a_slug_changed_in_its_file_unpublishes_the_old_article(session, articles_dir):
    write_article(articles_dir, "a.md", "Text.", title="Alpha", slug="alpha")
    sync_directory(session, articles_dir, LIMIT)
    write_article(articles_dir, "a.md", "Text.", title="Alpha", slug="beta")
    report = sync_directory(session, articles_dir, LIMIT)
    assert (report.created, report.unpublished) == (["beta"], ["alpha"])
    articles = articles_by_slug(session)
    assert (articles["alpha"].status, articles["beta"].status) == ("draft", "published")
    assert articles["alpha"].revisions[-1].note == "sync: source file a.md now has another slug"


def test_categories_named_in_other_scripts_stay_apart(session, articles_dir):
    write_article(articles_dir, "a.md", "Text.", title="Выставить счёт", slug="invoice", category="Счета")
    write_article(articles_dir, "b.md", "Text.", title="Принять платёж", slug="payment", category="Платежи")
    sync_directory(session, articles_dir, LIMIT)
    articles = articles_by_slug(session)
    assert articles["invoice"].category.name == "Счета" and articles["invoice"].category.slug == "scheta"
    assert articles["payment"].category.name == "Платежи" and articles["payment"].category.slug == "platezhi"


def test_bad_files_are_reported_and_the_rest_still_imports(session, articles_dir):
    write_article(articles_dir, "good.md", "Fine.", title="Good")
    write_article(articles_dir, "no-title.md", "Body", category="X")
    (articles_dir / "bad-yaml.md").write_text("---\ntitle: [oops\n---\n", encoding="utf-8")
    (articles_dir / "latin1.md").write_bytes(b"---\ntitle: Caf\xe9\n---\n")
    write_article(articles_dir, "status.md", "", title="S", status="archived")
    write_article(articles_dir, "big.md", "x" * 2000, title="Big")
    write_article(articles_dir, "one.md", "", title="One", slug="same")
    write_article(articles_dir, "two.md", "", title="Two", slug="same")
    report = sync_directory(session, articles_dir, max_bytes=1000)
    assert report.created == ["good"]
    problems = {str(e.path): e.message for e in report.errors}
    assert problems["no-title.md"] == "missing required field 'title'"
    assert problems["bad-yaml.md"].startswith("malformed YAML front matter at line 2")
    assert problems["latin1.md"].startswith("not valid UTF-8")
    assert problems["status.md"].startswith("unknown status 'archived'")
    assert "over the limit of 1000 bytes" in problems["big.md"]
    assert problems["one.md"].startswith("duplicate slug 'same' (also in: one.md, two.md)")
    assert "two.md" in problems
    assert set(articles_by_slug(session)) == {"good"}


def test_files_with_control_characters_are_reported_and_the_rest_still_imports(session, articles_dir):
    write_article(articles_dir, "good.md", "Fine.", title="Good")
    (articles_dir / "escaped.md").write_text('---\ntitle: "Bell \\a"\n---\nBody', encoding="utf-8")
    (articles_dir / "raw.md").write_bytes(b"---\ntitle: Raw\ncategory: Billing\x1b[31m\n---\nBody")
    (articles_dir / "in-body.md").write_bytes(b"---\ntitle: In the body\n---\nNUL\x00 and BEL\x07 gone")
    report = sync_directory(session, articles_dir, LIMIT)
    problems = {str(e.path): e.message for e in report.errors}
    assert problems == {
        "escaped.md": "'title' contains a control character (U+0007) at character 6: remove it",
        "raw.md": "malformed YAML front matter at line 3: unacceptable character #x001b: "
        "control characters are not allowed",
    }
    assert report.created == ["good", "in-body"]
    assert report.warnings == ["in-body.md: control characters removed from the body: U+0000, U+0007"]
    assert articles_by_slug(session)["in-body"].body == "NUL and BEL gone"


def test_a_category_written_another_way_joins_the_first_with_a_warning(session, articles_dir):
    write_article(articles_dir, "a.md", "", title="A", category="Billing")
    write_article(articles_dir, "b.md", "", title="B", category="billing!")
    report = sync_directory(session, articles_dir, LIMIT)
    assert report.created == ["a", "b"]
    assert report.warnings == [
        (
            "b.md: category 'billing!' has the same address as the category 'Billing' "
            "(/categories/billing), so the article is shown in 'Billing'"
        )
    ]
    assert [(c.slug, c.name) for c in session.execute(select(Category)).scalars()] == [("billing", "Billing")]
    assert sync_directory(session, articles_dir, LIMIT).warnings == []  # said once, when it was imported


def test_an_unreadable_file_does_not_unpublish_its_article(session, articles_dir):
    write_article(articles_dir, "a.md", "Text.", title="Alpha")
    sync_directory(session, articles_dir, LIMIT)
    (articles_dir / "a.md").write_text("---\ntitle: [broken\n---\n", encoding="utf-8")
    report = sync_directory(session, articles_dir, LIMIT)
    assert report.unpublished == [] and len(report.errors) == 1
    assert articles_by_slug(session)["a"].status == "published"


def test_readme_and_hidden_folders_are_not_articles(session, articles_dir):
    (articles_dir / "README.md").write_text("# How to write articles\n", encoding="utf-8")
    write_article(articles_dir, ".drafts/x.md", "", title="Hidden")
    report = sync_directory(session, articles_dir, LIMIT)
    assert report.created == [] and report.errors == []


def test_sync_command_prints_counts_and_errors(runner, articles_dir):
    write_article(articles_dir, "good.md", "Fine.", title="Good")
    write_article(articles_dir, "bad.md", "", category="No title")
    result = runner.invoke(args=["sync", str(articles_dir)])
    assert result.exit_code == 1
    assert "created  good" in result.output
    assert "error: bad.md: missing required field 'title'" in result.output
    assert (
        "1 created, 0 updated, 0 unchanged, 0 unpublished, 0 kept with web edits, 1 errors" in result.output
    )


def test_sync_command_rejects_missing_directory(runner, tmp_path):
    result = runner.invoke(args=["sync", str(tmp_path / "nope")])
    assert result.exit_code != 0
    assert "articles directory not found" in result.output


def test_edits_made_in_the_editor_survive_a_sync_until_the_file_itself_changes(session, articles_dir):
    write_article(articles_dir, "a.md", "Refunds within 14 days.", title="Refunds")
    sync_directory(session, articles_dir, LIMIT)
    article = articles_by_slug(session)["a"]
    editor = users.create_user(session, "editor@example.com", ["editor"])
    edited = replace(source_of(article), body="Refunds within 30 days.")
    editing.update(session, article, edited, 1, editor, note="sync the refund period with the new policy")

    kept = sync_directory(session, articles_dir, LIMIT)
    assert kept.kept_web_edits == ["a"] and not kept.updated
    assert article.body == "Refunds within 30 days."

    write_article(articles_dir, "a.md", "Refunds within 60 days.", title="Refunds")
    replaced = sync_directory(session, articles_dir, LIMIT)
    assert replaced.updated == ["a"] and "replaces the edits made in the editor" in replaced.warnings[0]
    assert article.body == "Refunds within 60 days."
    assert [r.body for r in article.revisions][-2] == "Refunds within 30 days."  # still in the history


def test_a_removed_file_put_back_publishes_its_article_again(session, articles_dir):
    path = write_article(articles_dir, "a.md", "Body.", title="Alpha")
    sync_directory(session, articles_dir, LIMIT)
    text = path.read_text()
    path.unlink()
    assert sync_directory(session, articles_dir, LIMIT).unpublished == ["a"]
    path.write_text(text)
    assert sync_directory(session, articles_dir, LIMIT).updated == ["a"]
    assert articles_by_slug(session)["a"].status == "published"


def test_articles_cut_by_an_older_chunking_are_cut_again_at_the_next_start(session, articles_dir, tmp_path):
    clause = "and the credit note keeps the original invoice number for your records"
    run_on = "A refund is possible within 180 days of the payment, " + ", ".join([clause] * 7) + "."
    write_article(articles_dir, "refunds.md", run_on, title="Refunds")
    write_article(articles_dir, "plain.md", "Short and plain.", title="Plain")
    sync_directory(session, articles_dir, LIMIT)
    # As an older release stored it: the 94-word sentence cut after 60 words.
    refunds = articles_by_slug(session)["refunds"]
    passage = refunds.chunks[-1]
    cut = " ".join(run_on.split()[:60])
    passage.text, passage.search_text, passage.content_hash = cut, f"Refunds: {cut}", "old"
    state = session.get(KnowledgeBaseState, 1)
    state.chunking_version = chunking.VERSION - 1
    session.commit()
    plain_chunk_ids = [chunk.id for chunk in articles_by_slug(session)["plain"].chunks]
    generation = db.generation(session)

    with make_app(tmp_path).app_context():  # the next start, of a release that cuts otherwise
        later = get_session()
        found = articles_by_slug(later)
        assert [chunk.text for chunk in found["refunds"].chunks] == ["Refunds", run_on]
        assert [chunk.id for chunk in found["plain"].chunks] == plain_chunk_ids  # same cut: kept
        assert later.get(KnowledgeBaseState, 1).chunking_version == chunking.VERSION
        assert db.generation(later) == generation + 1  # every process re-indexes
        later.commit()
        statements = []

        def record(connection, cursor, statement, *rest):
            statements.append(statement.split(None, 1)[0].upper())

        event.listen(later.get_bind(), "before_cursor_execute", record)
        try:
            assert source.rechunk_outdated(later) == 0  # once
        finally:
            event.remove(later.get_bind(), "before_cursor_execute", record)
        assert statements == ["SELECT"]  # a start with nothing to cut again writes nothing
