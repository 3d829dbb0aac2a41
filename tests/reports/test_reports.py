"""The deflection/CX report: the definitions as pure functions, then `kbbot report` on a scripted history."""

import itertools
import json
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from kbbot import reports
from kbbot.models import Article, Feedback, Handoff, Message
from kbbot.reports.records import BotReply, ConversationRecord, HandoffRecord, Question, VisitorAction
from kbbot.search import question_embeddings, topics
from kbbot.web.services import get_engine
from kbbot.web.session import get_session
from tests.helpers import SETTINGS, T0, CountingEncoder, add_conversation, at, make_app, seed_history

MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)


def turn(text="how do I get a refund", action="answer", article=1, votes=(), picked=False):
    return text, action, article, tuple(votes), picked


def pick(label="Annual plans", article=1, votes=()):
    """The customer picks a choice of the latest suggestion (its label is the message) and the bot answers."""
    return turn(label, "answer", article, votes, picked=True)


def conversation(id_, turns=(), visitor="v1", start=T0, handoff=None):
    """A conversation record: each turn is a question at 2-minute steps and the bot's reply a minute later.

    Every suggestion offers two choices; a picked turn picks one of the latest suggestion's.
    """
    questions, replies = [], []
    for k, (text, action, article, votes, picked) in enumerate(turns):
        choices = 2 if action == "suggest" else 0
        reply = BotReply(id_ * 100 + 2 * k + 1, action, article, votes, choices=choices) if action else None
        picked_from = [r.message_id for r in replies if r.choices][-1] if picked else None
        questions.append(Question(id_ * 100 + 2 * k, text, start + 2 * k * MINUTE, reply, picked_from))
        replies += [reply] if reply else []
    last = start + max(2 * len(turns) - 1, 0) * MINUTE
    return ConversationRecord(id_, visitor, start, last, tuple(questions), tuple(replies), handoff)


def handoff(status="open", resolution=None):
    return HandoffRecord("low_confidence", status, T0, resolution_reason=resolution)


def outcome(subject, *others):
    return reports.outcome(subject, [subject, *others], SETTINGS.deflection_window)


# Outcomes.


def test_a_handoff_wins_over_a_helpful_vote():
    helped = conversation(1, [turn(votes=[True])], handoff=handoff())
    assert outcome(helped) == "handed_off"


def test_a_helpful_vote_on_an_answer_is_a_confirmed_deflection_even_beside_an_unhelpful_one():
    assert (
        outcome(conversation(1, [turn(votes=[True]), turn(article=2, votes=[False])]))
        == "deflected_confirmed"
    )


def test_a_helpful_vote_on_a_suggestion_confirms_nothing():
    assert outcome(conversation(1, [turn(action="suggest", votes=[True])])) == "abandoned"


def test_an_answer_without_votes_or_return_is_an_assumed_deflection():
    assert outcome(conversation(1, [turn()])) == "deflected_assumed"


def test_an_unhelpful_vote_on_an_answer_is_no_deflection():
    assert outcome(conversation(1, [turn(votes=[False])])) == "abandoned"


def test_an_answer_the_customer_said_did_not_work_is_no_deflection():
    failed = conversation(1, [turn(), turn("it still fails", action="suggest")])
    assert outcome(failed) == "abandoned"
    moved_on = conversation(2, [turn(), turn("and how do I export my invoices?", article=2)])
    assert outcome(moved_on) == "deflected_assumed"


def test_thanks_right_after_an_answer_confirms_it_and_thanks_for_nothing_does_not():
    thanked = conversation(1, [turn(), turn("great, thanks!", action=None)])
    assert outcome(thanked) == "deflected_confirmed"
    too_late = conversation(2, [turn(), turn("and how do I export?", article=2), turn("thanks", action=None)])
    assert outcome(too_late) == "deflected_confirmed"  # the thanks follows the second answer
    after_a_suggestion = conversation(3, [turn(action="suggest"), turn("thanks", action=None)])
    assert outcome(after_a_suggestion) == "abandoned"
    for not_thanks in ("thanks for nothing", "no thanks"):
        assert outcome(conversation(4, [turn(), turn(not_thanks, action=None)])) == "deflected_assumed"


