"""The article source format: front matter validation, with errors naming the problem."""

import re

import pytest

from kbbot.articles.source import (
    SLUG_PATTERN,
    InvalidField,
    category_slug,
    parse_article_text,
    read_article_file,
    validate,
)
from kbbot.errors import ArticleError
from kbbot.models import Article, Category
from kbbot.text import MAX_SLUG_CHARS, slugify
from tests.helpers import write_article

LIMIT = 10_000


def test_full_front_matter_is_read(articles_dir):
    path = write_article(
        articles_dir,
        "billing/refunds.md",
        "## When\nWithin 14 days.",
        title="Refunds",
        slug="refund-policy",
        category="Billing and plans",
        tags=["billing", "refunds"],
        questions=["can i get my money back", "refund please"],
        locale="pt-BR",
        status="draft",
    )
    source = read_article_file(path, LIMIT)
    assert source.slug == "refund-policy"
    assert source.title == "Refunds"
    assert source.category == "Billing and plans"
    assert source.tags == ("billing", "refunds")
    assert source.questions == ("can i get my money back", "refund please")
    assert source.locale == "pt-BR"
    assert source.status == "draft"
    assert source.body == "## When\nWithin 14 days."


def test_defaults_slug_from_file_name_and_published_english(articles_dir):
    source = read_article_file(
        write_article(articles_dir, "Reset Your Password.md", "", title="Reset"), LIMIT
    )
    assert source.slug == "reset-your-password"
    assert source.status == "published"
    assert source.locale == "en"
    assert source.body == ""


@pytest.mark.parametrize(
    "text, slug",
    [
        ("Set up 2FA, fast!", "set-up-2fa-fast"),
        ("Café", "cafe"),
        ("Straße", "strasse"),
        ("Счета", "scheta"),
        ("Ελληνικά", "ellinika"),
        ("  --  ", ""),
    ],
)
def test_slugs_transliterate_every_script(text, slug):
    assert slugify(text) == slug


def test_a_category_name_without_letters_still_gets_a_slug_of_its_own():
    assert category_slug("Счета") == "scheta"
    assert category_slug("???").startswith("category-")
    assert category_slug("???") != category_slug("!!!")


def test_a_file_name_in_any_script_gives_a_slug(articles_dir):
    for name, slug in (("Café crème.md", "cafe-creme"), ("счета.md", "scheta")):
        assert read_article_file(write_article(articles_dir, name, "", title="A"), LIMIT).slug == slug


def test_a_file_name_without_letters_asks_for_a_slug(articles_dir):
    with pytest.raises(ArticleError, match=r"\?\?\.md: no slug: .*add a 'slug' field"):
        read_article_file(write_article(articles_dir, "??.md", "", title="A"), LIMIT)
    named = write_article(articles_dir, "!!.md", "", title="A", slug="faq")
    assert read_article_file(named, LIMIT).slug == "faq"


def test_content_hash_changes_with_any_field_only():
    a = parse_article_text("---\ntitle: A\n---\nBody", "a")
    assert a.content_hash == parse_article_text("---\ntitle: A\n---\nBody\n", "a").content_hash
    assert a.content_hash != parse_article_text("---\ntitle: A\nquestions: [x]\n---\nBody", "a").content_hash
    assert a.content_hash != parse_article_text("---\ntitle: A\n---\nBody!", "a").content_hash


