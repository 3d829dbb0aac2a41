"""Database models: the database is the source of truth.

One module per area: `content` (articles, the indexes' source), `staff` (accounts), `support`
(conversations, handoffs, votes, surveys and the `Event` log), `saved_replies` (agents' macros).
Everything is importable from here.
"""

from .base import MAX_ID, Base, UTCDateTime, utcnow
from .content import ARTICLE_STATUSES, Article, Category, Chunk, KnowledgeBaseState, Revision
from .saved_replies import SavedReply, SavedReplyUse
from .staff import ROLES, ApiToken, LoginAttempt, RecoveryCode, User
from .support import (
    CES_CHOICES,
    EMAIL_STATUSES,
    HANDOFF_REASONS,
    HANDOFF_STATUSES,
    RESOLUTION_REASONS,
    SURVEY_KINDS,
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
    SurveyResponse,
)

__all__ = [
    "ARTICLE_STATUSES",
    "CES_CHOICES",
    "EMAIL_STATUSES",
    "HANDOFF_REASONS",
    "HANDOFF_STATUSES",
    "MAX_ID",
    "RESOLUTION_REASONS",
    "ROLES",
    "SURVEY_KINDS",
    "ApiToken",
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
    "RecoveryCode",
    "Revision",
    "SavedReply",
    "SavedReplyUse",
    "SurveyResponse",
    "User",
    "UTCDateTime",
    "utcnow",
]
