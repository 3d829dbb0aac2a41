"""The article editor: the list of articles, writing with a live preview, history, conflicts, publishing.

Editors only (and admins). Every save names the revision the editor opened;
when someone saved the article in between, the save is refused with a page
that keeps the editor's text and shows the other person's change
(editing.StaleRevision). Publishing re-indexes this process's engine at once;
other processes follow before their next answer.
"""

from dataclasses import dataclass
from datetime import datetime, timezone

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import Length

from ...articles import cited_answers, diffs, editing
from ...articles import listing as article_listing
from ...articles.source import snapshot, source_of
from ...errors import InvalidInput
from ...models import Category
from ...text import slugify, whole_number
from .. import help_center, security_headers
from ..session import get_session
from .access import role_required
from .forms import StaffForm

bp = Blueprint("articles", __name__, url_prefix="/articles")

ROLE = "editor"
FORM_FIELDS = ("title", "slug", "category", "tags", "questions", "locale", "body", "note")
# The button pressed -> the status the article gets ("save" keeps the current one; a new article is a draft).
ACTIONS = {"save": None, "publish": "published", "unpublish": "draft"}
SAVED = {
    ("draft", "draft"): "Draft saved.",
    ("draft", "published"): "Published: the help center shows it and the bot answers from it now.",
    ("published", "published"): "Changes published: the bot answers from the new text now.",
    (
        "published",
        "draft",
    ): "Unpublished: the article is a draft, off the help center and out of the bot's answers.",
}


class ArticleForm(StaffForm):
    title = StringField("Title", validators=[Length(max=500)])
    slug = StringField(
        "Slug", validators=[Length(max=200)], description="Part of the article's address; fixed once created."
    )
    category = StringField("Category", validators=[Length(max=200)])
    tags = StringField("Tags", validators=[Length(max=2000)], description="Separated by commas.")
    questions = TextAreaField(
        "Alternate questions",
        validators=[Length(max=20000)],
        description="One per line: how customers ask for what this article answers.",
    )
    locale = StringField("Locale", validators=[Length(max=35)], description="A language tag: en, de, pt-BR.")
    body = TextAreaField("Body (Markdown)", validators=[Length(max=500_000)])
    note = StringField("Note for the history", validators=[Length(max=500)], description="Optional.")
    base_revision = HiddenField()

    def fields(self, status):
        """The article fields as `editing.parse` takes them."""
        return {
            "title": self.title.data,
            "slug": (self.slug.data or "").strip() or slugify(self.title.data or ""),
            "category": (self.category.data or "").strip() or None,
            "tags": [tag for tag in (self.tags.data or "").split(",") if tag.strip()],
            "questions": (self.questions.data or "").splitlines(),
            "locale": (self.locale.data or "").strip() or None,
            "status": status,
        }

    def fill(self, source):
        """Show `source` (an ArticleSource) in the form."""
        self.title.data = source.title
        self.slug.data = source.slug
        self.category.data = source.category or ""
        self.tags.data = ", ".join(source.tags)
        self.questions.data = "\n".join(source.questions)
        self.locale.data = source.locale
        self.body.data = source.body

    def show_error(self, error: InvalidInput):
        """Put a validation error next to the field it names (the form keeps every value typed)."""
        field = getattr(self, error.field) if error.field in FORM_FIELDS else self.title
        field.errors = [*field.errors, error.message]


@dataclass(frozen=True)
class PreviewArticle:
    """Unsaved editor text, shaped like the `Article` the public page template reads."""

    slug: str
    title: str
    body: str
    category: Category | None  # not stored: a preview saves nothing
    locale: str
    questions: tuple[str, ...]
    updated_at: datetime


def _article_and_form(article_id):
    """(session, the article `article_id`, an `ArticleForm` of what was posted) for a route that shows or
    changes the article; a POST holds the article's row until commit, so that two saves go one by one."""
    session = get_session()
    return session, editing.get(session, article_id, lock=request.method == "POST"), ArticleForm()


def _base_revision(form):
    number = whole_number((form.base_revision.data or "").strip())
    if number is None:
        abort(400, "the form lacks the revision it was opened at")
    return number


def _categories():
    return get_session().execute(select(Category.name).order_by(Category.name)).scalars().all()


def _after_change(article, was_status, changed):
    if not changed:
        flash("Nothing changed.", "info")
        return
    flash(SAVED[(was_status, article.status)], "info")


