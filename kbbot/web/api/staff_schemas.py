"""Request and response bodies of the staff API: the handoff queue and its context, and articles.

Built on the same bases and rules as the public API's bodies (schemas.py), and
documented in the same OpenAPI document.
"""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, computed_field

from ...articles.source import LOCALE_PATTERN, MAX_LENGTHS, SLUG_PATTERN
from ...models import ARTICLE_STATUSES, EMAIL_STATUSES, HANDOFF_STATUSES, PRIORITIES, RESOLUTION_REASONS
from ...support.handoffs import MAX_GAP_QUESTION_CHARS, MAX_NOTE_CHARS, MAX_REPLY_CHARS
from ...support.saved_replies import MAX_USES_PER_REPLY
from ...support.tags import MAX_TAG_CHARS, MAX_TAGS, TAG_INPUT
from ...text import NO_CONTROL, ONE_LINE_TEXT
from .schema_types import Documented, Id, Request, Response, SomeText, Whole
from .schemas import SNIPPET_HTML, BotDecision, PickOut

# -- handoffs ------------------------------------------------------------------


class ReplyRequest(Request):
    text: SomeText = Field(max_length=MAX_REPLY_CHARS)
    saved_reply_ids: list[Id] = Field(
        default_factory=list,
        max_length=MAX_USES_PER_REPLY,
        description="The saved replies the text used, each counted once; ones the caller does not see "
        "are not counted.",
    )


class ResolveRequest(Request):
    reason: Literal[RESOLUTION_REASONS]
    gap_question: str | None = Field(
        None,
        max_length=MAX_GAP_QUESTION_CHARS,
        description="With `article_missing`: the question the articles fall short on, for the content-gap "
        "report; left out, the report takes `gap_guess`. Ignored with another reason.",
    )


class TriageRequest(Request):
    """What PATCH changes; a field left out stays as it is."""

    priority: Literal[PRIORITIES] | None = None
    tags: list[Annotated[str, Field(max_length=MAX_TAG_CHARS, pattern=TAG_INPUT)]] | None = Field(
        None,
        max_length=MAX_TAGS,
        description="The handoff's whole list of tags (empty: none), each normalized: trimmed, lower case, "
        "spaces as hyphens (`Refund request` is `refund-request`).",
    )


class Triage(Response):
    """A handoff's tags, priority and SLA state."""

    tags: list[str] = Field(description="Normalized, in alphabetical order.")
    priority: Literal[PRIORITIES]
    awaited: Literal["first_reply", "next_reply"] | None = Field(
        description="The reply the customer waits for; null while nobody waits on the agents."
    )
    waiting_since: datetime | None
    reply_due_at: datetime | None = Field(
        description="When the awaited reply is due by the SLA targets (KBBOT_SLA_FIRST_REPLY, "
        "KBBOT_SLA_NEXT_REPLY, in business hours); null when nothing is due."
    )
    breached: bool | None = Field(description="Whether `reply_due_at` has passed; null when nothing is due.")
    due_seconds: float | None = Field(
        description="Seconds until `reply_due_at`, or since it when breached; null when nothing is due."
    )


class HandoffTriage(Triage):
    id: int


class HandoffSummary(Triage):
    id: int
    status: Literal[HANDOFF_STATUSES]
    reason: str
    conversation_id: str
    email: str
    name: str
    question: str | None = Field(
        description="What the customer handed off with: the question behind the handoff, else the message "
        "they wrote with it, else their first question."
    )

    @computed_field(deprecated="Renamed `question`, which it repeats; it goes in the next API version.")
    @property
    def first_question(self) -> str | None:
        """Deprecated: `question` under its name before it was what the customer handed off with."""
        return self.question

    created_at: datetime
    first_reply_at: datetime | None = Field(description="None while the customer still waits.")
    waiting_seconds: float = Field(
        description="Since the handoff was requested, until the first agent reply."
    )
    assignee: str | None
    unread: bool = Field(
        description="Whether the conversation has a message the caller has not had on screen (not theirs)."
    )
    opened: bool = Field(description="Whether the caller has opened the handoff's page before.")


class HandoffList(Response):
    handoffs: list[HandoffSummary]
    counts: dict[str, int] = Field(description="Every handoff `tag` and `priority` let through, by status.")
    assigned_to_me: int = Field(
        description="The caller's own handoffs in the `assigned` status (that `tag` and `priority` let through)."
    )


class ViewedArticle(Response):
    slug: str | None
    title: str | None
    at: datetime
    seconds: float | None
    via: str | None
    during_conversation: bool
    before_handoff: bool


class ArticleRef(Response):
    slug: str
    title: str


class SearchMade(Response):
    query: str | None
    results: int | None
    top_results: list[ArticleRef] = Field(
        description="The first results, best first (empty for searches logged before they were kept)."
    )
    at: datetime
    before_handoff: bool


class ReplyEmail(Response):
    status: Literal[EMAIL_STATUSES] = Field(
        description="`pending`: not taken by the mail server yet, tried again at `next_attempt_at`; `sent`; "
        "`failed`: refused for good, or still failing after every try."
    )
    attempts: int
    sent_at: datetime | None
    next_attempt_at: datetime | None


