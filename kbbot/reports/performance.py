"""Article performance: the deflection ledger of a period, one line per article (definitions: docs/metrics.md)."""

from collections import Counter, defaultdict
from dataclasses import dataclass

from .deflection import DEFLECTED
from .facts import as_facts
from .kinds import Rate
from .rates import ratio


@dataclass(frozen=True)
class ArticlePerformance:
    """One article's line in the deflection ledger of a period (definitions: docs/metrics.md)."""

    article_id: int
    slug: str
    title: str
    views: int  # help-center and widget article views
    cited: int  # bot answers citing it
    suggested: int  # bot replies listing it as a source without citing it
    article_votes: int  # votes on the article itself
    article_helpful: int
    answer_votes: int  # votes on the bot answers citing it
    answer_helpful: int
    resolved: int  # deflected conversations with an answer citing it
    reached: int  # visitors who viewed it or were shown it
    contacted: int  # of those, how many asked for a person within the contact window after
    contact_rate: Rate  # contacted / reached, in [0, 1]


def article_performance(conversations, outcomes, activity, window):
    """The deflection ledger: an `ArticlePerformance` per article viewed, shown or voted on; worst first.

    `conversations`: the period's counted conversations (`ConversationFacts` or full records);
    `outcomes`: their outcomes by conversation id; `activity`: the period's article views,
    article votes and handoffs; `window`: how soon after a visitor read or was
    shown an article their handoff counts against it (the edge included).
    Sorted by contact rate (highest first, none last), then by contacts,
    reach and slug.
    """
    handoff_times = defaultdict(list)
    for contact in activity.contacts:
        handoff_times[contact.visitor_id].append(contact.at)
    counts, reached, exposures = _counts_and_exposures(conversations, outcomes, activity, handoff_times)
    rows = [
        _ledger_line(
            article_id, counted, reached[article_id], exposures[article_id], handoff_times, activity, window
        )
        for article_id, counted in counts.items()
    ]
    rows.sort(
        key=lambda row: (
            row.contact_rate is None,
            -(row.contact_rate or 0),
            -row.contacted,
            -row.reached,
            row.slug,
            row.article_id,
        )
    )
    return rows


# An article fails customers when at least this share of the visitors who read it (or were shown it)
# asked for a person soon after, or when fewer than this share of its votes say it helped; judged
# only on at least MIN_EVIDENCE readers or votes, so one unlucky visitor does not flag an article.
FAILING_CONTACT_RATE = 0.25
FAILING_HELPFUL_SHARE = 0.5
MIN_EVIDENCE = 3


def failing_articles(rows, limit=5):
    """The articles of `rows` (`ArticlePerformance`) that fail customers, worst first, at most `limit`.

    Worst: the highest share of readers who then asked for a person, then the most unhelpful votes.
    """
    failing = [row for row in rows if _contact_fails(row) or _votes_fail(row)]
    failing.sort(key=lambda row: (-(row.contact_rate or 0), -_unhelpful(row), row.slug, row.article_id))
    return failing[:limit]


def helpful_share(row):
    """Helpful votes on the article and on the answers citing it, in [0, 1]; None without votes."""
    return ratio(row.article_helpful + row.answer_helpful, row.article_votes + row.answer_votes)


def _contact_fails(row):
    return row.reached >= MIN_EVIDENCE and (row.contact_rate or 0) >= FAILING_CONTACT_RATE


def _votes_fail(row):
    votes = row.article_votes + row.answer_votes
    return votes >= MIN_EVIDENCE and helpful_share(row) < FAILING_HELPFUL_SHARE


def _unhelpful(row):
    return row.article_votes + row.answer_votes - row.article_helpful - row.answer_helpful


def _counts_and_exposures(conversations, outcomes, activity, handoff_times):
    """({article id: Counter of its views, votes, citations, suggestions and resolutions},
    {article id: {visitor id} of those who viewed it or were shown it},
    {article id: [(visitor id, when)] of those views and bot replies whose visitor asked for a person
    (`handoff_times`: {visitor id: when}), the only ones that can count as a contact})."""
    counts, reached, exposures = defaultdict(Counter), defaultdict(set), defaultdict(list)
    for view in activity.views:
        counts[view.article_id]["views"] += 1
        if view.visitor_id and view.occurred_at:
            reached[view.article_id].add(view.visitor_id)
            if view.visitor_id in handoff_times:
                exposures[view.article_id].append((view.visitor_id, view.occurred_at))
    for article_id, helpful in activity.votes:
        counts[article_id]["article_votes"] += 1
        counts[article_id]["article_helpful"] += helpful
    for conversation in map(as_facts, conversations):
        visitor = conversation.visitor_id
        for sent_after, cited, shown, votes, helpful in conversation.shown:
            if cited is not None:
                counted = counts[cited]
                counted["cited"] += 1
                counted["answer_votes"] += votes
                counted["answer_helpful"] += helpful
            for article_id in shown:
                if article_id != cited:
                    counts[article_id]["suggested"] += 1
            if visitor and sent_after is not None:
                for article_id in shown:
                    reached[article_id].add(visitor)
                if visitor in handoff_times:
                    moment = conversation.moment(sent_after)
                    for article_id in shown:
                        exposures[article_id].append((visitor, moment))
        if outcomes[conversation.id] in DEFLECTED:
            for article_id in conversation.answered:
                counts[article_id]["resolved"] += 1
    return counts, reached, exposures


def _ledger_line(article_id, counted, reached, exposures, handoff_times, activity, window):
    """The `ArticlePerformance` of one article from its `counted` figures, the visitors it `reached`
    and the `exposures` of those who asked for a person (`handoff_times`: {visitor id: when})."""
    contacted = {
        visitor
        for visitor, moment in exposures
        if any(moment <= handoff <= moment + window for handoff in handoff_times[visitor])
    }
    slug, title = activity.articles.get(article_id, ("", ""))
    return ArticlePerformance(
        article_id=article_id,
        slug=slug,
        title=title,
        views=counted["views"],
        cited=counted["cited"],
        suggested=counted["suggested"],
        article_votes=counted["article_votes"],
        article_helpful=counted["article_helpful"],
        answer_votes=counted["answer_votes"],
        answer_helpful=counted["answer_helpful"],
        resolved=counted["resolved"],
        reached=len(reached),
        contacted=len(contacted),
        contact_rate=ratio(len(contacted), len(reached)),
    )
