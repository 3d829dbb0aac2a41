"""Filling a saved reply's placeholders: a pure function of the body and the values."""

from kbbot.support.placeholders import Values, article_slugs, names_in, render, unknown_names

VALUES = Values(
    customer_name="Dana Scully",
    customer_email="dana@example.com",
    agent_name="Alex Krycek",
    articles={"refund-policy": ("Refund policy", "https://help.example.com/articles/refund-policy")},
)


def test_names_and_articles_are_filled():
    rendered = render(
        "Hi {customer_first_name}, I'm {agent_first_name}. See {article:refund-policy}.\n{agent_name}",
        VALUES,
    )
    assert rendered.text == (
        "Hi Dana, I'm Alex. See [Refund policy](https://help.example.com/articles/refund-policy).\n"
        "Alex Krycek"
    )
    assert rendered.unfilled == ()


def test_a_missing_name_reads_naturally():
    rendered = render("Hi {customer_first_name}, {customer_name}! {agent_name}", Values())
    assert rendered.text == "Hi there, there! the support team"
    assert rendered.unfilled == ()


def test_what_cannot_be_filled_is_left_as_written_and_reported():
    rendered = render("See {article:gone} and {article:gone}, {nickname}.", VALUES)
    assert rendered.text == "See {article:gone} and {article:gone}, {nickname}."
    assert rendered.unfilled == ("{article:gone}", "{nickname}")


def test_doubled_braces_are_literal_and_a_lone_brace_stays():
    rendered = render("{{customer_name}} is {customer_name}; a { and a } stay; {{}}", VALUES)
    assert rendered.text == "{customer_name} is Dana Scully; a { and a } stay; {}"


def test_spaces_inside_braces_are_ignored_but_names_are_lower_case():
    assert render("{ customer_first_name }", VALUES).text == "Dana"
    assert render("{Customer_Name}", VALUES).unfilled == ("{Customer_Name}",)


def test_a_title_with_brackets_keeps_the_link_intact():
    values = Values(articles={"a": ("Plans [2026]", "https://h.example/articles/a")})
    assert render("{article:a}", values).text == "[Plans (2026)](https://h.example/articles/a)"


def test_the_body_is_checked_for_unknown_names_and_the_articles_it_names():
    body = "Hi {customer_name}, {article:refund-policy} {nickname} {article:plans} {{literal}}"
    assert names_in(body) == ["customer_name", "article:refund-policy", "nickname", "article:plans"]
    assert unknown_names(body) == ["nickname"]
    assert article_slugs(body) == ["refund-policy", "plans"]
