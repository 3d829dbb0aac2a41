"""The commands of the `kbbot` command line: init, sync, export, index, search, ask, eval, report, user,
token, mail, erase, purge, backup, restore, serve."""

import json
import math
import sys
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select
from werkzeug.serving import WSGIRequestHandler

from . import backup, reports
from .accounts import auth, two_factor, users
from .articles import export
from .articles.sync import sync_directory
from .errors import IndexNotSaved, KbbotError
from .models import Article, EmailStatus, OutboundEmail
from .search import evaluation
from .support import mail, privacy
from .web import services
from .web.session import get_session


@click.command("init")
@with_appcontext
def init_command():
    """Create or migrate the database (done on every start, too)."""
    engine = current_app.extensions["kbbot.engine"]
    session = get_session()
    articles = session.execute(select(func.count(Article.id))).scalar_one()
    click.echo(f"Database ready: {engine.url.render_as_string(hide_password=True)} ({articles} articles)")


@click.command("sync")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def sync_command(directory):
    """Import the Markdown articles under DIRECTORY into the database."""
    try:
        report = sync_directory(get_session(), directory, current_app.config["MAX_ARTICLE_BYTES"])
    except FileNotFoundError as e:
        raise click.ClickException(str(e)) from e
    for label in ("created", "updated", "unpublished", "kept_web_edits"):
        for slug in getattr(report, label):
            click.echo(f"{label.replace('_', ' '):>14}  {slug}")
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    for error in report.errors:
        click.echo(f"error: {error}", err=True)
    click.echo(
        f"{len(report.created)} created, {len(report.updated)} updated, {len(report.unchanged)} unchanged, "
        f"{len(report.unpublished)} unpublished, {len(report.kept_web_edits)} kept with web edits, "
        f"{len(report.errors)} errors"
    )
    if report.errors:
        sys.exit(1)


@click.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def export_command(directory):
    """Write every article (drafts too) to DIRECTORY as Markdown; `kbbot sync DIRECTORY` reads it back unchanged."""
    report = export.export_directory(get_session(), directory)
    for error in report.errors:
        click.echo(f"error: {error}", err=True)
    click.echo(f"{len(report.written)} articles written to {directory}, {len(report.errors)} errors")
    if report.errors:
        sys.exit(1)


@click.command("index")
@click.option("--full", is_flag=True, help="Re-embed every entry instead of only the changed ones.")
@with_appcontext
def index_command(full):
    """Bring the search index in line with the published articles."""
    session = get_session()
    try:
        counts = services.get_engine().refresh(session, full=full, show_progress=True)
    except IndexNotSaved as e:
        raise click.ClickException(str(e)) from e
    click.echo(
        f"{counts.added} added, {counts.updated} updated, {counts.removed} removed, "
        f"{counts.unchanged} unchanged ({counts.embedded} entries embedded)"
    )


@click.command("search")
@click.argument("query")
@click.option("--limit", default=10, show_default=True, help="How many articles to list.")
@with_appcontext
def search_command(query, limit):
    """List the articles that best match QUERY with their scores; no search floor, to see where it falls."""
    _, sources = services.get_engine().search(get_session(), query, limit=limit)
    if not sources:
        click.echo("No matching articles.")
    for rank, source in enumerate(sources, start=1):
        click.echo(
            f"{rank:>2}. {source.slug}  score={source.score:.3f} confidence={source.confidence:.3f} "
            f"dense={source.dense_score:.3f} bm25={source.lexical_score:.2f}  {source.title}"
        )


