"""Request and response bodies of the public API (their bases and field types: schema_types.py).

The same models validate requests, document the API (openapi.py builds the
OpenAPI 3.1 document from their JSON Schemas) and, in the tests, check every
response, so the document cannot drift from the behaviour. Requests are
strict: a number is not accepted where a string is expected, or vice versa.
Unknown fields are ignored, so clients may send more than this version reads.
"""

import re
from datetime import datetime
from typing import Literal

from email_validator import SPECIAL_USE_DOMAIN_NAMES
from pydantic import ConfigDict, Field, model_validator

from ...models import CES_CHOICES, HANDOFF_REASONS, HANDOFF_STATUSES, SURVEY_KINDS
from ...text import HAS_TEXT
from .schema_types import Id, Request, Response, Text, Verbatim, WebUrl, Whole

Action = Literal["answer", "suggest", "handoff"]


class ChoiceIn(Request):
    slug: Verbatim = Field(max_length=200)
    anchor: Verbatim = Field(max_length=300, description='The choice\'s `anchor`; "" for an introduction.')


class ChatRequest(Request):
    """A message with some text in it, or a choice in the conversation it was offered in."""

    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [
                {
                    "anyOf": [
                        {"required": ["message"], "properties": {"message": {"pattern": HAS_TEXT}}},
                        {"required": ["choice"], "properties": {"choice": {"type": "object"}}},
                    ]
                },
                {
                    "anyOf": [
                        {"properties": {"choice": {"type": "null"}}},
                        {
                            "required": ["conversation_id"],
                            "properties": {"conversation_id": {"type": "string", "minLength": 1}},
                        },
                    ]
                },
            ]
        }
    )
    message: Text = Field(
        "",
        description="The customer's message: more than whitespace and control characters, unless `choice` "
        "is given. Longer than the configured limit (`maxLength`, KBBOT_MAX_MESSAGE_CHARS): 413.",
    )
    choice: ChoiceIn | None = Field(
        None,
        description="A choice the bot offered earlier in `conversation_id` (required with it), which the "
        "customer picked: the bot answers with that section. `message` is then ignored. One the "
        "conversation never offered: 409.",
    )
    conversation_id: Verbatim | None = Field(
        None, max_length=40, description="Continue this conversation; omit to start one."
    )
    page_url: WebUrl | None = Field(
        None, max_length=2000, description="The page the chat was opened on: an http(s) URL with a host."
    )
    locale: str | None = Field(None, max_length=35, pattern=r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")


SNIPPET_HTML = Field(
    None,
    description="When `snippet` is rows of a table under its header (Markdown), the table as sanitized HTML, "
    "to show as a table; null for a text snippet.",
)


class SourceOut(Response):
    slug: str
    title: str
    url: str
    snippet: str
    snippet_html: str | None = SNIPPET_HTML
    score: float = Field(description="Relevance relative to the best source, in [0, 1].")


class ChoiceOut(Response):
    slug: str
    title: str = Field(description="The article's title.")
    section: str = Field(description="The section's heading; \"\" for the article's introduction.")
    anchor: str = Field(description='The heading\'s id on the article page ("" for the introduction).')
    url: str = Field(description="The article, opened at the section.")
    probability: float = Field(ge=0, le=1, description="How likely the bot judged it to be the answer.")


class HandoffRef(Response):
    id: int
    status: Literal[HANDOFF_STATUSES]


class ChatResponse(Response):
    conversation_id: str
    message_id: int = Field(
        description=(
            "The bot's reply; the customer's message when it waits for a person (a handoff was requested "
            "and the bot has no new answer, or an agent holds the conversation)."
        )
    )
    action: Action | None = Field(
        description="The bot's decision; null for a social reply to small talk (a greeting, thanks, "
        "goodbye), which searches nothing."
    )
    answer: str = Field(
        description=(
            "With `answer`: the section of the article that answers, in Markdown as the article has it (its "
            "heading in bold on a line of its own, `**Turn on 2FA**`, whole lists, tables with their header "
            "row, code fences), then a Markdown link to the article at that section; otherwise what the bot "
            "says."
        )
    )
    answer_html: str = Field(
        description="`answer` as sanitized HTML to show as it is: relative links resolved against the "
        "article, links opening a new tab, tables with their header, no scripts, styles or event handlers."
    )
    confidence: float | None = Field(
        ge=0, le=1, description="That the top article answers the question; null with a social reply."
    )
    section_confidence: float | None = Field(
        None,
        ge=0,
        le=1,
        description="That the part of the top article the bot quotes, or would quote (its likeliest section, or "
        "two neighbouring ones), holds the answer; null with a social reply.",
    )
    section: str | None = Field(
        None, description='With `answer`: the heading answered from ("" for an introduction).'
    )
    choices: list[ChoiceOut] = Field(
        [],
        description="With `suggest`: what the customer can pick from, best first: sections of one article "
        '("Which of these?"), or articles with their best section. Send one back as `choice`.',
    )
    sources: list[SourceOut] = Field(description="Best first; empty when nothing is relevant.")
    handoff_offered: bool
    handoff: HandoffRef | None = Field(description="The conversation's handoff, once one was requested.")


class PickOut(Response):
    slug: str
    anchor: str


class BotDecision(Response):
    """What the bot decided on a bot message (`chat.bot_decision_out`), null on the other messages: the
    transcript of a conversation (`MessageOut`) and of a handoff (`TranscriptEntry`) carry it."""

    action: Action | None = None
    confidence: float | None = None
    section_confidence: float | None = None
    section: str | None = None
    choices: list[ChoiceOut] | None = Field(None, description="A suggestion's choices, best first.")
    handoff_offered: bool | None = None


class MessageOut(BotDecision):
    id: int
    role: Literal["customer", "bot", "agent"]
    text: str = Field(description="Plain text; a bot message's is Markdown (see `html`).")
    html: str | None = Field(
        None, description="Bot messages: `text` as sanitized HTML to show as it is (as `answer_html`)."
    )
    created_at: datetime
    sources: list[SourceOut] | None = None
    choice: PickOut | None = Field(None, description="Customer messages: the choice picked, when it was one.")
    author: str | None = Field(None, description="The agent's display name, for agent messages.")


class ConversationOut(Response):
    conversation_id: str
    messages: list[MessageOut] = Field(description="Messages after the `after` cursor, oldest first.")
    cursor: int = Field(description="Pass as `after` to get only newer messages.")
    handoff: HandoffRef | None
    ended: bool
    agent_typing: bool = Field(False, description="An agent is typing a reply in this conversation now.")


def _any_case(name):
    return "".join(f"[{char}{char.upper()}]" if char.isalpha() else re.escape(char) for char in name)


# Domains email-validator refuses: reserved for special uses (RFC 6761...), they receive no mail.
SPECIAL_USE_EMAIL_DOMAIN = f"[.@]({'|'.join(map(_any_case, SPECIAL_USE_DOMAIN_NAMES))})$"


class HandoffRequest(Request):
    # email-validator's rules (kbbot.accounts.users.normalized_email): at most 254 characters, no domain
    # reserved for special uses. As sent: it refuses the characters `Text` would remove.
    email: str = Field(
        max_length=254,
        json_schema_extra={"format": "email", "not": {"pattern": SPECIAL_USE_EMAIL_DOMAIN}},
    )
    name: Text = Field("", max_length=200)
    message: Text = Field("", max_length=5000)


class Availability(Response):
    agents_available: bool = Field(description="Whether it is within business hours now.")
    next_available_at: datetime | None
    reply_channel: Literal["email", "chat"] = Field(
        description="email: replies are emailed too (the server sends mail); chat: they wait in the chat."
    )
    notice: str = Field(
        description="What the handoff form tells the customer about when and how a person replies."
    )


class HandoffCreated(Response):
    id: int
    status: Literal[HANDOFF_STATUSES]
    reason: Literal[HANDOFF_REASONS]
    created: bool = Field(description="False when the conversation already had this handoff.")
    availability: Availability


class EndedOut(Response):
    conversation_id: str
    ended_at: datetime


class FeedbackRequest(Request):
    """A vote on exactly one of a bot answer (`message_id`) or an article (`article`)."""

    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {
                    "required": ["message_id"],
                    "properties": {"message_id": {"type": "integer"}, "article": {"type": "null"}},
                },
                {
                    "required": ["article"],
                    "properties": {"article": {"type": "string"}, "message_id": {"type": "null"}},
                },
            ]
        }
    )
    helpful: bool
    message_id: Id | None = Field(None, description="A bot answer (give this or `article`).")
    article: Verbatim | None = Field(
        None, max_length=200, description="An article's slug (give this or `message_id`)."
    )
    comment: Text = Field("", max_length=2000)

    @model_validator(mode="after")
    def _one_target(self):
        if (self.message_id is None) == (self.article is None):
            raise ValueError("give exactly one of message_id or article")
        return self