def test_picking_one_of_the_bots_choices_confirms_the_deflection():
    picked = conversation(1, [turn("refund annual plan", action="suggest"), pick()])
    assert outcome(picked) == "deflected_confirmed"
    # Confirmed when the report is made, however recent: the customer chose the answer.
    assert reports.outcome(picked, [picked], SETTINGS.deflection_window, as_of=T0) == "deflected_confirmed"
    # The pick is confirmed even when the customer goes on to another question.
    went_on = conversation(
        2, [turn(action="suggest"), pick(), turn("and how do I export invoices?", article=2)]
    )
    assert outcome(went_on) == "deflected_confirmed"


def test_a_pick_whose_answer_failed_or_was_voted_unhelpful_confirms_nothing():
    failed = conversation(1, [turn(action="suggest"), pick(), turn("it didn't work", action="suggest")])
    assert outcome(failed) == "abandoned"
    voted_down = conversation(2, [turn(action="suggest"), pick(votes=[False])])
    assert outcome(voted_down) == "abandoned"
    # A pick the bot could not answer (the article went away) gets no answer to keep.
    unanswered = conversation(
        3, [turn(action="suggest"), turn("Annual plans", action="suggest", picked=True)]
    )
    assert outcome(unanswered) == "abandoned"


def test_a_pick_in_a_handed_off_conversation_is_a_handoff():
    picked_then_handed_off = conversation(1, [turn(action="suggest"), pick()], handoff=handoff())
    assert outcome(picked_then_handed_off) == "handed_off"


def test_a_pick_says_nothing_in_words_about_the_answer_before_it():
    # A choice labelled like a failure report, picked right after an answer, does not undo that answer.
    labelled = conversation(
        1, [turn(action="suggest"), turn(article=2), pick("If the payment still fails", article=3)]
    )
    assert list(reports.replies_to_answers(labelled)) == []
    assert outcome(labelled) == "deflected_confirmed"


def test_an_assumed_deflection_is_pending_until_its_window_has_passed():
    answered = conversation(1, [turn()])  # its last message at T0 + 1 minute
    window = SETTINGS.deflection_window
    assert reports.outcome(answered, [answered], window, as_of=T0 + window) == "deflection_pending"
    assert reports.outcome(answered, [answered], window, as_of=T0 + MINUTE + window) == "deflected_assumed"
    confirmed = conversation(2, [turn(votes=[True])])
    assert reports.outcome(confirmed, [confirmed], window, as_of=T0) == "deflected_confirmed"


def test_no_answer_at_all_is_abandoned():
    suggested = conversation(1, [turn(action="suggest"), turn(action="handoff", article=None)])
    assert outcome(suggested) == "abandoned"


def test_coming_back_with_the_same_question_at_the_window_edge_undoes_an_assumed_deflection():
    first = conversation(1, [turn(article=7)])  # last message at T0 + 1 min
    edge = first.last_message_at + SETTINGS.deflection_window
    same_at_edge = conversation(2, [turn("refund??", action="suggest", article=7)], start=edge)
    same_after = conversation(2, [turn("refund??", action="suggest", article=7)], start=edge + SECOND)
    assert outcome(first, same_at_edge) == "abandoned"
    assert outcome(first, same_after) == "deflected_assumed"


def test_coming_back_and_picking_a_choice_on_the_same_article_is_not_the_same_question():
    first = conversation(1, [turn(article=7)])
    # The customer typed about something else; the bot's choices included article 7's section, picked.
    came_back = conversation(
        2, [turn("invoices", action="suggest", article=8), pick(article=7)], start=T0 + HOUR
    )
    assert not reports.came_back_with_same_question(first, [first, came_back], SETTINGS.deflection_window)


def test_coming_back_with_another_question_or_as_another_visitor_keeps_the_deflection():
    first = conversation(1, [turn(article=7)])
    other_topic = conversation(2, [turn("invoices", article=8)], start=T0 + HOUR)
    nothing_found = conversation(3, [turn("hello", action="handoff", article=None)], start=T0 + HOUR)
    assert outcome(first, other_topic, nothing_found) == "deflected_assumed"
    other_visitor = conversation(4, [turn(article=7)], visitor="v2", start=T0 + HOUR)
    # summarize only ever passes a visitor's own conversations; check it does so.
    report = summarize([first, other_visitor])
    assert report.outcomes.deflected_assumed == 2


# Repeat contact and first-contact resolution.


