"""Running an instance: serve, mail (and mail fetch), erase, purge, backup, restore."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select
from werkzeug.serving import WSGIRequestHandler

from .. import backup
from ..models import EmailStatus, OutboundEmail
from ..support import mail, mailbox, privacy
from ..threads import serving_threads
from ..web import services
from ..web.session import get_session
from .command import Command, Group


@click.command("serve", cls=Command)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def serve_command(host, port):
    """Start the development server (first start imports the sample articles)."""
    services.prepare_to_serve(get_session(), serving_threads(current_app.config["THREADS"], one_process=True))
    engine = services.get_engine()
    click.echo(f"{engine.article_count()} published articles indexed; serving on http://{host}:{port}/")
    current_app.run(host=host, port=port, use_reloader=False, request_handler=DevRequestHandler)


class DevRequestHandler(WSGIRequestHandler):
    """The development server's request handler, whose Server header names no versions."""

    def version_string(self):
        return "kbbot"


@click.group("mail", cls=Group, invoke_without_command=True)
@click.option("--all", "every", is_flag=True, help="Try every queued email now, not only those due.")
@with_appcontext
def mail_command(every):
    """Try the agent replies queued for email (each serving process also does, every 30 s); `kbbot mail
    fetch` reads the customers' answers."""
    if click.get_current_context().invoked_subcommand is not None:
        return
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


@mail_command.command("fetch")
@with_appcontext
def mail_fetch_command():
    """Read the customers' answers from the support mailbox (KBBOT_IMAP_URL) into their conversations
    (each serving process also does, every minute); those in doubt wait in triage (/staff/mail/)."""
    settings = services.mailbox_settings()
    if settings is None:
        raise click.ClickException("this app reads no mailbox: set KBBOT_IMAP_URL")
    outcomes = mailbox.fetch_unless_busy(
        get_session(),
        settings,
        services.reply_addresses(),
        services.mailbox_lock_path(current_app),
        policy=current_app.extensions["kbbot.sla"],
    )
    if outcomes is None:
        click.echo("Another process is reading the mailbox now; nothing read.")
        return
    click.echo(
        f"{outcomes['attached']} attached, {outcomes['triage']} in triage, {outcomes['ignored']} ignored "
        f"(auto-replies, bounces), {outcomes['duplicate']} read before"
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


@click.command("erase", cls=Command)
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


@click.command("purge", cls=Command)
@click.option("--older-than", "days", type=click.IntRange(min=1), required=True, help="Days to keep.")
@click.option("--dry-run", is_flag=True, help="Say what would be deleted; delete nothing.")
@with_appcontext
def purge_command(days, dry_run):
    """Delete conversations, visit events and votes older than DAYS (a customer waiting on a handoff keeps all)."""
    session = get_session()
    cutoff = datetime.now(UTC) - timedelta(days=days)
    _report_deletion(session, privacy.purge_before(session, cutoff), dry_run)


@click.command("backup", cls=Command)
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def backup_command(directory):
    """Back up the database, the index and the secret key into DIRECTORY (new or empty), while serving."""
    config = current_app.config
    manifest = backup.backup(config["DATABASE_URL"], config["INDEX_DIR"], config["INSTANCE_PATH"], directory)
    click.echo(f"Backed up the {manifest['database']} database and the index into {directory}")


@click.command("restore", cls=Command)
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
    manifest = backup.restore(directory, config["DATABASE_URL"], config["INDEX_DIR"], config["INSTANCE_PATH"])
    click.echo(f"Restored the backup of {manifest['created_at']} from {directory}")


COMMANDS = (
    mail_command,
    erase_command,
    purge_command,
    backup_command,
    restore_command,
    serve_command,
)
