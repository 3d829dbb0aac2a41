"""The knowledge base and its figures: init, sync, export, index, search, ask, eval, report."""

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

from .. import reports
from ..articles import export
from ..articles.sync import sync_directory
from ..models import Article
from ..search import evaluation
from ..threads import every_core
from ..web import services
from ..web.session import get_session
from .command import Command


@click.command("init", cls=Command)
@with_appcontext
def init_command():
    """Create or migrate the database (done on every start, too)."""
    engine = current_app.extensions["kbbot.engine"]
    session = get_session()
    articles = session.execute(select(func.count(Article.id))).scalar_one()
    click.echo(f"Database ready: {engine.url.render_as_string(hide_password=True)} ({articles} articles)")


@click.command("sync", cls=Command)
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


@click.command("export", cls=Command)
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


@click.command("index", cls=Command)
@click.option("--full", is_flag=True, help="Re-embed every entry instead of only the changed ones.")
@with_appcontext
def index_command(full):
    """Bring the search index in line with the published articles (with every core)."""
    session = get_session()
    engine = services.get_engine()
    if not full and engine.dense_indexes.saved_is_current(session):
        click.echo("The index is up to date with the published articles: nothing to do.")
        return
    with every_core():
        counts = engine.refresh(session, full=full)
    engine.wait_for_rebuild()  # a command that exits must not leave the index half rebuilt
    click.echo(
        f"{counts.added} added, {counts.updated} updated, {counts.removed} removed, "
        f"{counts.unchanged} unchanged ({counts.embedded} entries embedded)"
    )


@click.command("search", cls=Command)
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


@click.command("ask", cls=Command)
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


@click.command("eval", cls=Command)
@click.argument("queries", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON.")
@with_appcontext
def eval_command(queries, as_json):
    """Measure answer quality on QUERIES.jsonl ({"query", "expected": [slugs]} per line)."""
    questions = evaluation.read_questions(queries)
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


@click.command("report", cls=Command)
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
        encode=services.question_encoder(session),
    )
    result = reports.with_current_answers(
        result, lambda question: services.answering_article(session, question)
    )
    click.echo(json.dumps(result.as_dict(), indent=2, ensure_ascii=False) if as_json else result.as_text())


COMMANDS = (
    init_command,
    sync_command,
    export_command,
    index_command,
    search_command,
    ask_command,
    eval_command,
    report_command,
)
