"""The list of articles editors work from: search, filters, helpful rate and who edited what last.

The helpful rate counts both kinds of votes an article earns: "was this
article helpful?" on its page, and the votes on bot answers that cited it.
Filtering and sorting by it happen in Python over the rows the database
filters selected: help centers hold hundreds to a few thousand articles.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, load_only, selectinload

from ..errors import InvalidInput
from ..models import ARTICLE_STATUSES, Article, Category, Feedback, Message, Revision, User
from ..text import whole_number

EDITED_WITHIN_DAYS = (7, 30, 90)
# band -> (lowest rate included, highest rate excluded); "unrated" is the articles without votes
HELPFUL_BANDS = {"under-50": (0.0, 0.5), "under-80": (0.0, 0.8), "80-plus": (0.8, 1.01)}
HELPFUL_CHOICES = (*HELPFUL_BANDS, "unrated")
SORTS = (
    "edited",
    "oldest",
    "title",
    "helpful",
)  # newest edit first, oldest edit first, A-Z, least helpful first
PER_PAGE = 50
MAX_PER_PAGE = 200
MAX_PAGE = 10**6
MAX_QUERY_CHARS = 200  # longer search text is cut (from a form) or refused (from a script)
MAX_CATEGORY_CHARS = 200  # a category slug's longest
MAX_LOCALE_CHARS = 35


@dataclass(frozen=True)
class Filters:
    query: str = ""  # words in the title or body
    category: str | None = None  # a category slug
    status: str | None = None
    locale: str | None = None
    helpful: str | None = None  # one of HELPFUL_CHOICES
    edited_within: int | None = None  # days
    sort: str = "edited"
    page: int = 1
    per_page: int = PER_PAGE

    @classmethod
    def from_args(cls, args, exact=False):
        """Filters from query parameters (a mapping of strings); InvalidInput names a bad parameter.

        A form (`exact` False) sends every field, an empty one meaning "any", and may pad values with
        spaces. A script (`exact` True: the staff API) leaves out what it does not filter on: each value
        is taken as sent, so an empty or padded choice is refused, as is text over its length.
        """

        def text(name, longest=None):
            value = args.get(name)
            if value is None:
                return None
            if exact and longest is not None and len(value) > longest:
                raise InvalidInput(name, f"must be at most {longest} characters")
            return value if exact else value.strip()

        def choice(name, allowed):
            value = text(name)
            if not exact:
                value = value or None
            if value is not None and value not in allowed:
                raise InvalidInput(name, f"must be one of {', '.join(map(str, allowed))}")
            return value

        def number(name, default, low, high):
            value = text(name)
            if value is None or (not value and not exact):
                return default
            number = whole_number(value)
            if number is None or not low <= number <= high:
                raise InvalidInput(name, f"must be a whole number from {low} to {high}")
            return number

        within = choice("edited_within", tuple(map(str, EDITED_WITHIN_DAYS)))
        return cls(
            query=" ".join((text("q", MAX_QUERY_CHARS) or "").split())[:MAX_QUERY_CHARS],
            category=(text("category", MAX_CATEGORY_CHARS) or "").strip() or None,
            status=choice("status", ARTICLE_STATUSES),
            locale=(text("locale", MAX_LOCALE_CHARS) or "").strip() or None,
            helpful=choice("helpful", HELPFUL_CHOICES),
            edited_within=int(within) if within else None,
            sort=choice("sort", SORTS) or "edited",
            page=number("page", 1, 1, MAX_PAGE),
            per_page=number("per_page", PER_PAGE, 1, MAX_PER_PAGE),
        )


@dataclass(frozen=True)
class Votes:
    helpful: int = 0
    total: int = 0

    @property
    def rate(self):
        """Share of helpful votes in [0, 1]; None without votes."""
        return self.helpful / self.total if self.total else None


@dataclass(frozen=True)
class Row:
    article: Article
    votes: Votes
    revision: int  # the current revision's number
    edited_at: datetime
    edited_by: str | None  # the author's name or email; None for `kbbot sync`


@dataclass(frozen=True)
class Listing:
    rows: list[Row]  # this page's
    total: int  # rows matching the filters, on all pages
    page: int
    per_page: int

    @property
    def pages(self):
        return max(1, -(-self.total // self.per_page))


def in_band(votes: Votes, band):
    """Whether `votes` fall in a helpful band of HELPFUL_CHOICES (None: every article does)."""
    if band is None:
        return True
    if band == "unrated":
        return votes.total == 0
    low, high = HELPFUL_BANDS[band]
    return votes.rate is not None and low <= votes.rate < high


def sort_key(sort):
    """The key `sorted` orders rows by for `sort` (ascending; "edited" is then reversed by the caller)."""
    if sort == "title":
        return lambda row: row.article.title.casefold()
    if sort == "helpful":  # least helpful first, then the most voted; unrated last
        return lambda row: (row.votes.rate is None, row.votes.rate or 0.0, -row.votes.total)
    return lambda row: (row.edited_at, row.article.id)


def votes_by_article(session: Session):
    """{article id: Votes} over article votes and votes on bot answers that cited the article."""
    helpful = func.sum(case((Feedback.helpful, 1), else_=0))
    counts = {}
    on_articles = select(Feedback.article_id, helpful, func.count(Feedback.id)).where(
        Feedback.article_id.is_not(None)
    )
    on_answers = (
        select(Message.article_id, helpful, func.count(Feedback.id))
        .join(Message, Feedback.message_id == Message.id)
        .where(Message.article_id.is_not(None))
    )
    for query, column in ((on_articles, Feedback.article_id), (on_answers, Message.article_id)):
        for article_id, yes, total in session.execute(query.group_by(column)):
            before = counts.get(article_id, Votes())
            counts[article_id] = Votes(before.helpful + int(yes or 0), before.total + total)
    return counts


def latest_revisions(session: Session, article_ids):
    """{article id: (number, saved at, author name or email or None)} of each article's current revision."""
    if not article_ids:
        return {}
    newest = (
        select(Revision.article_id, func.max(Revision.number).label("number"))
        .where(Revision.article_id.in_(article_ids))
        .group_by(Revision.article_id)
        .subquery()
    )
    rows = session.execute(
        select(Revision.article_id, Revision.number, Revision.created_at, User.name, User.email)
        .join(newest, and_(Revision.article_id == newest.c.article_id, Revision.number == newest.c.number))
        .outerjoin(User, Revision.author_id == User.id)
    )
    return {article_id: (number, at, name or email) for article_id, number, at, name, email in rows}


