"""What one conversation's transcript says, read from its full record (`records.ConversationRecord`):
the customer's thanks and "it still fails", the picks they kept, the questions the knowledge base
fell short on (definitions: docs/metrics.md).

These are the definitions that need the customer's words. They are applied to each conversation
when it changes (`facts.conversation_facts`, kept by `kbbot.support.outcome_facts`), so a report
reads their results instead of every message.
"""

from ..models import HandoffReason
from ..search.confidence import Action
from ..support.decisions import asks_something, question_behind_handoff, reports_failure
from ..support.small_talk import social_kind

# Bot actions that show the knowledge base had no confident answer to a question; a handoff
# because the customer asked for a person shows nothing about the knowledge base.
GAP_ACTIONS = (Action.SUGGEST, Action.HANDOFF)


def replies_to_answers(conversation):
    """The customer's messages that came right after a bot answer: what they said of it.

    A pick of one of the bot's choices says nothing of the answer before it in words.
    """
    after_answer = False
    for question in conversation.questions:
        if after_answer and not question.picked:
            yield question.text
        after_answer = question.reply is not None and question.reply.action == Action.ANSWER


def kept_picks(conversation):
    """The customer's picks of the bot's choices that the bot answered and the customer kept: no
    "helpful: no" vote on that answer, and their next message does not say it failed."""
    questions = conversation.questions
    if not questions:  # facts are worked out for a conversation before its first message too
        return
    for question, following in zip(questions, (*questions[1:], None), strict=True):
        answer = question.reply
        if not question.picked or answer is None or answer.action != Action.ANSWER or False in answer.votes:
            continue
        if following is None or following.picked or not reports_failure(following.text):
            yield question


def said_an_answer_failed(conversation):
    """Whether the customer replied to a bot answer that it did not work ("it still fails"): a "no" in words."""
    return any(reports_failure(text) for text in replies_to_answers(conversation))


def thanked_for_an_answer(conversation):
    """Whether the customer replied to a bot answer with thanks ("great, thanks!"): a "yes" in words."""
    return any(social_kind(text) == "thanks" for text in replies_to_answers(conversation))


def _answer_votes(conversation):
    return [vote for answer in conversation.answers for vote in answer.votes]


def confirmed(conversation):
    """Whether the customer confirmed an answer helped: a "helpful: yes" vote on one, thanks for one,
    or a pick of the bot's choices they kept."""
    return (
        True in _answer_votes(conversation)
        or thanked_for_an_answer(conversation)
        or any(kept_picks(conversation))
    )


def said_no(conversation):
    """Whether the customer said an answer did not help: a "helpful: no" vote on one, or words ("it still fails")."""
    return False in _answer_votes(conversation) or said_an_answer_failed(conversation)


def asked_about(conversation):
    """(when, top article) of each question the customer typed (not a pick) whose bot reply has a top
    article: what "the same question" of another conversation is compared with."""
    return [
        (question.asked_at, question.reply.article_id)
        for question in conversation.questions
        if question.reply is not None and not question.picked and question.reply.article_id is not None
    ]


def question_gaps(conversation):
    """[(message id, text)] of the questions the bot replied to with a suggestion or a handoff, in
    order (the content gaps of its turns; `content_gaps.content_gap_questions` adds the handoff's).

    Except a handoff the customer asked for, and a suggestion one of whose choices the customer
    picked and kept: the answer was there. A message that only says the last reply failed ("it
    still fails"), and a pick, count as the question they follow. Each message once.
    """
    texts = {}
    answered_by_pick = {pick.picked_from for pick in kept_picks(conversation)}
    asked = None  # the latest question that asked something
    for question in conversation.questions:
        if asked is None or (not question.picked and asks_something(question.text)):
            asked = question
        reply = question.reply
        if (
            reply is not None
            and reply.action in GAP_ACTIONS
            and reply.offer_reason != HandoffReason.CUSTOMER_REQUEST
            and reply.message_id not in answered_by_pick
        ):
            texts[asked.message_id] = asked.text
    return list(texts.items())


def question_behind(conversation):
    """(message id, text) of the question `conversation`'s handoff is about
    (`decisions.question_behind_handoff`); None without a handoff or such a question."""
    if conversation.handoff is None:
        return None
    turns = [
        (question, question.text, question.picked, _helped(question.reply))
        for question in conversation.questions
        if question.asked_at <= conversation.handoff.created_at
    ]
    behind = question_behind_handoff(turns)
    return None if behind is None else (behind.message_id, behind.text)


def _helped(reply):
    """Whether the customer's latest vote on the bot's answer `reply` says it helped."""
    return reply is not None and reply.action == Action.ANSWER and bool(reply.votes) and reply.votes[-1]