@click.command("ask")
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
@with_appcontext
def ask_command(question, as_json):
    """Answer QUESTION: the decision, the answer passage, sources and confidence."""
    answer = services.get_engine().ask(get_session(), question)
    if as_json:
        click.echo(json.dumps(asdict(answer), indent=2, ensure_ascii=False, default=list))
        return
    click.echo(
        f"action: {answer.action}  article confidence: {answer.confidence:.3f}  "
        f"section confidence: {answer.section_confidence:.3f}"
    )
    if answer.corrected_question:
        click.echo(f"searched for: {answer.corrected_question}")
    if answer.sources:
        click.echo(f"section: {answer.section or '(introduction)'}")
    if answer.answer:
        click.echo(f"\n{answer.answer}\n")
    if answer.choices:
        click.echo("\nWhich of these?")
        for choice in answer.choices:
            click.echo(f"* {choice.title} › {choice.section or '(introduction)'}  ({choice.probability:.3f})")
        click.echo("")
    for source in answer.sources:
        click.echo(f"- {source.title} ({source.slug}, score {source.score:.3f})")


@click.command("eval")
@click.argument("queries", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON.")
@with_appcontext
def eval_command(queries, as_json):
    """Measure answer quality on QUERIES.jsonl ({"query", "expected": [slugs]} per line)."""
    try:
        questions = evaluation.read_questions(queries)
    except KbbotError as e:
        raise click.ClickException(str(e)) from e
    engine = services.get_engine()
    result = evaluation.report(evaluation.evaluate(engine, get_session(), questions))
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=2))
        return
    click.echo(f"questions: {result.covered} covered, {result.uncovered} uncovered")
    rows = [
        ("precision@1", result.precision_at_1),
        ("MRR@10", result.mrr_at_10),
        ("recall@5", result.recall_at_5),
        ("AUROC (confidence)", result.auroc),
        ("answers with the fact", result.answers_with_the_fact),
        ("wrong answers (of all)", result.wrong_answers),
        ("covered resolved", result.resolved_covered),
        ("section accuracy", result.section_accuracy),
        ("uncovered answered", result.uncovered_answered),
        ("covered: answered", result.answer_rate_covered),
        ("covered: suggested", result.suggest_rate_covered),
        ("covered: handed off", result.handoff_rate_covered),
        ("uncovered: suggested", result.suggest_rate_uncovered),
        ("uncovered: handed off", result.handoff_rate_uncovered),
    ]
    for label, value in rows:
        if not math.isnan(value):  # undefined where the set has no question to measure it on
            click.echo(f"{label:<26}{value:.3f}")
    click.echo(f"{'latency p50 / p95':<26}{result.latency_p50_ms:.1f} / {result.latency_p95_ms:.1f} ms")


@click.command("report")
@click.option(
    "--since",
    type=click.DateTime(["%Y-%m-%d"]),
    help="First day (UTC). [default: the last 30 days, today included]",
)
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Last day (UTC), included. [default: today]")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@with_appcontext
def report_command(since, until, as_json):
    """Deflection and customer-experience figures for a period (definitions: docs/metrics.md)."""
    today = datetime.now(UTC).date()
    first = since.date() if since else today - timedelta(days=reports.DEFAULT_PERIOD_DAYS - 1)
    last = until.date() if until else today
    for day, option in ((first, "'--since'"), (last, "'--until'")):
        if problem := reports.day_out_of_range(day):
            raise click.BadParameter(problem, param_hint=option)
    if last < first:
        raise click.BadParameter(f"{last} is before the first day, {first}", param_hint="'--until'")
    session = get_session()
    result = reports.build_report(
        session,
        *reports.days(first, last),
        reports.ReportSettings.from_config(current_app.config),
        # The model is loaded only when there are content gaps to group.
        encode=lambda texts: services.get_engine().encoder.encode(texts),
    )
    result = reports.with_current_answers(
        result, lambda question: services.answering_article(session, question)
    )
    click.echo(json.dumps(result.as_dict(), indent=2, ensure_ascii=False) if as_json else result.as_text())


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def serve_command(host, port):
    """Start the development server (first start imports the sample articles)."""
    services.prepare_to_serve(get_session())
    engine = services.get_engine()
    click.echo(f"{engine.article_count()} published articles indexed; serving on http://{host}:{port}/")
    current_app.run(host=host, port=port, use_reloader=False, request_handler=DevRequestHandler)


class DevRequestHandler(WSGIRequestHandler):
    """The development server's request handler, whose Server header names no versions."""

    def version_string(self):
        return "kbbot"