@bp.get("/")
@role_required(ROLE)
def index():
    session = get_session()
    try:
        filters = article_listing.Filters.from_args(request.args)
    except InvalidInput as e:
        abort(400, str(e))
    listing = article_listing.list_articles(session, filters, datetime.now(timezone.utc))
    categories = session.execute(select(Category).order_by(Category.name)).scalars().all()
    return render_template(
        "staff/articles/index.html",
        listing=listing,
        filters=filters,
        categories=categories,
        locales=article_listing.locales(session),
        args={key: value for key, value in request.args.items() if key != "page"},
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required(ROLE)
def new():
    """?title=...&question=...&question=... fills in a new article (the content-gap report links here)."""
    form = ArticleForm()
    status = 200
    if request.method == "GET":
        form.title.data = " ".join(request.args.get("title", "").split())[:500]
        form.questions.data = "\n".join(q.strip() for q in request.args.getlist("question") if q.strip())
        form.slug.data = slugify(form.title.data)
        form.locale.data = "en"
    elif form.validate_on_submit():
        target = ACTIONS.get(request.form.get("action")) or "draft"
        try:
            source = editing.parse(form.fields(target), form.body.data, slug=None)
            article = editing.create(get_session(), source, current_user, (form.note.data or "").strip())
        except InvalidInput as e:
            form.show_error(e)
            status = 422
        else:
            _after_change(article, "draft", changed=True)
            return redirect(url_for(".edit", article_id=article.id))
    else:
        status = 422
    page = render_template("staff/articles/edit.html", form=form, article=None, categories=_categories())
    return page, status


@bp.route("/<id:article_id>", methods=["GET", "POST"])
@role_required(ROLE)
def edit(article_id):
    session, article, form = _article_and_form(article_id)
    status, conflict = 200, None
    if request.method == "GET":
        form.fill(source_of(article))
        form.base_revision.data = str(article.current_revision.number)
    elif form.validate_on_submit():
        base = _base_revision(form)
        was_status = article.status
        target = ACTIONS.get(request.form.get("action"), None) or article.status
        try:
            source = editing.parse(form.fields(target), form.body.data, slug=article.slug)
            changed = editing.update(
                session, article, source, base, current_user, (form.note.data or "").strip()
            )
        except editing.StaleRevision:
            conflict = _conflict(article, base, source)
            form.base_revision.data = str(article.current_revision.number)  # saving again goes on top
            status = 409
        except InvalidInput as e:
            form.show_error(e)
            status = 422
        else:
            _after_change(article, was_status, changed)
            return redirect(url_for(".edit", article_id=article.id))
    else:
        status = 422
    page = render_template(
        "staff/articles/edit.html",
        form=form,
        article=article,
        categories=_categories(),
        conflict=conflict,
        outdated=cited_answers.outdated_citations(session, article),
    )
    return page, status


@dataclass(frozen=True)
class ConflictView:
    base: int  # the revision the editor opened
    revisions: list  # the revisions saved since, oldest first
    theirs: diffs.Diff  # what was saved since `base`
    yours: diffs.Diff  # what the editor's version changes compared with the latest


def _conflict(article, base, yours):
    opened = editing.revision(article, base) if 0 < base <= article.current_revision.number else None
    latest = source_of(article)
    theirs = diffs.diff(snapshot(opened, article.slug), latest) if opened else diffs.Diff((), ())
    return ConflictView(
        base=base,
        revisions=[r for r in article.revisions if r.number > base],
        theirs=theirs,
        yours=diffs.diff(latest, yours),
    )


@bp.post("/preview")
@role_required(ROLE)
def preview():
    """The public article page for the editor's unsaved text (CSRF-checked like every staff form)."""
    form = ArticleForm()
    category = (form.category.data or "").strip()
    draft = PreviewArticle(
        slug=(form.slug.data or "").strip() or "preview",
        title=" ".join((form.title.data or "").split()) or "Untitled article",
        body=form.body.data or "",
        category=Category(name=category, slug=slugify(category) or "general") if category else None,
        locale=(form.locale.data or "").strip() or "en",
        questions=tuple(line for line in (form.questions.data or "").splitlines() if line.strip()),
        updated_at=datetime.now(timezone.utc),
    )
    response = make_response(help_center.article_page(draft, canonical_url=None, view=None))
    return security_headers.apply(response, "staff_preview")  # runs nothing: stricter than "staff"


@bp.get("/<id:article_id>/history")
@role_required(ROLE)
def history(article_id):
    """Every revision, newest first, and the diff between any two (?from=N&to=M)."""
    article = editing.get(get_session(), article_id)
    latest = article.current_revision.number
    to_number = request.args.get("to", latest, type=int)
    from_number = request.args.get("from", max(1, to_number - 1), type=int)
    older, newer = editing.revision(article, from_number), editing.revision(article, to_number)
    difference = diffs.diff(snapshot(older, article.slug), snapshot(newer, article.slug))
    return render_template(
        "staff/articles/history.html",
        article=article,
        revisions=list(reversed(article.revisions)),
        older=older,
        newer=newer,
        diff=difference,
    )


@bp.post("/<id:article_id>/revisions/<id:number>/restore")
@role_required(ROLE)
def restore(article_id, number):
    session, article, form = _article_and_form(article_id)
    was_status = article.status
    try:
        changed = editing.restore(session, article, number, _base_revision(form), current_user)
    except editing.StaleRevision as e:
        flash(f"Not restored: {e}. The history below is up to date now.", "error")
        return redirect(url_for(".history", article_id=article.id))
    _after_change(article, was_status, changed)
    if changed:
        flash(f"Revision {number} restored as revision {article.current_revision.number}.", "info")
    return redirect(url_for(".edit", article_id=article.id))


@bp.route("/<id:article_id>/delete", methods=["GET", "POST"])
@role_required(ROLE)
def delete(article_id):
    session, article, form = _article_and_form(article_id)
    if request.method == "POST" and form.validate_on_submit():
        try:
            editing.delete(session, article, _base_revision(form))
        except editing.StaleRevision as e:
            flash(f"Not deleted: {e}.", "error")
            return redirect(url_for(".edit", article_id=article.id))
        flash(f"Article “{article.title}” deleted.", "info")
        return redirect(url_for(".index"))
    return render_template("staff/articles/delete.html", article=article, form=form)
