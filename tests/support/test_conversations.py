"""The conversation rules as pure functions: human requests, follow-ups, when to offer a person."""

from html import escape

import pytest
from markdown_it import MarkdownIt

from kbbot.search.retrieval import readable_answer
from kbbot.support import decisions
from kbbot.web.staff import display


@pytest.mark.parametrize(
    "message",
    ["talk to a human", "agent please", "Agent", "can I speak with a real person?", "I want a representative",
     "this is useless", "you are not helpful", "connect me to someone from support"],
)  # fmt: skip
def test_requests_for_a_person(message):
    assert decisions.asks_for_human(message)


@pytest.mark.parametrize(
    "message",
    ["how do I add an agent to my team", "can my accountant see invoices", "reset my password",
     "how many people can use one account"],
)  # fmt: skip
def test_questions_that_only_mention_people_are_not_requests(message):
    assert not decisions.asks_for_human(message)


@pytest.mark.parametrize(
    "message, follow_up",
    [
        ("and on mobile?", True),
        ("what about Xero?", True),
        ("it still fails", True),
        ("does that work for teams?", True),
        ("how do I export all my invoices to a CSV file for my accountant", False),
        ("can I get a refund", False),
    ],
)
def test_follow_ups(message, follow_up):
    assert decisions.is_follow_up(message) is follow_up


@pytest.mark.parametrize(
    "message, failed",
    [("None of these", True), ("neither of them!", True), ("none of the above", True),
     ("neither invoice was sent", False), ("none of these invoices have a due date", False)],
)  # fmt: skip
def test_none_of_these_after_choices_says_they_failed_but_only_as_the_whole_message(message, failed):
    assert decisions.reports_failure(message) is failed


def test_offer_reasons():
    assert decisions.offer_reason("answer", True, False, False) == "customer_request"
    assert decisions.offer_reason("handoff", False, False, True) == "low_confidence"
    assert decisions.offer_reason("suggest", False, True, True) == "repeated_unhelpful"
    assert decisions.offer_reason("handoff", False, True, True) == "repeated_unhelpful"
    assert decisions.offer_reason("suggest", False, False, True) is None
    assert decisions.offer_reason("answer", False, True, False) is None


def test_a_reply_shows_an_answers_strong_sources_a_suggestions_choices_and_no_handoff_sources():
    found = [
        {"slug": slug, "score": score} for slug, score in (("a", 1.0), ("b", 0.6), ("c", 0.4), ("d", 0.9))
    ]
    assert [s["slug"] for s in decisions.shown_sources("answer", found)] == ["a", "b"]
    assert [s["slug"] for s in decisions.shown_sources("answer", [{"slug": "a", "score": 0.2}])] == ["a"]
    assert [s["slug"] for s in decisions.shown_sources("suggest", found)] == ["a", "b", "c"]
    assert decisions.shown_sources("handoff", found) == []


def test_a_failure_report_is_about_the_last_question_that_asked_something():
    asked = ["how do I cancel my subscription", "it still fails", "talk to a human"]
    assert decisions.topic_question(asked) == "how do I cancel my subscription"
    assert decisions.topic_question(["it still fails"]) == "it still fails"
    assert decisions.topic_question([]) is None


def test_a_short_passage_is_widened_to_whole_sentences_with_its_heading():
    passages = [
        ((), "You can reset it yourself."),
        (
            ("On the website",),
            "1. Click Forgot password?\n2. Enter your email address and open the link we send.",
        ),
        (("Requirements",), "At least ten characters. " * 40),
    ]
    text = readable_answer(passages, [0])
    assert text.splitlines() == [
        "You can reset it yourself.",
        "**On the website**",
        "1. Click Forgot password?",
        "2. Enter your email address and open the link we send.",
    ]
    assert readable_answer(passages, [2]) == "**Requirements**\n" + passages[2][1]  # long enough alone


def test_two_picked_passages_read_in_article_order_each_with_its_heading():
    steps = "1. Go to Settings → Billing. 2. Click Download next to the receipt you need. 3. Open the PDF."
    passages = [
        (("Download a receipt",), steps),
        (("Download a receipt",), "Receipts are kept for seven years, and you can download any of them again."),
        (("Who gets receipts",), "We email each receipt to the billing email, and to up to 3 extra recipients."),
        (("Change the company name",), "Go to Settings → Billing details and type the company name you need."),
    ]
    text = readable_answer(passages, [3, 0])  # the best last in the article, the runner-up first
    assert text.split("\n\n") == [
        "**Download a receipt**\n" + steps + "\n" + passages[1][1],  # widened to MIN_ANSWER_WORDS in its section
        "**Change the company name**\n" + passages[3][1],  # a separate paragraph, with its heading
    ]
    assert readable_answer(passages, [1, 2]).count("\n\n") == 0  # adjacent: one excerpt