def _read_password(from_stdin):
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@click.group("user")
def user_group():
    """Staff accounts."""


@user_group.command("create")
@click.argument("email")
@click.option(
    "--role", "roles", multiple=True, required=True, help="admin, editor or agent (repeat for several)."
)
@click.option("--name", default="", help="Display name shown to customers in agent replies.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (for scripts).")
@with_appcontext
def user_create_command(email, roles, name, password_stdin):
    """Create a staff user; the password is asked for (or read from stdin)."""
    password = _read_password(password_stdin)
    try:
        user = users.create_user(get_session(), email, roles, password=password, name=name)
    except KbbotError as e:
        raise click.ClickException(str(e)) from e
    click.echo(f"Created {user.email} ({', '.join(user.roles)})")


def _change_user(email, change):
    """`change(session, user)` for the staff user EMAIL; what the core refuses is the command's error."""
    session = get_session()
    try:
        change(session, users.find_user(session, email))
    except KbbotError as e:
        raise click.ClickException(str(e)) from e


@user_group.command("disable")
@click.argument("email")
@with_appcontext
def user_disable_command(email):
    """Disable the staff user EMAIL: every session ends and the user's API tokens stop working."""
    _change_user(email, auth.disable)
    click.echo(f"Disabled {email}.")


@user_group.command("reset-2fa")
@click.argument("email")
@with_appcontext
def user_reset_2fa_command(email):
    """Remove the second factor of the staff user EMAIL (a lost phone): every session of theirs ends, and
    they set it up again at their next sign-in."""
    _change_user(email, two_factor.reset)
    click.echo(f"Two-factor sign-in of {email} reset; their sessions ended.")


@user_group.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (for scripts).")
@with_appcontext
def user_set_password_command(email, password_stdin):
    """Give the staff user EMAIL a new password (asked for, or read from stdin): every session of theirs
    ends and their API tokens are revoked."""
    session = get_session()
    try:
        user = users.find_user(session, email)
    except KbbotError as e:
        raise click.ClickException(str(e)) from e
    password = _read_password(password_stdin)
    try:
        auth.replace_password(session, user, password)
    except KbbotError as e:
        raise click.ClickException(str(e)) from e
    click.echo(f"Password of {email} changed; their sessions ended and their API tokens were revoked.")


@click.group("token")
def token_group():
    """API tokens for the staff API."""


@token_group.command("create")
@click.argument("email")
@click.option("--name", required=True, help="What the token is for, e.g. 'CMS sync'.")
@click.option(
    "--expires-in-days", type=click.IntRange(min=1), help="Days until it stops working. [default: never]"
)
@with_appcontext
def token_create_command(email, name, expires_in_days):
    """Create an API token for the user EMAIL; it is printed once and never stored in clear."""
    session = get_session()
    expires_at = datetime.now(UTC) + timedelta(days=expires_in_days) if expires_in_days else None
    try:
        token, record = users.create_token(
            session, users.find_user(session, email), name, expires_at=expires_at
        )
    except KbbotError as e:
        raise click.ClickException(str(e)) from e
    click.echo(f"Token {record.id} for {email} ({name}); store it now, it will not be shown again:", err=True)
    click.echo(token)


@token_group.command("revoke")
@click.argument("token_id", type=int)
@with_appcontext
def token_revoke_command(token_id):
    """Revoke the API token with id TOKEN_ID."""
    try:
        users.revoke_token(get_session(), token_id)
    except KbbotError as e:
        raise click.ClickException(str(e)) from e
    click.echo(f"Token {token_id} revoked.")


