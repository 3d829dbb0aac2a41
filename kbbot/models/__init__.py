"""Database models: the database is the source of truth.

One module per area: `content` (articles, the indexes' source), `staff` (accounts), `support`
(conversations, handoffs, votes, surveys and the `Event` log), `saved_replies` (agents' macros),
`presence` (who is at work, and typing), `reading` (how far each agent has read a handoff),
`embeddings` (stored question embeddings), `facts` (each conversation's outcome facts, for the reports).
Everything is importable from here.
"""

from .base import MAX_ID, Base, UTCDateTime, utcnow
from .content import ARTICLE_STATUSES, Article, Category, Chunk, KnowledgeBaseState, Revision
from .embeddings import QuestionEmbedding
from .facts import OutcomeFacts
from .presence import PRESENCE_CHOICES, AgentPresence, CustomerTyping
from .reading import ReadMark
from .saved_replies import SavedReply, SavedReplyUse
from .staff import ROLES, ApiToken, LoginAttempt, RecoveryCode, User
from .support import (
    CES_CHOICES,
    EMAIL_STATUSES,
    HANDOFF_REASONS,
    HANDOFF_STATUSES,
    INBOUND_STATUSES,
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
    InboundEmail,
    InboundStatus,
    Message,
    Note,
    OutboundEmail,
    Priority,
    ReplyTarget,
    SurveyResponse,
    Tag,
    handoff_tags,
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
    "INBOUND_STATUSES",
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
    "InboundEmail",
    "InboundStatus",
    "KnowledgeBaseState",
    "LoginAttempt",
    "Message",
    "Note",
    "OutcomeFacts",
    "OutboundEmail",
    "Priority",
    "QuestionEmbedding",
    "ReadMark",
    "ReplyTarget",
    "RecoveryCode",
    "Revision",
    "SavedReply",
    "SavedReplyUse",
    "SurveyResponse",
    "Tag",
    "User",
    "UTCDateTime",
    "handoff_tags",
    "utcnow",
]
