"""The editing core: saves on a known revision, authorship, restore, delete, and diffs (pure)."""

import pytest
from sqlalchemy import select

from kbbot import db
from kbbot.accounts import users
from kbbot.articles import diffs, editing
from kbbot.articles.source import ArticleSource
from kbbot.errors import InvalidInput, NotFound
from kbbot.models import Article


@pytest.fixture
def editor(session):
    return users.create_user(session, "editor@example.com", ["editor"], name="Eda")


def new_article(session, editor, **fields):
    source = ArticleSource(**{"slug": "refunds", "title": "Refunds", "body": "Within 14 days.", **fields})
    return editing.create(session, source, editor)


def test_a_save_on_the_current_revision_adds_one_with_its_author(session, editor):
    article = new_article(session, editor)
    generation = db.generation(session)
    changed = editing.update(
        session, article, ArticleSource("refunds", "Refunds", "Within 30 days."), 1, editor
    )
    assert changed
    assert [(r.number, r.author.email) for r in article.revisions] == [(1, editor.email), (2, editor.email)]
    assert db.generation(session) == generation + 1  # published: every process re-indexes


def test_a_save_on_an_older_revision_is_refused_and_nothing_is_lost(session, editor):
    article = new_article(session, editor)
    editing.update(session, article, ArticleSource("refunds", "Refunds", "Within 30 days."), 1, editor)
    with pytest.raises(editing.StaleRevision) as refused:
        editing.update(session, article, ArticleSource("refunds", "Refunds", "Within 7 days."), 1, editor)
    assert (refused.value.base, refused.value.current) == (1, 2)
    assert article.body == "Within 30 days."


def test_two_saves_racing_on_the_same_revision_let_only_one_through(app, session, editor):
    article = new_article(session, editor)
    other_session = app.extensions["kbbot.sessionmaker"]()
    try:
        other_copy = other_session.get(Article, article.id)
        assert len(other_copy.revisions) == 1  # both start from revision 1
        editing.update(session, article, ArticleSource("refunds", "Refunds", "Mine."), 1, editor)
        with pytest.raises(editing.StaleRevision):
            editing.update(other_session, other_copy, ArticleSource("refunds", "Refunds", "Theirs."), 1, None)
    finally:
        other_session.close()
    session.expire_all()
    assert session.get(Article, article.id).body == "Mine."


def test_a_draft_edit_does_not_make_anyone_re_index(session, editor):
    article = new_article(session, editor, status="draft")
    generation = db.generation(session)
    editing.update(session, article, ArticleSource("refunds", "Refunds", "New.", status="draft"), 1, editor)
    assert db.generation(session) == generation


def test_the_slug_is_fixed_and_must_be_free(session, editor):
    article = new_article(session, editor)
    with pytest.raises(InvalidInput) as renamed:
        editing.update(session, article, ArticleSource("refund-policy", "Refunds"), 1, editor)
    assert renamed.value.field == "slug"
    with pytest.raises(InvalidInput) as taken:
        new_article(session, editor)
    assert taken.value.field == "slug"


def test_parse_names_the_field_like_sync_does():
    with pytest.raises(InvalidInput) as bad:
        editing.parse({"title": "Refunds", "locale": "not a locale"}, "", slug="refunds")
    assert bad.value.field == "locale" and "invalid locale" in bad.value.message
    with pytest.raises(InvalidInput) as long_title:
        editing.parse({"title": "x" * 501}, "", slug="x")
    assert long_title.value.field == "title"


def test_publish_unpublish_and_restore_are_revisions(session, editor):
    article = new_article(session, editor, status="draft")
    assert editing.publish(session, article, editor)
    assert not editing.publish(session, article, editor)  # already published: nothing to record
    editing.update(session, article, ArticleSource("refunds", "Refunds", "Within 30 days."), 2, editor)
    assert editing.unpublish(session, article, editor, base=3)
    assert editing.restore(session, article, 1, base=4, author=editor)
    assert (article.body, article.status) == ("Within 14 days.", "draft")  # old text, current status
    assert [r.note for r in article.revisions] == [
        "created",
        "published",
        "edited",
        "unpublished",
        "restored revision 1",
    ]
    with pytest.raises(NotFound):
        editing.restore(session, article, 9, base=5, author=editor)


def test_delete_checks_the_revision_and_removes_the_article(session, editor):
    article = new_article(session, editor)
    with pytest.raises(editing.StaleRevision):
        editing.delete(session, article, base=7)
    generation = db.generation(session)
    editing.delete(session, article, base=1)
    assert session.execute(select(Article)).first() is None
    assert db.generation(session) == generation + 1


def test_a_diff_lists_changed_fields_and_body_lines_with_context():
    old = ArticleSource("a", "Refunds", "one\ntwo\nthree\nfour\nfive\nsix\nseven\neight", tags=("billing",))
    new = ArticleSource(
        "a", "Refund policy", "one\ntwo\nthree\nfour\nFIVE\nsix\nseven\neight", status="draft"
    )
    difference = diffs.diff(old, new, context=1)
    assert [(c.name, c.old, c.new) for c in difference.fields] == [
        ("title", "Refunds", "Refund policy"),
        ("tags", "billing", ""),
        ("status", "published", "draft"),
    ]
    assert [(line.kind, line.old_number, line.new_number, line.text) for line in difference.lines] == [
        ("hunk", None, None, "@@ -4,3 +4,3 @@"),
        ("context", 4, 4, "four"),
        ("removed", 5, None, "five"),
        ("added", None, 5, "FIVE"),
        ("context", 6, 6, "six"),
    ]
    assert (difference.added, difference.removed, difference.content_changed) == (1, 1, True)


def test_a_status_only_diff_is_not_a_content_change():
    old = ArticleSource("a", "Refunds", "Text.")
    difference = diffs.diff(old, ArticleSource("a", "Refunds", "Text.", status="draft"))
    assert difference.changed and not difference.content_changed
    assert not diffs.diff(old, old).changed
