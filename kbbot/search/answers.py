"""What the engine answers with: the `Answer` to a question, its `Source`s, and the `Choice`s it
offers when it is unsure. Pure: the engine passes in the articles, outlines and probabilities."""

from dataclasses import dataclass, field

import numpy as np

from . import confidence, sections

MAX_CHOICES = 3  # the articles, or sections of one, offered when the bot is unsure


@dataclass
class Source:
    """An article offered to the customer, with the passage that matched best."""

    article_id: int
    slug: str
    title: str
    snippet: str  # the text of the entry that matched best, code fences left out
    entry_id: int  # the entry `snippet` is the text of
    heading_path: tuple[str, ...]
    score: float  # fused retrieval score normalized to [0, 1] relative to the best article
    confidence: float  # in [0, 1]: that this article answers the question (`confidence.hit_confidences`)
    dense_score: float
    lexical_score: float
    revision_id: int | None


@dataclass(frozen=True)
class Choice:
    """A section offered for the customer to pick when the bot is unsure: of which article (each
    article's best section), or of which section of the article it is sure of."""

    article_id: int
    slug: str
    title: str  # the article's
    section: str  # the section's heading ("" for the introduction)
    anchor: str  # the heading's id on the article page ("" for the introduction)
    revision_id: int | None
    probability: float  # in [0, 1]: the article's or the section's, as it was chosen by


@dataclass
class Answer:
    """The engine's decision for one question."""

    question: str
    action: confidence.Action
    confidence: float  # in [0, 1]: that the top article answers the question
    answer: str  # Markdown: the section that answers, quoted from the article ("" unless action is "answer")
    # In [0, 1]: that the sections answered from (or the best one) hold the answer.
    section_confidence: float = 0.0
    section: str = ""  # the heading of the (first) section answered from, or of the best when not answering
    anchor: str = ""  # its id on the article page ("" for the introduction)
    sections: tuple[str, ...] = ()  # the headings answered from: one section, or two neighbours
    corrected_question: str | None = None  # what was searched for, when misspelt words were corrected
    sources: list[Source] = field(default_factory=list)
    choices: list[Choice] = field(default_factory=list)  # with `suggest`: what the customer picks from
    ranked_slugs: list[str] = field(default_factory=list)  # top 10, before the relevance cut
    evidence: confidence.Evidence | None = None
    latency_ms: float = 0.0


def picked(text, heading, anchor, source):
    """The `Answer` with section `anchor` (its `heading` and quoted `text`) of the article of `source`,
    which the customer picked from the choices offered: sure of both, as the customer chose them."""
    return Answer(
        question="",
        action=confidence.Action.ANSWER,
        confidence=1.0,
        answer=text,
        section_confidence=1.0,
        section=heading,
        anchor=anchor,
        sources=[source],
    )


def section_choices(article, outline, probabilities):
    """The article's most likely sections, best first: "Which of these?".

    `article`: its `knowledge_base.ArticleInfo`; `probabilities`: one per section of `outline`, in [0, 1].
    """
    order = np.argsort(-probabilities, kind="stable")[:MAX_CHOICES]
    return [
        Choice(
            article.id,
            article.slug,
            article.title,
            outline.sections[i].heading,
            outline.sections[i].anchor,
            article.revision_id,
            round(float(probabilities[i]), 4),
        )
        for i in order
    ]


def article_choices(candidates, article_confidence):
    """The likeliest articles and sections to pick from (`sections.article_choices`), best first.

    `candidates`: (hit, article, outline, section probabilities, sections best first) of the top
    articles, best first; outline and probabilities are None for an article without sections. A
    choice's probability: its article's (the top one's `article_confidence`; the rest shared among
    the others by relevance) times its section's within the article.
    """
    others = sum(candidate[0].score for candidate in candidates[1:]) or 1.0
    choices = []
    for position, section in sections.article_choices([c[4] for c in candidates], MAX_CHOICES):
        hit, article, outline, probabilities, _ = candidates[position]
        chosen = outline.sections[section] if section is not None else None
        share = article_confidence if position == 0 else (1 - article_confidence) * hit.score / others
        choices.append(
            Choice(
                article.id,
                article.slug,
                article.title,
                chosen.heading if chosen else "",
                chosen.anchor if chosen else "",
                article.revision_id,
                round(float(share * (probabilities[section] if chosen else 1.0)), 4),
            )
        )
    return choices
