"""Database models: the database is the source of truth.

One module per area: `content` (articles, the indexes' source), `staff` (accounts), `support`
(conversations, handoffs, votes, surveys and the `Event` log). Everything is importable from here.
"""

from .base import MAX_ID, Base, UTCDateTime, utcnow
from .content import ARTICLE_STATUSES, Article, Category, Chunk, KnowledgeBaseState, Revision
from .staff import ROLES, ApiToken, LoginAttempt, RecoveryCode, User
from .support import (
    CES_CHOICES,
    EMAIL_STATUSES,
    HANDOFF_REASONS,
    HANDOFF_STATUSES,
    PRIORITIES,
    RESOLUTION_REASONS,
    SURVEY_KINDS,
    Awaited,
    Conversation,
    EmailStatus,
    Event,
    Feedback,
    Handoff,
    HandoffReason,
    HandoffStatus,
    Message,
    Note,
    OutboundEmail,
    Priority,
    ReplyTarget,
    SurveyResponse,
    Tag,
)

__all__ = [
    "ARTICLE_STATUSES",
    "CES_CHOICES",
    "EMAIL_STATUSES",
    "HANDOFF_REASONS",
    "HANDOFF_STATUSES",
    "MAX_ID",
    "PRIORITIES",
    "RESOLUTION_REASONS",
    "ROLES",
    "SURVEY_KINDS",
    "ApiToken",
    "Awaited",
    "Article",
    "Base",
    "Category",
    "Chunk",
    "Conversation",
    "EmailStatus",
    "Event",
    "Feedback",
    "Handoff",
    "HandoffReason",
    "HandoffStatus",
    "KnowledgeBaseState",
    "LoginAttempt",
    "Message",
    "Note",
    "OutboundEmail",
    "Priority",
    "ReplyTarget",
    "RecoveryCode",
    "Revision",
    "SurveyResponse",
    "Tag",
    "User",
    "UTCDateTime",
    "utcnow",
]