@click.command("mail")
@click.option("--all", "every", is_flag=True, help="Try every queued email now, not only those due.")
@with_appcontext
def mail_command(every):
    """Try the agent replies queued for email (each serving process also does, every 30 s)."""
    settings = services.mail_settings()
    if settings is None:
        raise click.ClickException("this app sends no email: set KBBOT_SMTP_URL and KBBOT_MAIL_FROM")
    session = get_session()
    due_by = datetime(9999, 12, 31, tzinfo=UTC) if every else None
    outcomes = mail.deliver_due(session, settings, due_by=due_by, limit=None)
    pending = session.scalar(
        select(func.count(OutboundEmail.id)).where(OutboundEmail.status == EmailStatus.PENDING)
    )
    click.echo(
        f"{outcomes['sent']} sent, {outcomes['retrying']} to try again later, {outcomes['failed']} given up; "
        f"{pending} waiting in all"
    )


def _report_deletion(session, deleted, dry_run):
    """Commit `deleted` (or roll it back for a dry run) and say what it was."""
    if dry_run:
        session.rollback()
    else:
        session.commit()
    verb = "would delete" if dry_run else "deleted"
    click.echo(
        f"{verb} {deleted.conversations} conversations (with their messages, handoffs, notes, surveys "
        f"and queued emails), {deleted.events} events, {deleted.votes} votes"
    )


@click.command("erase")
@click.option("--email", help="The address the customer left in a handoff.")
@click.option("--visitor", "visitor_ids", multiple=True, help="A visitor id (repeat for several).")
@click.option("--dry-run", is_flag=True, help="Say what would be deleted; delete nothing.")
@with_appcontext
def erase_command(email, visitor_ids, dry_run):
    """Delete everything kept about a customer: their conversations, visits and votes (docs/privacy.md)."""
    if not email and not visitor_ids:
        raise click.UsageError("name the customer: --email ADDRESS or --visitor ID")
    session = get_session()
    visitors = set(visitor_ids) | (privacy.visitors_with_email(session, email) if email else set())
    if email and not visitors - set(visitor_ids):
        click.echo(f"No handoff was left with {email}.")
    _report_deletion(session, privacy.erase_visitors(session, visitors), dry_run)


@click.command("purge")
@click.option("--older-than", "days", type=click.IntRange(min=1), required=True, help="Days to keep.")
@click.option("--dry-run", is_flag=True, help="Say what would be deleted; delete nothing.")
@with_appcontext
def purge_command(days, dry_run):
    """Delete conversations, visit events and votes older than DAYS (a customer waiting on a handoff keeps all)."""
    session = get_session()
    cutoff = datetime.now(UTC) - timedelta(days=days)
    _report_deletion(session, privacy.purge_before(session, cutoff), dry_run)


@click.command("backup")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def backup_command(directory):
    """Back up the database, the index and the secret key into DIRECTORY (new or empty), while serving."""
    config = current_app.config
    try:
        manifest = backup.backup(
            config["DATABASE_URL"], config["INDEX_DIR"], config["INSTANCE_PATH"], directory
        )
    except KbbotError as e:
        raise click.ClickException(str(e)) from e
    click.echo(f"Backed up the {manifest['database']} database and the index into {directory}")


@click.command("restore")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(directory, yes):
    """Replace the database and the index with the backup in DIRECTORY (stop the app first)."""
    config = current_app.config
    engine = current_app.extensions["kbbot.engine"]
    if not yes:
        click.confirm(
            f"Replace the database {engine.url.render_as_string(hide_password=True)} and the index in "
            f"{config['INDEX_DIR']} with the backup in {directory}?",
            abort=True,
        )
    get_session().close()
    engine.dispose()  # the restore replaces the file or the tables under this process's connections
    try:
        manifest = backup.restore(
            directory, config["DATABASE_URL"], config["INDEX_DIR"], config["INSTANCE_PATH"]
        )
    except KbbotError as e:
        raise click.ClickException(str(e)) from e
    click.echo(f"Restored the backup of {manifest['created_at']} from {directory}")


COMMANDS = (
    init_command,
    sync_command,
    export_command,
    index_command,
    search_command,
    ask_command,
    eval_command,
    report_command,
    user_group,
    token_group,
    mail_command,
    erase_command,
    purge_command,
    backup_command,
    restore_command,
    serve_command,
)


def init_app(app):
    for command in COMMANDS:
        app.cli.add_command(command)