class TranscriptEntry(BotDecision):
    id: int
    role: Literal["customer", "bot", "agent"]
    text: str
    html: str | None = Field(None, description="Bot replies: `text` (Markdown) as sanitized HTML.")
    at: datetime
    sources: list[dict] | None = None
    choice: PickOut | None = Field(None, description="Customer messages: the bot's choice they picked.")
    cited_revision_id: int | None = None
    offer_reason: str | None = None
    helpful: bool | None = Field(None, description="The customer's vote on a bot reply; null: no vote.")
    author: str | None = None
    email: ReplyEmail | None = Field(
        None, description="An agent reply's email to the customer, when one is sent."
    )


class HandoffDetails(Triage):
    id: int
    status: str
    reason: str
    resolution_reason: str | None
    created_at: datetime
    first_reply_at: datetime | None
    resolved_at: datetime | None
    assignee: str | None
    gap_question: str | None = Field(
        description="Resolved as `article_missing`: the question the agent named as the content gap."
    )
    gap_guess: str | None = Field(
        description="The best guess at the content gap: the question behind the handoff (never one the "
        "bot answered to the customer's satisfaction), else the message the customer wrote with it."
    )


class Customer(Response):
    email: str
    name: str
    message: str


class NoteOut(Response):
    id: int
    text: str
    author: str | None
    at: datetime


class HandoffContext(Response):
    handoff: HandoffDetails
    customer: Customer
    conversation_id: str
    transcript: list[TranscriptEntry]
    notes: list[NoteOut] = Field(
        description="Internal notes: staff only, never in the customer's transcript."
    )
    viewed_articles: list[ViewedArticle]
    searches: list[SearchMade]
    page_url: str | None
    locale: str | None
    user_agent: str | None


class HandoffState(Response):
    id: int
    status: Literal[HANDOFF_STATUSES]
    assignee: str | None
    resolution_reason: str | None


# -- articles ------------------------------------------------------------------


# The rules `articles.source.validate` applies to a file's fields, for the document: a one-line field
# says something and holds no control character; a list item holds none.
OneLine = Annotated[str, Documented(pattern=ONE_LINE_TEXT)]
Item = Annotated[str, Documented(pattern=NO_CONTROL)]


class ArticleWrite(Request):
    """An article as a Markdown file's front matter and body: the same fields, defaults and rules as `kbbot sync`."""

    title: OneLine = Field(max_length=MAX_LENGTHS["title"])
    slug: Annotated[str, Documented(pattern=SLUG_PATTERN.pattern)] | None = Field(
        None,
        max_length=MAX_LENGTHS["slug"],
        description="Set at creation (default: made from the title, or `article-` and a digest of it when it "
        "has no letter or digit); it cannot change. Another article's, or a change: 409.",
    )
    category: OneLine | None = Field(None, max_length=MAX_LENGTHS["category"])
    tags: list[Item] = Field(default_factory=list, max_length=100)
    questions: list[Item] = Field(
        default_factory=list, max_length=200, description="Alternate questions: how customers ask for it."
    )
    locale: Annotated[str, Documented(pattern=LOCALE_PATTERN.pattern)] = Field(
        "en", max_length=35, description="A language tag such as en or pt-BR."
    )
    status: Literal[ARTICLE_STATUSES] = Field(
        "published", description="As in a file: omitted means published."
    )
    body: str = Field("", max_length=500_000, description="Markdown.")
    note: Item = Field("", max_length=500, description="Why it changed, for the article's history.")
    base_revision: Whole | None = Field(
        None, description="Updates: the revision the change was made on (or send its ETag in If-Match)."
    )


class StaffArticleBase(Response):
    """What a row of the article list (`StaffArticleSummary`) and a whole article (`StaffArticle`) both
    say of an article: what it is, and its current revision."""

    id: int
    slug: str
    title: str
    category: str | None
    status: Literal[ARTICLE_STATUSES]
    locale: str
    revision: int = Field(description="The current revision's number; the ETag header names it too.")
    updated_at: datetime
    updated_by: str | None = Field(description="Who saved the current revision; null for kbbot sync.")


class StaffArticle(StaffArticleBase):
    tags: list[str]
    questions: list[str]
    body: str
    source_path: str | None = Field(
        description="The file kbbot sync imported it from: the next sync of that directory restores the file's text."
    )
    url: str | None = Field(description="Its help-center page, when published.")


class StaffArticleSummary(StaffArticleBase):
    votes: int = Field(description="Helpful votes on the article and on bot answers that cited it.")
    helpful_rate: float | None = Field(description="Share of helpful votes in [0, 1]; null without votes.")


class StaffArticleList(Response):
    articles: list[StaffArticleSummary]
    total: int = Field(description="Articles matching the filters, on all pages.")
    page: int
    per_page: int


class NoteRequest(Request):
    text: SomeText = Field(max_length=MAX_NOTE_CHARS)


class SeenOut(Response):
    at: datetime
    how: Literal["read", "bot", "agent"] = Field(
        description="Read on a help-center page, or linked in a bot answer or an agent reply."
    )
    seconds: float | None = Field(description="Time on the page, when the browser reported it.")
    via: str | None = Field(description="How the customer reached the page (search, browse, bot, widget...).")
    before_handoff: bool


class ArticleSuggestion(Response):
    slug: str
    title: str
    url: str = Field(description="The article's public page, to link in a reply.")
    snippet: str
    snippet_html: str | None = SNIPPET_HTML
    score: float = Field(description="Relevance relative to the best match, in [0, 1].")
    seen: list[SeenOut] = Field(description="When the customer already met this article; empty if never.")


class SuggestionsOut(Response):
    query: str | None = Field(
        description="The agent's search; None for suggestions from the customer's questions."
    )
    articles: list[ArticleSuggestion]