class FeedbackOut(Response):
    id: int
    handoff_offered: bool = Field(
        description="True when a 'not helpful' vote on a bot answer makes the bot offer a person."
    )


SCORES = {"csat": (1, 5), "nps": (0, 10)}  # the score each kind but CES takes, lowest and highest


class SurveyRequest(Request):
    """CSAT and NPS answers are a `score` in their range, a CES answer is a `choice`."""

    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                *(
                    {
                        "required": ["kind", "score"],
                        "properties": {
                            "kind": {"const": kind},
                            "score": {"type": "integer", "minimum": low, "maximum": high},
                        },
                    }
                    for kind, (low, high) in SCORES.items()
                ),
                {
                    "required": ["kind", "choice"],
                    "properties": {"kind": {"const": "ces"}, "choice": {"enum": list(CES_CHOICES)}},
                },
            ]
        }
    )
    conversation_id: Verbatim = Field(max_length=40)
    kind: Literal[SURVEY_KINDS]
    score: Whole | None = Field(None, description="CSAT: 1-5; NPS: 0-10 (required with those).")
    choice: Literal[CES_CHOICES] | None = Field(None, description="CES: easy, neither or difficult.")
    comment: Text = Field("", max_length=2000)

    @model_validator(mode="after")
    def _answer_fits_kind(self):
        if self.kind == "ces":
            if self.choice is None:
                raise ValueError("a CES answer needs `choice`: easy, neither or difficult")
        else:
            low, high = SCORES[self.kind]
            if self.score is None or not low <= self.score <= high:
                raise ValueError(f"a {self.kind.upper()} answer needs `score` from {low} to {high}")
        return self


class SurveyOut(Response):
    id: int
    kind: Literal[SURVEY_KINDS]
    ask_nps: bool = Field(
        False,
        description="After a CES answer: ask the NPS question too (at most once per visitor in 90 days).",
    )


class ViewDuration(Request):
    seconds: float = Field(ge=0, le=86400)


class SearchOut(Response):
    query: str
    searched_for: str = Field(
        description="The query as searched: misspelt words corrected to the articles' words "
        "(equal to `query` when none was)."
    )
    results: list[SourceOut] = Field(
        description="The matching articles, best first. Those below the relevance floor "
        "(KBBOT_SEARCH_FLOOR) are left out, so a query no article answers gets none."
    )


class ArticleOut(Response):
    slug: str
    title: str
    url: str = Field(description="The article's page in the help center.")
    html: str = Field(description="The body as sanitized HTML (no scripts, styles or event handlers).")
    updated_at: datetime
    view_id: int | None = Field(
        description="This view in the event log: report the reading time to /views/{view_id}."
    )