@pytest.mark.parametrize(
    "text, message",
    [
        ("---\ncategory: Billing\n---\nBody", "missing required field 'title'"),
        ("---\ntitle: '   '\n---\n", "missing required field 'title'"),
        ("---\ntitle: [unclosed\n---\n", "malformed YAML front matter at line"),
        ("---\ntitle: A\nstatus: archived\n---\n", "unknown status 'archived'"),
        ("---\ntitle: A\nslug: Not A Slug\n---\n", "invalid slug 'Not A Slug'"),
        ("---\ntitle: A\nquestions: {a: b}\n---\n", "'questions' must be a list of strings"),
        ("---\ntitle: A\ntags: [[nested]]\n---\n", "'tags' item 1 must be a string"),
        ("---\ntitle: A\nlocale: english language\n---\n", "invalid locale"),
        ("---\n- just\n- a list\n---\n", "front matter must be a YAML mapping"),
        (
            "---\ntitle: A\ncategory: B\x07\n---\n",
            "malformed YAML front matter at line 3: unacceptable character #x0007",
        ),
        ('---\ntitle: "A\\0"\n---\n', r"'title' contains a control character \(U\+0000\) at character 2"),
        ("Just text, no front matter.", "no YAML front matter"),
    ],
)
def test_invalid_front_matter_is_explained(text, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[")):
        parse_article_text(text, "default-slug")


def test_errors_name_the_file(articles_dir):
    path = articles_dir / "broken.md"
    path.write_bytes(b"---\ntitle: Caf\xe9\n---\nbody")
    with pytest.raises(ArticleError) as raised:
        read_article_file(path, LIMIT)
    assert raised.value.path == path
    assert "not valid UTF-8: byte 0xe9 on line 2 (offset 14)" in str(raised.value)
    assert str(path) in str(raised.value)


def test_oversized_file_is_refused(articles_dir):
    path = write_article(articles_dir, "huge.md", "word " * 5000, title="Huge")
    with pytest.raises(ArticleError, match="over the limit of 10000 bytes"):
        read_article_file(path, LIMIT)


def test_unknown_fields_are_warned_not_fatal():
    source = parse_article_text("---\ntitle: A\nauthor: Kim\n---\n", "a")
    assert source.warnings == ("unknown field 'author' ignored",)
    escaped = parse_article_text('---\ntitle: A\n"\\e[31mred": x\n---\n', "a")
    assert escaped.warnings == ("unknown field '\\x1b[31mred' ignored",)


def test_long_names_give_slugs_that_fit_the_columns_and_stay_apart():
    columns = (Article.__table__.c.slug, Category.__table__.c.slug)
    assert min(column.type.length for column in columns) >= MAX_SLUG_CHARS
    one_word = slugify("Щ" * 200)  # "shch" x 200: 800 characters, no word to cut at
    assert len(one_word) == MAX_SLUG_CHARS and SLUG_PATTERN.match(one_word)
    assert one_word != slugify("Щ" * 199) and category_slug("Щ" * 200) == one_word
    words = "Billing questions " * 12
    first, second = slugify(words + "for teams"), slugify(words + "for schools")
    assert first != second
    *kept, digest = first.split("-")  # cut between words, then a digest of the whole slug
    assert set(kept) == {"billing", "questions"} and re.fullmatch(r"[0-9a-f]{8}", digest)
    assert len(first) <= MAX_SLUG_CHARS and SLUG_PATTERN.match(first)
    assert slugify("word " * 40) == "-".join(["word"] * 40)  # 199 characters: as it always was


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"title": "QA\x00nul"}, "title", "'title' contains a control character (U+0000) at character 3"),
        ({"title": "QA \x07\x1b[31m"}, "title", "(U+0007)"),
        ({"title": "Smart \x93quotes\x94"}, "title", "(U+0093)"),  # C1: Windows-1252 quotes read as Latin-1
        ({"category": "c\x00at"}, "category", "'category' contains a control character (U+0000)"),
        (
            {"tags": ["ok", "a\x00b"]},
            "tags",
            "'tags' item 2 contains a control character (U+0000) at character 2",
        ),
        ({"tags": ["\udc00"]}, "tags", "'tags' item 1 contains an unpaired surrogate (U+DC00)"),
        (
            {"questions": ["why \ud800"]},
            "questions",
            "'questions' item 1 contains an unpaired surrogate (U+D800)",
        ),
    ],
)
def test_a_control_character_or_lone_surrogate_in_a_field_is_refused_naming_it(fields, field, message):
    with pytest.raises(InvalidField) as raised:
        validate({"title": "A", **fields}, "", "a")
    assert raised.value.field == field
    assert message in str(raised.value)


def test_tabs_and_line_breaks_in_a_one_line_field_become_spaces():
    source = validate({"title": "Reset\tyour\r\npassword", "questions": ["forgot\n my  password"]}, "", "a")
    assert (source.title, source.questions) == ("Reset your password", ("forgot my password",))


def test_control_characters_are_removed_from_the_body_with_a_warning():
    source = validate({"title": "A"}, "Tab\tkept\r\nNUL\x00 BEL\x07 page\x0cbreak \x1b[1mbold", "a")
    assert source.body == "Tab\tkept\r\nNUL BEL page\nbreak [1mbold"
    assert source.warnings == (
        "control characters removed from the body: U+0000, U+0007, U+000C (now a line break), U+001B",
    )
    assert validate({"title": "A"}, "Plain\ttext\n", "a").warnings == ()
    with pytest.raises(
        InvalidField, match=r"'body' contains an unpaired surrogate \(U\+DC00\) on line 2"
    ) as raised:
        validate({"title": "A"}, "ok\n\udc00", "a")
    assert raised.value.field == "body"