def test_a_conversation_on_the_same_topic_within_the_repeat_window_is_a_repeat_contact():
    first = conversation(1, [turn(article=7)])
    at_edge = conversation(2, [turn(action="suggest", article=7)], start=T0 + SETTINGS.repeat_window)
    too_late = conversation(
        2, [turn(action="suggest", article=7)], start=T0 + SETTINGS.repeat_window + SECOND
    )
    other_topic = conversation(2, [turn(article=8)], start=T0 + DAY)
    window = SETTINGS.repeat_window
    assert reports.followed_by_repeat_contact(first, [first, at_edge], window)
    assert not reports.followed_by_repeat_contact(first, [first, too_late], window)
    assert not reports.followed_by_repeat_contact(first, [first, other_topic], window)
    # Only later conversations count: the second one is not followed by the first.
    assert not reports.followed_by_repeat_contact(at_edge, [first, at_edge], window)


def test_first_contact_resolution_counts_resolved_conversations_without_a_repeat_contact():
    repeated = conversation(1, [turn(article=7)])  # assumed deflection, then a repeat contact
    again = conversation(2, [turn(article=7, votes=[True])], start=T0 + 2 * DAY)  # confirmed
    resolved_handoff = conversation(
        3,
        [turn(action="handoff", article=None)],
        visitor="v2",
        handoff=handoff(status="resolved", resolution="answered"),
    )
    open_handoff = conversation(4, [turn(action="handoff", article=None)], visitor="v3", handoff=handoff())
    report = summarize([repeated, again, resolved_handoff, open_handoff], until=T0 + 10 * DAY)
    assert (report.resolved, report.resolved_without_repeat, report.first_contact_resolution) == (3, 2, 2 / 3)
    assert (report.repeat_contacts, report.repeat_contact_rate) == (1, 1 / 4)


def test_a_conversation_counts_when_it_started_in_the_period_with_a_customer_message():
    since, until = T0, T0 + DAY
    empty = ConversationRecord(1, "v1", T0, T0)
    assert not reports.in_period(empty, since, until)
    assert reports.in_period(conversation(1, [turn()], start=since), since, until)
    assert not reports.in_period(conversation(1, [turn()], start=until), since, until)


# Help-center sessions and surveys.


def test_help_center_sessions_split_on_gaps_longer_than_30_minutes():
    gap = 30 * MINUTE
    visits = [
        VisitorAction("v1", T0),
        VisitorAction("v1", T0 + gap),  # exactly 30 minutes: the same session
        VisitorAction("v1", T0 + 2 * gap + SECOND),  # 30 minutes and a second: a new one
        VisitorAction("v2", T0 + MINUTE),  # another visitor: a session of its own
    ]
    assert reports.count_sessions(reversed(visits), gap) == 3
    assert reports.count_sessions([], gap) == 0


def test_csat_average_distribution_and_share_of_4_and_5():
    csat = reports.csat_summary([5, 4, 2, 4, None, 9])  # None and 9 are not CSAT scores
    assert csat.responses == 4
    assert csat.average == (5 + 4 + 2 + 4) / 4
    assert csat.distribution == {"1": 0, "2": 1, "3": 0, "4": 2, "5": 1}
    assert csat.satisfied_rate == 3 / 4
    assert reports.csat_summary([]).average is None


def test_nps_is_promoters_minus_detractors_in_percent():
    nps = reports.nps_summary([10, 9, 8, 7, 6, 0, 9, 9])
    assert (nps.promoters, nps.passives, nps.detractors) == (4, 2, 2)
    assert nps.score == 25.0  # 4/8 - 2/8 = 25 points
    assert reports.nps_summary([0, 6]).score == -100.0
    assert reports.nps_summary([]).score is None


def test_ces_distribution():
    ces = reports.ces_summary(["easy", "difficult", "easy", "meh"])
    assert (ces.responses, ces.distribution) == (3, {"easy": 2, "neither": 0, "difficult": 1})


# Questions.


def test_questions_are_normalized_before_counting():
    assert reports.normalize_question("  How do I\n get a   REFUND?! ") == "how do i get a refund"
    counted = reports.top_questions(["Refund?", "refund", "b", "a.", "refund!!", "?"], limit=2)
    assert counted == [reports.QuestionCount("refund", 3), reports.QuestionCount("a", 1)]


def test_content_gaps_are_suggested_or_handed_off_questions_and_missing_articles():
    answered_then_missing = conversation(
        1,
        [turn("how do I connect HubSpot"), turn("hello?", action=None)],
        handoff=handoff(status="resolved", resolution="article_missing"),
    )
    suggested = conversation(
        2, [turn("paypal?", action="suggest"), turn("vat", action="handoff", article=None)]
    )
    answered = conversation(3, [turn("refund")])
    person = BotReply(401, "handoff", None, offer_reason="customer_request")
    asked_for_a_person = ConversationRecord(4, "v4", T0, T0, (Question(400, "a person please", T0, person),))
    texts = reports.content_gap_questions([answered_then_missing, suggested, answered, asked_for_a_person])
    assert texts == ["how do I connect HubSpot", "paypal?", "vat"]


