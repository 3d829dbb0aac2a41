"""Writing the database's articles back to Markdown files with YAML front matter.

The inverse of `kbbot sync`: exporting and syncing the result changes
nothing, so articles edited in kbbot can go back into a repository. An
article keeps the path it was imported from; others go to
`<category-slug>/<slug>.md`. Drafts are exported too (`status: draft`), so
nothing is lost. A file that cannot be written is reported with the reason,
and the other articles are still written.
"""

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..errors import ArticleError
from ..files import write_atomically
from ..models import Article
from .source import ArticleSource, category_slug, source_of


def article_text(source: ArticleSource):
    """The Markdown file for `source`: front matter with the fields that differ from the defaults, then the body."""
    fields = {"title": source.title, "slug": source.slug}
    if source.category:
        fields["category"] = source.category
    if source.tags:
        fields["tags"] = list(source.tags)
    if source.questions:
        fields["questions"] = list(source.questions)
    if source.locale != "en":
        fields["locale"] = source.locale
    if source.status != "published":
        fields["status"] = source.status
    header = yaml.safe_dump(fields, sort_keys=False, allow_unicode=True, width=1000)
    return f"---\n{header}---\n{source.body}"


def export_path(article: Article):
    if article.source_path:
        return Path(article.source_path)
    folder = category_slug(article.category.name) if article.category else "uncategorized"
    return Path(folder) / f"{article.slug}.md"


@dataclass
class ExportReport:
    written: list[str] = field(default_factory=list)  # relative paths, sorted
    errors: list[ArticleError] = field(default_factory=list)  # the files that could not be written


def export_directory(session: Session, directory: Path) -> ExportReport:
    """Write every article under `directory`; a file that cannot be written is reported, not fatal."""
    directory = Path(directory)
    articles = session.execute(select(Article).options(selectinload(Article.category))).scalars()
    report = ExportReport()
    for article in articles:
        relative = export_path(article)
        target = (directory / relative).resolve()
        if directory.resolve() not in target.parents:  # a stored path never escapes the directory
            relative = Path("uncategorized") / f"{article.slug}.md"
            target = directory / relative
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(target, article_text(source_of(article)).encode("utf-8"))
        except OSError as e:
            report.errors.append(ArticleError(relative.as_posix(), f"cannot write file: {e.strerror}"))
        else:
            report.written.append(relative.as_posix())
    report.written.sort()
    return report
