"""Import a directory of Markdown articles into the database, idempotently.

New slugs are created, changed ones get a new revision, unchanged ones are left
alone, and articles whose file disappeared, or now gives another slug, are
unpublished (never deleted).
A bad file is reported with its path and the problem; the rest still imports.

An article edited in the staff editor since its last import keeps those
edits while its file stays as it was then; once the file changes, the file
wins (the web edits remain in the article's history, and the report says so).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import db
from ..errors import ArticleError
from ..models import Article
from .source import joined_category, read_article_file, save_article, unpublish_article

# A README in the articles directory documents it; it is not an article.
IGNORED_NAMES = {"readme.md"}


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    unpublished: list[str] = field(default_factory=list)
    kept_web_edits: list[str] = field(default_factory=list)
    errors: list[ArticleError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self):
        return bool(self.created or self.updated or self.unpublished)


SYNC_NOTE = "sync"


def last_import(article: Article):
    """The newest revision `kbbot sync` made of the article (an import or an unpublishing), if any.

    Staff edits always have an author, whatever their note says; sync's have none.
    """
    return next(
        (r for r in reversed(article.revisions) if r.author_id is None and r.note.startswith(SYNC_NOTE)), None
    )


def article_files(directory: Path):
    """Markdown files under `directory`, sorted, skipping hidden folders and READMEs."""
    return sorted(
        path
        for path in directory.rglob("*.md")
        if path.is_file()
        and path.name.lower() not in IGNORED_NAMES
        and not any(part.startswith(".") for part in path.relative_to(directory).parts)
    )


def sync_directory(session: Session, directory: Path, max_bytes: int) -> SyncReport:
    """Import every article file under `directory`; commits and returns what happened."""
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"articles directory not found: {directory}")
    report = SyncReport()
    files = article_files(directory)
    relative_paths = {path: path.relative_to(directory).as_posix() for path in files}
    sources_by_slug = _read_sources(files, relative_paths, max_bytes, report)

    stored = {article.slug: article for article in session.execute(select(Article)).scalars()}
    for slug, found in sorted(sources_by_slug.items()):
        if len(found) > 1:
            names = ", ".join(relative_paths[path] for path, _ in found)
            for path, _ in found:
                report.errors.append(
                    ArticleError(
                        relative_paths[path], f"duplicate slug '{slug}' (also in: {names}); none imported"
                    )
                )
            continue
        path, source = found[0]
        _import_source(session, source, stored.get(slug), relative_paths[path], report)

    _unpublish_missing(session, sources_by_slug, set(relative_paths.values()), report)
    if report.changed:
        db.bump_generation(session)
    session.commit()
    return report


def _read_sources(files, relative_paths, max_bytes, report):
    """{slug: [(path, `ArticleSource`)]} of the readable `files`; what cannot be read is reported."""
    sources_by_slug = defaultdict(list)
    for path in files:
        try:
            source = read_article_file(path, max_bytes)
        except ArticleError as e:
            report.errors.append(ArticleError(relative_paths[path], e.message))
            continue
        report.warnings.extend(f"{relative_paths[path]}: {w}" for w in source.warnings)
        sources_by_slug[source.slug].append((path, source))
    return sources_by_slug


def _import_source(session, source, existing, relative_path, report):
    """Import one article file's `source` over the `existing` article of its slug (None: new), unless
    the file is as last imported and the article was edited on the web since."""
    slug = source.slug
    last_synced = last_import(existing) if existing and existing.content_hash != source.content_hash else None
    if last_synced is not None:
        if last_synced.content_hash == source.content_hash:
            report.kept_web_edits.append(slug)  # the file is as last imported; the web edits stand
            return
        if existing.current_revision is not last_synced:
            report.warnings.append(
                f"{relative_path}: the file changed, so it replaces the edits made in the editor "
                f"since the last sync (they stay in the article's history)"
            )
    joined = joined_category(session, source.category)
    outcome = save_article(session, source, note=SYNC_NOTE, source_path=relative_path)
    getattr(report, outcome).append(slug)
    if joined is not None and outcome != "unchanged":
        report.warnings.append(
            f"{relative_path}: category '{source.category}' has the same address as the category "
            f"'{joined.name}' (/categories/{joined.slug}), so the article is shown in '{joined.name}'"
        )


def _unpublish_missing(session, sources_by_slug, present, report):
    """Unpublish the imported articles whose slug no file gives now (`sources_by_slug`): their file
    was removed, or, if still `present` (the relative paths found), gives another slug."""
    # A file that could not be read this time unpublishes nothing: bad input loses no article.
    unreadable = {error.path for error in report.errors}
    imported = session.execute(select(Article).where(Article.source_path.is_not(None))).scalars()
    for article in imported:
        if article.slug in sources_by_slug or article.source_path in unreadable:
            continue
        if article.status == "published":
            why = "now has another slug" if article.source_path in present else "removed"
            unpublish_article(article, note=f"{SYNC_NOTE}: source file {article.source_path} {why}")
            report.unpublished.append(article.slug)