def test_a_missing_article_is_filed_under_the_question_handed_off_on_and_a_failure_under_its_question():
    handed_off = HandoffRecord(
        "customer_request", "resolved", T0 + 5 * MINUTE, resolution_reason="article_missing"
    )
    answered_then_uncovered = conversation(
        1,
        [
            turn("how do I cancel my plan"),
            turn("do you integrate with hubspot", action="handoff", article=None),
            turn("talk to a human", action="handoff", article=None),
            turn("thanks, still there?", action=None),
        ],
        handoff=handed_off,
    )
    assert reports.content_gap_questions([answered_then_uncovered]) == ["do you integrate with hubspot"]
    failed = conversation(2, [turn("export to csv"), turn("that didn't work", action="suggest")])
    assert reports.content_gap_questions([failed]) == ["export to csv"]


def test_a_missing_article_is_never_a_question_the_customer_voted_answered_and_the_agents_question_wins():
    def missing(**fields):
        return HandoffRecord(
            "customer_request", "resolved", T0 + 5 * MINUTE, resolution_reason="article_missing", **fields
        )

    pricing = [turn("how much is the pro plan", votes=(True,)), turn("talk to a person", None, None)]
    refund = "my refund never arrived"
    with_message = conversation(1, pricing, handoff=missing(message=refund))
    assert reports.content_gap_questions([with_message]) == [refund]
    without_message = conversation(2, pricing, handoff=missing())
    assert reports.content_gap_questions([without_message]) == []
    unvoted = conversation(3, [turn("how much is the pro plan")], handoff=missing(message=refund))
    assert reports.content_gap_questions([unvoted]) == ["how much is the pro plan"]
    named = "Refund for a cancelled order"
    suggested = [turn("refund cancelled order", "suggest"), turn("talk to a person", None, None)]
    edited = conversation(4, suggested, handoff=missing(gap_question=named))
    assert reports.content_gap_questions([edited]) == [named]  # in place of the guess, not besides it


def test_a_kept_pick_closes_its_suggestion_as_a_gap_and_is_never_a_question_itself():
    kept = conversation(1, [turn("refund annual plan", action="suggest"), pick()])
    failed = conversation(
        2,
        [
            turn("cancel my subscription", action="suggest"),
            pick("Cancelling"),
            turn("that didn't work", action="handoff", article=None),
        ],
    )
    not_picked = conversation(3, [turn("i forgot my password", action="suggest")])
    assert reports.content_gap_questions([kept, failed, not_picked]) == [
        "cancel my subscription",
        "i forgot my password",
    ]


def test_picks_are_counted_as_picks_not_as_customer_questions():
    kept = conversation(1, [turn("refund annual plan", action="suggest"), pick()])
    two_picks_of_one = conversation(
        2, [turn("cancel", action="suggest"), pick("Cancelling"), pick("Refunds")], visitor="v2"
    )
    not_picked = conversation(3, [turn("i forgot my password", action="suggest")], visitor="v3")
    no_choices = conversation(4, [turn("vat", action="handoff", article=None)], visitor="v4")
    report = summarize([kept, two_picks_of_one, not_picked, no_choices])
    assert (report.suggestions, report.suggestions_picked, report.pick_rate) == (3, 2, 2 / 3)
    assert report.customer_questions == 4
    assert [item.question for item in report.top_questions] == [
        "cancel",
        "i forgot my password",
        "refund annual plan",
        "vat",
    ]
    assert (report.outcomes.deflected_confirmed, report.outcomes.abandoned) == (2, 2)
    # The answers to picks are bot answers like any other.
    assert (report.bot_replies, report.answers) == (7, 3)


# Topics: grouping by embedding similarity.


