"""The commands of the `kbbot` command line: init, sync, index, search, ask, eval, serve."""

import json
import sys
from dataclasses import asdict
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import func, select

from . import db, evaluation, services
from .errors import KbbotError
from .models import Article, Chunk
from .sync import sync_directory


@click.command("init")
@with_appcontext
def init_command():
    """Create or migrate the database (done on every start, too)."""
    engine = current_app.extensions["kbbot.engine"]
    session = db.get_session()
    articles = session.execute(select(func.count(Article.id))).scalar_one()
    click.echo(f"Database ready: {engine.url.render_as_string(hide_password=True)} ({articles} articles)")


@click.command("sync")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def sync_command(directory):
    """Import the Markdown articles under DIRECTORY into the database."""
    try:
        report = sync_directory(db.get_session(), directory, current_app.config["MAX_ARTICLE_BYTES"])
    except FileNotFoundError as e:
        raise click.ClickException(str(e)) from e
    for label in ("created", "updated", "unpublished"):
        for slug in getattr(report, label):
            click.echo(f"{label:>12}  {slug}")
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    for error in report.errors:
        click.echo(f"error: {error}", err=True)
    click.echo(
        f"{len(report.created)} created, {len(report.updated)} updated, {len(report.unchanged)} unchanged, "
        f"{len(report.unpublished)} unpublished, {len(report.errors)} errors"
    )
    if report.errors:
        sys.exit(1)


@click.command("index")
@click.option("--full", is_flag=True, help="Re-embed every entry instead of only the changed ones.")
@with_appcontext
def index_command(full):
    """Bring the search index in line with the published articles."""
    session = db.get_session()
    counts = services.get_engine().refresh(session, full=full, show_progress=True)
    click.echo(
        f"{counts.added} added, {counts.updated} updated, {counts.removed} removed, "
        f"{counts.unchanged} unchanged ({counts.embedded} entries embedded)"
    )


@click.command("search")
@click.argument("query")
@click.option("--limit", default=10, show_default=True, help="How many articles to list.")
@with_appcontext
def search_command(query, limit):
    """List the articles that best match QUERY, with their scores."""
    sources = services.get_engine().search(db.get_session(), query, limit=limit)
    if not sources:
        click.echo("No matching articles.")
    for rank, source in enumerate(sources, start=1):
        click.echo(
            f"{rank:>2}. {source.slug}  score={source.score:.3f} dense={source.dense_score:.3f} "
            f"bm25={source.lexical_score:.2f}  {source.title}"
        )


@click.command("ask")
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
@with_appcontext
def ask_command(question, as_json):
    """Answer QUESTION: the decision, the answer passage, sources and confidence."""
    answer = services.get_engine().ask(db.get_session(), question)
    if as_json:
        click.echo(json.dumps(asdict(answer), indent=2, ensure_ascii=False, default=list))
        return
    click.echo(f"action: {answer.action}  confidence: {answer.confidence:.3f}")
    if answer.answer:
        click.echo(f"\n{answer.answer}\n")
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
    result = evaluation.report(evaluation.evaluate(engine, db.get_session(), questions))
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=2))
        return
    click.echo(f"questions: {result.covered} covered, {result.uncovered} uncovered")
    rows = [
        ("precision@1", result.precision_at_1),
        ("MRR@10", result.mrr_at_10),
        ("recall@5", result.recall_at_5),
        ("answer rate (covered)", result.answer_rate_covered),
        ("handoff rate (uncovered)", result.handoff_rate_uncovered),
        ("AUROC (confidence)", result.auroc),
    ]
    for label, value in rows:
        click.echo(f"{label:<26}{value:.3f}")
    click.echo(f"{'latency p50 / p95':<26}{result.latency_p50_ms:.1f} / {result.latency_p95_ms:.1f} ms")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def serve_command(host, port):
    """Start the development server (first start imports the sample articles)."""
    services.prepare_to_serve()
    engine = services.get_engine()
    click.echo(f"{engine.article_count()} published articles indexed; serving on http://{host}:{port}/")
    current_app.run(host=host, port=port, use_reloader=False)


COMMANDS = (init_command, sync_command, index_command, search_command, ask_command, eval_command, serve_command)


def init_app(app):
    for command in COMMANDS:
        app.cli.add_command(command)
