"""Request and response bodies of the staff API's saved replies (staff_saved_replies.py)."""

from datetime import datetime

from pydantic import Field

from ...support import saved_replies
from .schema_types import Request, Response, SomeText


class SavedReplyWrite(Request):
    """A saved reply's fields; `body` may hold placeholders (docs/conversations.md, "Saved replies")."""

    title: SomeText = Field(max_length=saved_replies.MAX_TITLE_CHARS)
    shortcut: str = Field(
        max_length=saved_replies.MAX_SHORTCUT_CHARS,
        pattern=saved_replies.SHORTCUT_PATTERN,
        description="Typed after `/` in the composer. One of the shared replies' or the caller's own: 409.",
    )
    body: SomeText = Field(
        max_length=saved_replies.MAX_BODY_CHARS,
        description="The text, with placeholders such as `{customer_first_name}`, `{agent_name}` or "
        "`{article:SLUG}` (`{{` and `}}` for braces); an unknown placeholder, or an article that is not "
        "published: 422.",
    )
    shared: bool = Field(
        False, description="Shared with the team (needs the editor role: 403), else the caller's own."
    )


class SavedReplyOut(Response):
    id: int
    title: str
    shortcut: str
    body: str
    shared: bool
    owner: str | None = Field(description="The owner's email; None for a shared reply.")
    created_at: datetime
    updated_at: datetime
    uses: int = Field(description="Sent replies that used it.")
    recent_uses: int = Field(description=f"Of those, in the last {saved_replies.RECENT.days} days.")
    changeable: bool = Field(description="Whether the caller may change and delete it.")


class SavedReplyList(Response):
    saved_replies: list[SavedReplyOut] = Field(description="The shared ones and the caller's own.")


class FilledReplyOut(Response):
    id: int
    shortcut: str
    title: str
    shared: bool
    text: str = Field(description="The body with its placeholders filled for the handoff and the caller.")
    unfilled: list[str] = Field(
        description="Placeholders that could not be filled (an article unpublished since), left in `text`."
    )


class FilledReplyList(Response):
    saved_replies: list[FilledReplyOut] = Field(description="The shared ones and the caller's own.")
