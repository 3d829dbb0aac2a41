"""Writing the database's articles back to Markdown files with YAML front matter.

The inverse of `kbbot sync`: exporting and syncing the result changes
nothing, so articles edited in kbbot can go back into a repository. An
article keeps the path it was imported from; others go to
`<category-slug>/<slug>.md`. Drafts are exported too (`status: draft`), so
nothing is lost.
"""

from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from .articles import ArticleSource, source_of
from .files import write_atomically
from .models import Article
from .text import slugify


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
    folder = slugify(article.category.name) if article.category else "uncategorized"
    return Path(folder) / f"{article.slug}.md"


def export_directory(session: Session, directory: Path):
    """Write every article under `directory`; returns the relative paths written, sorted."""
    directory = Path(directory)
    articles = session.execute(select(Article).options(selectinload(Article.category))).scalars()
    written = []
    for article in articles:
        relative = export_path(article)
        target = (directory / relative).resolve()
        if directory.resolve() not in target.parents:  # a stored path never escapes the directory
            relative = Path("uncategorized") / f"{article.slug}.md"
            target = directory / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(target, article_text(source_of(article)).encode("utf-8"))
        written.append(relative.as_posix())
    return sorted(written)
