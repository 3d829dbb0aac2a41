"""The article editor's pages through the test client, with the real database, engine and model."""

import re

import pytest
from sqlalchemy import select

from kbbot.accounts import users
from kbbot.articles.sync import sync_directory
from kbbot.models import Article, Feedback
from kbbot.web.session import get_session
from tests.helpers import ask, csrf_token, sign_in, write_article


@pytest.fixture
def editor(support_app, editor_token):
    """A test client signed in as an editor."""
    client = support_app.test_client()
    assert sign_in(client, email="editor@example.com").status_code == 302
    return client


def article_id(app, slug):
    with app.app_context():
        return get_session().execute(select(Article.id).where(Article.slug == slug)).scalar_one()


def form_of(client, url):
    """The editor form's fields as the page filled them in (what a browser would post back)."""
    html = client.get(url).get_data(as_text=True)
    fields = dict(re.findall(r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', html))
    fields.update(re.findall(r'<textarea[^>]*name="(\w+)"[^>]*>\r?\n?(.*?)</textarea>', html, re.S))
    return {name: value.replace("&#39;", "'").replace("&amp;", "&") for name, value in fields.items()}


def save(client, article_id, action="save", **changes):
    fields = form_of(client, f"/staff/articles/{article_id}")
    return client.post(f"/staff/articles/{article_id}", data={**fields, **changes, "action": action})


def text(response):
    return response.get_data(as_text=True)


def test_the_list_shows_each_article_with_its_helpful_rate_and_filters(support_app, client, editor):
    reply = ask(client, "how long do I have to ask for a refund?")
    client.post("/api/v1/feedback", json={"message_id": reply["message_id"], "helpful": False})
    client.post("/api/v1/feedback", json={"article": "refunds", "helpful": True})
    page = text(editor.get("/staff/articles/"))
    assert "8 articles" not in page and "7 articles" in page
    row = re.search(r"<tr>\s*<td><a[^>]*>Refund policy</a>.*?</tr>", page, re.S)[0]
    assert "50%" in row and "(2 votes)" in row and "by kbbot sync, revision 1" in row

    def titles(**params):
        return re.findall(
            r'<td><a href="/staff/articles/\d+">([^<]+)</a>',
            text(editor.get("/staff/articles/", query_string=params)),
        )

    assert titles(status="draft") == ["Our new prices (not announced yet)"]
    assert titles(q="stripe") == ["Connecting Stripe to accept card payments"]
    assert titles(q="statement") == ["Refund policy"]  # words of the body count too
    assert titles(helpful="under-80") == ["Refund policy"]
    assert "Refund policy" not in titles(helpful="unrated")
    assert len(titles(edited_within="7")) == 7
    assert titles(sort="title")[:2] == [
        "Connecting Stripe to accept card payments",
        "Exporting invoices to CSV or Excel",
    ]
    assert titles(sort="helpful")[0] == "Refund policy"
    assert editor.get("/staff/articles/?sort=nonsense").status_code == 400


def test_an_agent_cannot_open_the_editor(support_app, agent_token):
    with support_app.app_context():
        users.create_user(get_session(), "agent2@example.com", ["agent"], password="correct horse battery")
    agent = support_app.test_client()
    sign_in(agent, email="agent2@example.com")
    assert agent.get("/staff/articles/").status_code == 403
    assert agent.get("/staff/articles/1").status_code == 403
    assert "Articles</a>" not in text(agent.get("/staff/"))


def test_new_prefills_title_and_alternate_questions_from_the_query(editor):
    page = text(
        editor.get(
            "/staff/articles/new?title=Paying+by+PayPal&question=can+I+pay+with+paypal&question=paypal"
        )
    )
    assert 'value="Paying by PayPal"' in page
    assert 'value="paying-by-paypal"' in page  # the slug, made from the title
    assert re.search(r'name="questions"[^>]*>\r?\n?can I pay with paypal\npaypal</textarea>', page)


def test_creating_an_article_validates_like_sync_and_keeps_the_text(support_app, editor):
    token = csrf_token(editor, "/staff/articles/new")
    data = {"csrf_token": token, "title": "Paying by PayPal", "slug": "Pay Pal!", "body": "Go to **Billing**.",
            "questions": "can I pay with paypal", "action": "publish"}  # fmt: skip
    refused = editor.post("/staff/articles/new", data=data)
    assert refused.status_code == 422
    page = text(refused)
    assert re.search(r'id="slug-error">invalid slug', page)
    assert "Go to **Billing**." in page and 'value="Pay Pal!"' in page

    created = editor.post(
        "/staff/articles/new", data={**data, "slug": "paypal", "category": "Billing", "tags": "pay, paypal"}
    )
    assert created.status_code == 302
    with support_app.app_context():
        article = get_session().execute(select(Article).where(Article.slug == "paypal")).scalar_one()
        assert (article.status, article.category.name, article.tags) == (
            "published",
            "Billing",
            ["pay", "paypal"],
        )
        assert article.current_revision.author.email == "editor@example.com"
    assert "paypal" in ask(support_app.test_client(), "can I pay with paypal?")["sources"][0]["slug"]


def test_control_characters_are_refused_next_to_their_field_and_removed_from_the_body(support_app, editor):
    token = csrf_token(editor, "/staff/articles/new")
    data = {"csrf_token": token, "title": "Bell", "slug": "bell", "body": "Ring\x07 it.", "action": "save"}
    for name, value in (("title", "QA \x07\x1b[31m ctrl"), ("category", "Bill\x1bing"), ("tags", "ok, a\x07b"),
                        ("questions", "fine\nwhy\x07"), ("note", "pasted\x1b")):  # fmt: skip
        refused = editor.post("/staff/articles/new", data={**data, name: value})
        assert refused.status_code == 422, name
        assert re.search(rf'id="{name}-error">&#39;{name}&#39;.* contains a control character', text(refused))
    assert editor.post("/staff/articles/new", data=data).status_code == 302
    with support_app.app_context():
        article = get_session().execute(select(Article).where(Article.slug == "bell")).scalar_one()
        assert article.body == "Ring it."


def test_a_long_title_in_another_script_gets_a_slug_that_fits(support_app, editor):
    token = csrf_token(editor, "/staff/articles/new")
    data = {"csrf_token": token, "title": "Щ" * 150, "slug": "", "category": "Щ" * 200, "action": "publish"}
    assert editor.post("/staff/articles/new", data=data).status_code == 302
    with support_app.app_context():
        article = get_session().execute(select(Article).where(Article.title == "Щ" * 150)).scalar_one()
        assert len(article.slug) <= 200 and len(article.category.slug) <= 200
    assert editor.get(f"/articles/{article.slug}").status_code == 200
    assert editor.get(f"/categories/{article.category.slug}").status_code == 200


def test_a_title_in_another_script_without_a_slug_gets_a_transliterated_one(support_app, editor):
    token = csrf_token(editor, "/staff/articles/new")
    data = {"csrf_token": token, "title": "Счета и оплата", "slug": "", "category": "Счета", "action": "publish"}
    assert editor.post("/staff/articles/new", data=data).status_code == 302
    with support_app.app_context():
        article = get_session().execute(select(Article).where(Article.slug == "scheta-i-oplata")).scalar_one()
        assert (article.title, article.category.slug) == ("Счета и оплата", "scheta")


def test_the_preview_is_the_public_page_sanitized_and_needs_csrf(editor):
    data = {"title": "Pasting HTML", "category": "Security", "body": "## Heads up\n\n<script>alert('x')</script>\n\n"
            "[click me](javascript:alert('x')) <img src=x onerror=alert('x')>"}  # fmt: skip
    assert editor.post("/staff/articles/preview", data=data).status_code == 400  # no CSRF token
    preview = editor.post(
        "/staff/articles/preview", data={**data, "csrf_token": csrf_token(editor, "/staff/articles/new")}
    )
    assert preview.status_code == 200
    assert (
        "default-src 'none'" in preview.headers["Content-Security-Policy"]
    )  # nothing runs, whatever the text
    page = text(preview)
    assert (
        'href="/static/help-center.css"' in page and 'class="kb-article__header"' in page
    )  # the public template
    body = re.search(r'id="kb-article-body">(.*?)</div>', page, re.S)[1]
    assert "<script" not in body and "<img" not in body and 'href="javascript:' not in body
    assert "&lt;script&gt;alert" in body and ">Security</a>" in page  # shown as text, never run


def test_publishing_an_edit_changes_the_bots_answer(support_app, client, editor):
    before = ask(client, "how long do I have to ask for a refund?")
    assert "14 days" in before["answer"]
    refunds = article_id(support_app, "refunds")
    body = form_of(editor, f"/staff/articles/{refunds}")["body"].replace("**14 days**", "**30 days**")
    saved = save(editor, refunds, body=body, note="Longer refund window")
    assert saved.status_code == 302
    assert "Changes published" in text(editor.get(saved.headers["Location"]))
    after = ask(client, "how long do I have to ask for a refund?")
    assert "30 days" in after["answer"] and "14 days" not in after["answer"]


def test_unpublishing_takes_the_article_out_of_the_answers(support_app, client, editor):
    refunds = article_id(support_app, "refunds")
    assert save(editor, refunds, action="unpublish").status_code == 302
    reply = ask(client, "how long do I have to ask for a refund?")
    assert "refunds" not in [source["slug"] for source in reply["sources"]]
    assert 'value="publish"' in text(
        editor.get(f"/staff/articles/{refunds}")
    )  # a draft now: Publish is offered


def test_a_stale_save_gets_the_conflict_page_and_can_go_on_top(support_app, editor):
    refunds = article_id(support_app, "refunds")
    other = support_app.test_client()
    with support_app.app_context():
        users.create_user(
            get_session(), "sam@example.com", ["editor"], password="correct horse battery", name="Sam"
        )
    sign_in(other, email="sam@example.com")
    mine = form_of(editor, f"/staff/articles/{refunds}")  # both open revision 1
    theirs = form_of(other, f"/staff/articles/{refunds}")
    theirs_body = theirs["body"].replace("5 to 10 business days", "3 business days")
    assert (
        other.post(
            f"/staff/articles/{refunds}", data={**theirs, "body": theirs_body, "action": "save"}
        ).status_code
        == 302
    )

    my_body = mine["body"] + "\nRefunds are free of charge."
    refused = editor.post(f"/staff/articles/{refunds}", data={**mine, "body": my_body, "action": "save"})
    assert refused.status_code == 409
    page = text(refused)
    assert "someone else saved this article" in page and "Sam" in page
    assert "Refunds are free of charge." in page  # my text is kept
    assert re.search(r'class="diff-removed">.*5 to 10 business days', page, re.S)  # what they changed
    assert re.search(r'class="diff-added">.*3 business days', page, re.S)
    assert 'name="base_revision" type="hidden" value="2"' in page  # saving again goes on top of theirs

    again = editor.post(
        f"/staff/articles/{refunds}", data={**mine, "body": my_body, "base_revision": "2", "action": "save"}
    )
    assert again.status_code == 302
    with support_app.app_context():
        article = get_session().get(Article, refunds)
        assert [r.author.name for r in article.revisions[1:]] == ["Sam", "Eda Editor"]
        assert article.body.endswith("Refunds are free of charge.")


def test_history_shows_revisions_diffs_between_any_two_and_restores(support_app, editor):
    refunds = article_id(support_app, "refunds")
    save(editor, refunds, title="Refunds", note="Shorter title")
    save(editor, refunds, body="Refunds take a week.", note="Rewrite")
    history = text(editor.get(f"/staff/articles/{refunds}/history"))
    assert re.search(r"<td>3 \(current\)</td>.*?Eda Editor.*?Rewrite", history, re.S)
    assert re.search(r"<td>1</td>.*?kbbot sync.*?sync", history, re.S)
    assert "Revision 2 → revision 3" in history and "Refunds take a week." in history
    first_to_second = text(editor.get(f"/staff/articles/{refunds}/history?from=1&to=2"))
    assert re.search(
        r"<th scope=\"row\">Title</th><td class=\"diff-old\"><del>Refund policy</del>", first_to_second
    )
    assert "No differences" not in first_to_second
    assert editor.get(f"/staff/articles/{refunds}/history?from=1&to=9").status_code == 404

    token = csrf_token(editor, f"/staff/articles/{refunds}/history")
    stale = editor.post(
        f"/staff/articles/{refunds}/revisions/1/restore", data={"csrf_token": token, "base_revision": "2"}
    )
    assert "Not restored" in text(editor.get(stale.headers["Location"]))
    restored = editor.post(
        f"/staff/articles/{refunds}/revisions/1/restore", data={"csrf_token": token, "base_revision": "3"}
    )
    assert restored.status_code == 302
    with support_app.app_context():
        article = get_session().get(Article, refunds)
        assert (article.title, article.current_revision.number, article.current_revision.note) == (
            "Refund policy",
            4,
            "restored revision 1",
        )
        assert "14 days" in article.body


def test_the_editor_lists_answers_the_bot_gave_from_the_old_text(support_app, client, editor):
    refunds = article_id(support_app, "refunds")
    reply = ask(client, "how long do I have to ask for a refund?")
    body = form_of(editor, f"/staff/articles/{refunds}")["body"].replace("**14 days**", "**30 days**")
    save(editor, refunds, body=body)
    page = text(editor.get(f"/staff/articles/{refunds}"))
    section = re.search(r'id="outdated-answers".*?</section>', page, re.S)[0]
    assert "how long do I have to ask for a refund?" in section  # the question
    assert reply["answer"].split("\n")[0][:40].replace("*", "") in section.replace(
        "*", ""
    )  # what the bot said
    assert "Revision 1" in section
    assert re.search(r'class="diff-removed">.*\*\*14 days\*\*', section, re.S)
    assert re.search(r'class="diff-added">.*\*\*30 days\*\*', section, re.S)
    new_answer = ask(client, "how long do I have to ask for a refund?")  # cites revision 2: not outdated
    assert (
        new_answer["message_id"]
        and text(editor.get(f"/staff/articles/{refunds}")).count('class="past-answer"') == 1
    )


def test_an_imported_article_says_when_sync_replaces_web_edits(support_app, editor, tmp_path):
    page = text(editor.get(f"/staff/articles/{article_id(support_app, 'refunds')}"))
    assert "imported from the file <code>billing/refunds.md</code>" in page
    assert "Edits made here stay until the file itself changes" in page


def test_a_later_sync_of_a_changed_file_replaces_a_web_edit_as_the_notice_says(support_app, editor, tmp_path):
    refunds = article_id(support_app, "refunds")
    save(editor, refunds, body="Edited on the web.")
    directory = tmp_path / "support-articles"
    write_article(directory, "billing/refunds.md", "Edited in the file.\n", title="Refund policy",
                  questions=["can I get my money back"])  # fmt: skip
    with support_app.app_context():
        sync_directory(get_session(), directory, support_app.config["MAX_ARTICLE_BYTES"])
        assert get_session().get(Article, refunds).body == "Edited in the file."


def test_deleting_asks_first_then_removes_the_article_and_its_votes(support_app, client, editor):
    refunds = article_id(support_app, "refunds")
    client.post("/api/v1/feedback", json={"article": "refunds", "helpful": True})
    confirm = editor.get(f"/staff/articles/{refunds}/delete")
    assert "Delete “Refund policy”?" in text(confirm)
    token = csrf_token(editor, f"/staff/articles/{refunds}/delete")
    assert (
        editor.post(f"/staff/articles/{refunds}/delete", data={"base_revision": "1"}).status_code == 400
    )  # CSRF
    deleted = editor.post(
        f"/staff/articles/{refunds}/delete", data={"csrf_token": token, "base_revision": "1"}
    )
    assert deleted.status_code == 302
    assert editor.get(f"/staff/articles/{refunds}").status_code == 404
    with support_app.app_context():
        assert get_session().execute(select(Feedback)).first() is None
    assert "refunds" not in [
        s["slug"] for s in ask(client, "how long do I have to ask for a refund?")["sources"]
    ]


def test_a_save_without_the_csrf_token_is_refused(support_app, editor):
    refunds = article_id(support_app, "refunds")
    fields = form_of(editor, f"/staff/articles/{refunds}")
    del fields["csrf_token"]
    assert editor.post(f"/staff/articles/{refunds}", data={**fields, "action": "save"}).status_code == 400