def unit(*vector):
    vector = np.asarray(vector, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def test_topics_join_a_group_at_the_threshold_against_its_centroid():
    texts = ["a", "b", "c", "d", "e"]
    vectors = np.stack(
        [unit(1, 0, 0), unit(0.8, 0.6, 0), unit(0.8, -0.6, 0), unit(0.6, 0.8, 0), unit(0, 0, 1)]
    )
    groups = topics.group(texts, vectors, threshold=0.75)
    # b is 0.8 from a: it joins. c is 0.8 from a too, but 0.57 from the centroid of a + b: a topic of its
    # own. d is 0.6 from a, but 0.82 from that centroid: it joins, and b is now the most central member.
    assert [[texts[i] for i in g.members] for g in groups] == [["b", "d", "a"], ["c"], ["e"]]
    assert [g.count for g in groups] == [3, 1, 1]


def test_topics_are_seeded_by_the_most_frequent_text_whatever_the_input_order():
    # y is 40 degrees from x and from z, which are 80 degrees apart; y is asked three times.
    angle = np.radians(40)
    vectors = {
        "x": unit(np.cos(angle), np.sin(angle)),
        "y": unit(1, 0),
        "z": unit(np.cos(angle), -np.sin(angle)),
    }
    counts = {"x": 1, "y": 3, "z": 1}
    for order in itertools.permutations("xyz"):
        groups = topics.group(order, np.stack([vectors[t] for t in order]), 0.7, [counts[t] for t in order])
        # y seeds the topic, x joins it (equal counts go by text), and z is then too far from the centroid.
        assert [([order[i] for i in g.members], g.count) for g in groups] == [(["y", "x"], 4), (["z"], 1)], (
            order
        )


def test_topic_centroids_are_weighted_by_frequency():
    # x and z are 35 degrees either side of y, asked three times: the centroid of y and x stays 8.5 degrees
    # from y (it would be 17.5 unweighted), so z, 43.5 degrees from it (cosine 0.73), joins as well.
    angle = np.radians(35)
    texts = ["x", "y", "z"]
    vectors = np.stack([unit(np.cos(angle), np.sin(angle)), unit(1, 0), unit(np.cos(angle), -np.sin(angle))])
    groups = topics.group(texts, vectors, 0.7, counts=[1, 3, 1])
    assert [([texts[i] for i in g.members], g.count) for g in groups] == [(["y", "x", "z"], 5)]


def test_topics_reject_vectors_that_do_not_match_the_texts():
    with pytest.raises(ValueError, match="expected 2 vectors"):
        topics.group(["a", "b"], np.zeros((3, 4)), 0.5)
    assert topics.group([], np.zeros((0, 4)), 0.5) == []


def test_content_gap_topics_group_paraphrases_with_the_real_model(app):
    questions = [
        "How do I get a refund?",
        "can I get my money back",
        "how do i get a refund",
        "Export invoices to CSV",
        "how do I connect hubspot",
        "hubspot integration",
    ]
    with app.app_context():
        encode = get_engine().encoder.encode
        gaps = reports.content_gap_topics(questions, encode, similarity=0.6, limit=10, examples=3)
    assert gaps == [
        reports.Topic("how do i get a refund", 3, ("can i get my money back",)),
        reports.Topic("how do i connect hubspot", 2, ("hubspot integration",)),
        reports.Topic("export invoices to csv", 1, ()),
    ]


def summarize(conversations, surveys=(), visits=(), since=T0, until=T0 + DAY):
    def orthogonal(texts):  # every distinct question a topic of its own
        return np.eye(len(texts), dtype=np.float32)

    return reports.summarize(since, until, conversations, surveys, visits, SETTINGS, orthogonal)


# `kbbot report` on a scripted history, every figure computed by hand.


def run_report(runner, *options):
    result = runner.invoke(args=["report", "--since", "2026-03-01", "--until", "2026-03-10", *options])
    assert result.exit_code == 0, result.output
    return result.output


def test_report_refuses_days_at_the_edge_of_the_calendar_by_option(runner):
    for args, option in ((["--until", "9999-12-31"], "--until"), (["--since", "0001-01-01"], "--since")):
        result = runner.invoke(args=["report", *args])
        assert result.exit_code == 2 and f"'{option}'" in result.output and "out of range" in result.output
        assert "Traceback" not in result.output


def test_report_json_has_every_figure_of_a_scripted_history(app, session, runner):
    seed_history(session)
    report = json.loads(run_report(runner, "--json"))

    assert report["since"] == "2026-03-01T00:00:00+00:00"
    assert report["until"] == "2026-03-11T00:00:00+00:00"
    assert (report["deflection_window_hours"], report["repeat_contact_days"]) == (24, 7)
    # C1-C8, C11, C13-C15.
    assert report["conversations"] == 12
    # One question each, two in C2 and C4; C13's "hello?" got no bot reply.
    assert report["customer_questions"] == 14
    assert report["outcomes"] == {
        "handed_off": 3,  # C4, C5, C13
        "deflected_confirmed": 1,  # C1
        "deflected_assumed": 2,  # C2, C6
        "deflection_pending": 0,  # the report is made long after March: every window has closed
        "abandoned": 6,  # C3, C7, C8, C11, C14, C15
    }
    assert report["deflection_rate"] == 3 / 12
    assert report["handoff_rate"] == 3 / 12
    # 14 bot decisions (C4's notice has no action); answers in C1, C2 (2), C3, C5, C6, C7, C11.
    assert (report["bot_replies"], report["answers"], report["answer_rate"]) == (14, 8, 8 / 14)
    # Votes on answers: C1 yes, C3 no, C5 no (C14's is on a suggestion, C12 is not counted).
    assert (report["feedback"], report["helpful"], report["helpful_rate"]) == (3, 1, 1 / 3)
    # C1 (by C6), C7 (by C8), C11 (by C12).
    assert (report["repeat_contacts"], report["repeat_contact_rate"]) == (3, 3 / 12)
    # Resolved: C1, C2, C6 deflected, C4 and C5 resolved handoffs; C1 had a repeat contact.
    assert (report["resolved"], report["resolved_without_repeat"], report["first_contact_resolution"]) == (
        5,
        4,
        4 / 5,
    )
    assert report["help_center_sessions"] == 5
    assert report["handoffs"] == 3
    assert report["self_service_score"] == 5 / 3
    assert report["handoffs_by_reason"] == {
        "customer_request": 1,
        "low_confidence": 1,
        "negative_feedback": 1,
        "repeated_unhelpful": 0,
    }
    assert report["median_first_reply_seconds"] == 2700.0  # 30 and 60 minutes; C13 has no reply yet
    # CSAT of C1 5, C3 2, C4 4, C5 4 (C10's 1 is before the period).
    assert report["csat"] == {
        "responses": 4,
        "average": 15 / 4,
        "distribution": {"1": 0, "2": 1, "3": 0, "4": 2, "5": 1},
        "satisfied_rate": 3 / 4,
    }
    assert report["ces"] == {"responses": 3, "distribution": {"easy": 2, "neither": 0, "difficult": 1}}
    # NPS of C1 10, C3 3, C4 9, C6 7 (C12's 0 is after the period): (2 - 1) / 4.
    assert report["nps"] == {"responses": 4, "promoters": 2, "passives": 1, "detractors": 1, "score": 25.0}
    assert report["top_questions"] == [
        {"question": "how do i get a refund", "count": 3},
        {"question": "can i get my money back", "count": 2},
        {"question": "export invoices to csv", "count": 2},
        {"question": "do you accept paypal", "count": 1},
        {"question": "how do i connect hubspot", "count": 1},
        {"question": "how do i reset my password", "count": 1},
        {"question": "hubspot integration", "count": 1},
        {"question": "i forgot my password", "count": 1},
        {"question": "let me talk to a person", "count": 1},
        {"question": "refund please", "count": 1},
    ]
    # Suggested: C4, C8, C14; bot handoffs: C13, C15 (not C4's, which the customer asked for);
    # article missing: C5's first question.
    # The seeded articles have no text to answer from: every gap is still open.
    assert report["content_gaps"] == [
        {"label": "can i get my money back", "count": 2, "examples": [], "answered_now_by": None},
        {
            "label": "how do i connect hubspot",
            "count": 2,
            "examples": ["hubspot integration"],
            "answered_now_by": None,
        },
        {"label": "do you accept paypal", "count": 1, "examples": [], "answered_now_by": None},
        {"label": "i forgot my password", "count": 1, "examples": [], "answered_now_by": None},
    ]


def test_report_text_names_the_figures(app, session, runner):
    seed_history(session)
    output = run_report(runner)
    lines = output.splitlines()
    assert lines[0].startswith("Report 2026-03-01 00:00 to 2026-03-11 00:00 UTC")
    for label, value in [
        ("conversations", "12"),
        ("deflected, confirmed", "1"),
        ("deflected, assumed", "2"),
        ("handed off", "3"),
        ("abandoned", "6"),
        ("deflection rate", "25.0%"),
        ("handoff rate", "25.0%"),
        ("answer rate", "57.1% (8 of 14 replies)"),
        ("helpful rate", "33.3% (1 of 3 votes)"),
        ("repeat-contact rate", "25.0% (3)"),
        ("first-contact resolution", "80.0% (4 of 5 resolved had no repeat contact)"),
        ("help-center sessions", "5"),
        ("self-service score", "1.67"),
        ("median first agent reply", "45m 00s"),
        ("CSAT average", "3.75 (4 responses)"),
        ("CSAT (4-5)", "75.0%"),
        ("CES easy/neither/difficult", "2/0/1"),
        ("NPS", "25.0 (2 promoters, 1 passives, 1 detractors)"),
    ]:
        row = next(line for line in lines if line.startswith(label + " "))
        assert row[len(label) :].strip() == value, row
    # The values line up in one column.
    assert len({line.index(" 12") for line in lines if line.startswith("conversations ")}) == 1
    assert "      3  how do i get a refund" in lines
    assert "      2  how do i connect hubspot  (also: hubspot integration)" in lines
    assert lines.index("Top questions") < lines.index("Content gaps")


def add_message(session, conversation, moment, role, text, **fields):
    message = Message(conversation_id=conversation.id, role=role, text=text, created_at=moment, **fields)
    session.add(message)
    session.flush()
    conversation.last_message_at = moment
    return message


def add_suggestion(session, visitor, started, question, article, anchors):
    """A conversation whose first question the bot answers with choices: `anchors` of `article`'s sections."""
    conversation = add_conversation(session, visitor, started)
    asked = add_message(session, conversation, started, "customer", question)
    choices = [
        {
            "slug": article.slug,
            "title": article.title,
            "section": anchor.title(),
            "anchor": anchor,
            "url": f"/articles/{article.slug}#{anchor}",
            "probability": 0.4,
        }
        for anchor in anchors
    ]
    add_message(
        session,
        conversation,
        started + MINUTE,
        "bot",
        "Which of these do you mean?",
        in_reply_to_id=asked.id,
        action="suggest",
        confidence=0.5,
        article_id=article.id,
        choices=choices,
    )
    return conversation


def add_pick(session, conversation, moment, article, anchor, helpful=None):
    """The customer picks the choice `anchor`, and the bot answers with that section (as `conversations.reply`)."""
    picked = add_message(
        session,
        conversation,
        moment,
        "customer",
        anchor.title(),
        choice={"slug": article.slug, "anchor": anchor},
    )
    answer = add_message(
        session,
        conversation,
        moment + MINUTE,
        "bot",
        "(the section)",
        in_reply_to_id=picked.id,
        action="answer",
        confidence=0.4,
        article_id=article.id,
        section=anchor.title(),
        anchor=anchor,
    )
    if helpful is not None:
        session.add(Feedback(visitor_id=conversation.visitor_id, message_id=answer.id, helpful=helpful))
    return answer


def test_report_counts_a_kept_pick_as_confirmed_and_a_pick_as_no_question(app, session, runner):
    refunds, billing, passwords = (
        Article(slug=slug, title=slug, content_hash=slug) for slug in ("refunds", "billing", "passwords")
    )
    session.add_all([refunds, billing, passwords])
    session.flush()
    # Kept: picked, answered, nothing said against it.
    kept = add_suggestion(
        session, "v1", at(2, 10), "refund for my annual plan", refunds, ["annual", "monthly"]
    )
    add_pick(session, kept, at(2, 10, 2), refunds, "annual")
    # Picked, then "that didn't work": the bot offered a person, who was not taken.
    failed = add_suggestion(session, "v2", at(3, 10), "cancel my subscription", billing, ["cancel", "pause"])
    add_pick(session, failed, at(3, 10, 2), billing, "cancel")
    said = add_message(session, failed, at(3, 10, 4), "customer", "that didn't work")
    add_message(
        session,
        failed,
        at(3, 10, 5),
        "bot",
        "(offer)",
        in_reply_to_id=said.id,
        action="handoff",
        confidence=0.2,
        handoff_offered=True,
        offer_reason="repeated_unhelpful",
    )
    # Picked, and the answer voted unhelpful.
    voted_down = add_suggestion(session, "v3", at(4, 10), "change my card", billing, ["card", "invoice"])
    add_pick(session, voted_down, at(4, 10, 2), billing, "card", helpful=False)
    # Picked in a conversation then handed off.
    handed_off = add_suggestion(session, "v4", at(5, 10), "refund twice", refunds, ["annual", "monthly"])
    add_pick(session, handed_off, at(5, 10, 2), refunds, "monthly")
    session.add(Handoff(conversation_id=handed_off.id, email="v4@example.com", reason="customer_request"))
    # Not picked.
    add_suggestion(session, "v5", at(6, 10), "i forgot my password", passwords, ["reset", "change"])
    session.commit()

    report = json.loads(run_report(runner, "--json"))
    assert report["outcomes"] == {
        "handed_off": 1,
        "deflected_confirmed": 1,
        "deflected_assumed": 0,
        "deflection_pending": 0,
        "abandoned": 3,
    }
    assert (report["suggestions"], report["suggestions_picked"], report["pick_rate"]) == (5, 4, 4 / 5)
    # Typed: five first questions and "that didn't work"; the four picks are not questions.
    assert report["customer_questions"] == 6
    assert "annual" not in {item["question"] for item in report["top_questions"]}
    # A kept pick's suggestion is no gap (the handed-off one's too: nothing was said against its answer);
    # a pick that failed or was voted down leaves the question typed a gap, once.
    assert sorted(topic["label"] for topic in report["content_gaps"]) == [
        "cancel my subscription",
        "change my card",
        "i forgot my password",
    ]
    row = next(line for line in run_report(runner).splitlines() if line.startswith("suggestion pick rate "))
    assert row.removeprefix("suggestion pick rate").strip() == "80.0% (4 of 5 suggestions with choices)"


def test_report_of_an_empty_period(runner):
    output = run_report(runner, "--json")
    report = json.loads(output)
    assert report["conversations"] == 0
    assert report["deflection_rate"] is None and report["self_service_score"] is None
    assert report["content_gaps"] == [] and report["top_questions"] == []
    assert "n/a" in run_report(runner)


def test_report_rejects_a_bad_date_naming_the_option(runner):
    result = runner.invoke(args=["report", "--since", "2026-02-30"])
    assert result.exit_code == 2
    assert "--since" in result.output and "2026-02-30" in result.output
    result = runner.invoke(args=["report", "--since", "2026-03-10", "--until", "2026-03-01"])
    assert result.exit_code == 2
    assert "--until" in result.output


def test_report_defaults_to_the_last_30_days(app, session, runner):
    today = datetime.now(UTC).date()
    add_conversation(
        session,
        "v1",
        datetime.combine(today - timedelta(days=29), datetime.min.time(), UTC),
        [("inside", None, None, None)],
    )
    add_conversation(
        session,
        "v2",
        datetime.combine(today - timedelta(days=30), datetime.min.time(), UTC),
        [("before", None, None, None)],
    )
    session.commit()
    result = runner.invoke(args=["report", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["since"] == f"{today - timedelta(days=29)}T00:00:00+00:00"  # 30 days, as the dashboard
    assert report["until"] == f"{today + timedelta(days=1)}T00:00:00+00:00"
    assert report["conversations"] == 1


def test_days_covers_whole_utc_days():
    assert reports.days(date(2026, 3, 1), date(2026, 3, 1)) == (at(1, 0), at(2, 0))


def test_report_is_the_same_on_postgresql(app, session, runner, tmp_path, postgres_url):
    seed_history(session)
    on_sqlite = json.loads(run_report(runner, "--json"))
    postgres_app = make_app(tmp_path / "postgres", DATABASE_URL=postgres_url)
    with postgres_app.app_context():
        seed_history(get_session())
    on_postgres = json.loads(run_report(postgres_app.test_cli_runner(), "--json"))
    assert on_postgres == on_sqlite
    assert on_postgres["conversations"] == 12


def test_a_second_report_embeds_only_its_new_content_gap_questions(app, session):
    seed_history(session)
    since, until = reports.days(date(2026, 3, 1), date(2026, 3, 10))
    encoder = CountingEncoder()
    encode = question_embeddings.stored(session, "test-model", encoder)
    reports.build_report(session, since, until, SETTINGS, encode)
    add_conversation(
        session, "v30", at(9, 15), [("Can I pay with bitcoin?", "handoff", None, None, "low_confidence")]
    )
    session.commit()
    second = reports.build_report(session, since, until, SETTINGS, encode)
    assert sorted(encoder.calls[0]) == [
        "can i get my money back",
        "do you accept paypal",
        "how do i connect hubspot",
        "hubspot integration",
        "i forgot my password",
    ]
    assert encoder.calls[1:] == [["can i pay with bitcoin"]]
    # The stored vectors group the questions as embedding them all again does.
    assert second == reports.build_report(session, since, until, SETTINGS, CountingEncoder())
