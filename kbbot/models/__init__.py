"""Database models: the database is the source of truth.

One module per area: `content` (articles, the indexes' source), `staff` (accounts), `support`
(conversations, handoffs, votes, surveys and the `Event` log), `presence` (who is at work, and typing).
Everything is importable from here.
"""

from .base import MAX_ID, Base, UTCDateTime, utcnow
from .content import ARTICLE_STATUSES, Article, Category, Chunk, KnowledgeBaseState, Revision
from .presence import PRESENCE_CHOICES, AgentPresence, CustomerTyping
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
    "PRESENCE_CHOICES",
    "AgentPresence",
    "CustomerTyping",
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
    "SurveyResponse",
    "User",
    "UTCDateTime",
    "utcnow",
]