def list_articles(session: Session, filters: Filters, now: datetime):
    """The page of articles `filters` select, with their votes and last edit."""
    query = select(Article).options(
        load_only(
            Article.slug,
            Article.title,
            Article.status,
            Article.locale,
            Article.updated_at,
            Article.source_path,
            Article.category_id,
        ),
        selectinload(Article.category),
    )
    if filters.query:
        query = query.where(
            Article.title.icontains(filters.query, autoescape=True)
            | Article.body.icontains(filters.query, autoescape=True)
        )
    if filters.category:
        query = query.join(Category).where(Category.slug == filters.category)
    if filters.status:
        query = query.where(Article.status == filters.status)
    if filters.locale:
        query = query.where(Article.locale == filters.locale)
    if filters.edited_within:
        query = query.where(Article.updated_at >= now - timedelta(days=filters.edited_within))
    articles = session.execute(query).scalars().all()
    votes = votes_by_article(session)
    latest = latest_revisions(session, [article.id for article in articles])
    rows = []
    for article in articles:
        article_votes = votes.get(article.id, Votes())
        if not in_band(article_votes, filters.helpful):
            continue
        number, edited_at, edited_by = latest.get(article.id, (0, article.updated_at, None))
        rows.append(Row(article, article_votes, number, edited_at, edited_by))
    rows.sort(key=sort_key(filters.sort), reverse=filters.sort == "edited")
    start = (filters.page - 1) * filters.per_page
    return Listing(rows[start : start + filters.per_page], len(rows), filters.page, filters.per_page)


def locales(session: Session):
    """Every locale some article is written in, sorted."""
    return session.execute(select(Article.locale).distinct().order_by(Article.locale)).scalars().all()