def test_an_answer_in_the_middle_of_a_list_gets_the_whole_list_and_its_lead_in():
    steps = ("Steps",)
    passages = [
        (steps, "Once an invoice has been sent, it is part of your records. Instead of deleting it, you void it:"),
        (steps, "1. Open the invoice and click Void.\n2. Enter a reason for your records, for example sent to the wrong client."),
        (steps, "3. Tick Notify client to email them that the invoice has been cancelled, then confirm it here."),
        (steps, "4. Click Void invoice, and check that it now shows the grey Void badge in your list of invoices."),
        (steps, "5. Send the client a corrected invoice."),
        (steps, "Voided invoices stay in your reports as cancelled, with the reason you gave, for as long as you keep them."),
    ]
    lines = readable_answer(passages, [2]).splitlines()
    assert lines[:2] == ["**Steps**", passages[0][1]]  # back to the line that leads into the list
    assert lines[-1] == passages[4][1]  # on to its last step, though 30 words came sooner
    assert passages[5][1] not in lines


def test_an_example_after_a_colon_comes_with_the_line_that_announces_it():
    lead_in = (
        "All requests go to the API over HTTPS and are authenticated with your key as a bearer token, "
        "and request and response bodies are JSON. Here's how to create and send an invoice for a client:"
    )
    passages = [
        (("Make a request",), lead_in),  # 34 words: long enough alone, but for the example it announces
        (("Make a request",), 'curl https://api.example/v1/invoices -H "Authorization: Bearer sk_test" -d currency=EUR'),
        (("Make a request",), "The response contains the new invoice."),
    ]
    assert readable_answer(passages, [0]) == f"**Make a request**\n{lead_in}\n{passages[1][1]}"


def test_a_list_that_ended_is_not_widened_into_what_follows():
    items = "\n".join(f"- Notification number {n} about invoices and payments" for n in range(1, 6))
    passages = [
        (("Notifications",), items),  # 35 words, the last item without a full stop
        (("Notifications",), "You can send different notifications to different channels of your workspace."),
    ]
    assert readable_answer(passages, [0]) == "**Notifications**\n" + items


def test_a_runner_up_comes_mid_list_when_its_whole_list_would_not_fit():
    intro = "This setting is shared by everyone in your business and applies to every new invoice you create. " * 5
    last_step = (
        "3. Click Save. The next invoice you create gets the new number, and the ones you created before "
        "keep theirs, so your records stay in order for your accountant and you."
    )
    passages = [
        ((), intro),  # 85 words
        (("Steps",), "1. Open Settings and choose Invoices from the menu on the left of the page, under Business."),
        (("Steps",), "2. Choose Numbering and type the prefix you want, then the next number, and check the preview."),
        (("Steps",), last_step),
    ]
    text = readable_answer(passages, [0, 3])
    assert text == f"{intro}\n\n**Steps**\n{passages[3][1]}"  # steps 1 and 2 would pass 120 words


def test_the_runner_up_is_left_out_when_both_would_not_fit_in_an_answer():
    long = "Every sentence here is about the same setting and goes on. " * 10  # 110 words, and 12 more would pass 120
    passages = [((), long), (("Other",), "A short note that would push it past the limit of words.")]
    assert readable_answer(passages, [0, 1]) == long


def test_a_passage_the_article_repeats_is_not_shown_twice():
    note = "Only the Owner and Admins can change this setting, and every change is written to the audit log."
    passages = [
        (("Change the currency",), note + " " + "Open Settings, then Currency, and choose the new one. " * 2),
        (("Change the logo",), note),
    ]
    assert readable_answer(passages, [0, 1]) == "**Change the currency**\n" + passages[0][1]  # the note is said


def test_a_note_repeated_in_the_sections_an_answer_widens_into_is_said_once():
    note = "Note: exports over 2 GB are split into parts."
    passages = [
        (("Export",), f"{note}\nChoose Dropbox as the target."),
        (("Schedule",), f"{note}\n1. Pick a daily time."),
        (("Limits",), note),
        (("Steps",), "1. Pick a daily time.\n2. Click Save."),
    ]
    # No "Limits" heading left without text; list items are steps of their own list, kept in each.
    assert readable_answer(passages, [1]) == f"**Schedule**\n{note}\n1. Pick a daily time.\n**Steps**\n1. Pick a daily time.\n2. Click Save."
    assert readable_answer(passages, [0]).count(note) == 1


@pytest.mark.parametrize(
    "title", ["Dark mode [beta]", "What does the status ] mean", "Paths like C:\\Temp\\"]
)
def test_the_link_to_the_article_stays_one_link_whatever_brackets_its_title_has(title):
    url = "https://help.example/articles/dark-mode?ref=bot"
    text = decisions.answer_with_link("Turn it on in Settings.", title, url)
    links = [t for t in MarkdownIt("commonmark").parseInline(text)[0].children if t.type == "link_open"]
    assert [link.attrGet("href") for link in links] == [url]
    assert f'>{escape(title)}</a>' in display.linked_text(text)  # the console shows the title as the link
