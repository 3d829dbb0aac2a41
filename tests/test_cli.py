"""The `kbbot` command line, run in-process against a real database and index."""

import functools
import json
import logging
import os
import subprocess
import sys

import click
import pytest
import torch

from kbbot import threads
from kbbot.commands.command import Command
from kbbot.search import embedding
from kbbot.web.services import get_engine
from tests.helpers import ROOT, with_onnx_file, write_article


@pytest.fixture
def synced(runner, articles_dir):
    write_article(articles_dir, "billing/refunds.md", "Annual plans get a full refund within 14 days.",
                  title="Refund policy", questions=["can I get my money back"])
    write_article(articles_dir, "troubleshooting/errors.md",
                  "| Code | Meaning |\n|---|---|\n| SYNC-422 | Tax rate not mapped |\n| EML-552 | Email bounced |\n",
                  title="Error codes reference")
    result = runner.invoke(args=["sync", str(articles_dir)])
    assert result.exit_code == 0, result.output
    return articles_dir


def test_init_reports_the_database(runner):
    result = runner.invoke(args=["init"])
    assert result.exit_code == 0
    assert "Database ready: sqlite:///" in result.output and "(0 articles)" in result.output


def test_sync_lists_what_changed_and_fails_on_bad_files(runner, synced):
    write_article(synced, "broken.md", "body", category="x")  # no title
    result = runner.invoke(args=["sync", str(synced)])
    assert result.exit_code == 1
    assert "broken.md" in result.output and "title" in result.output
    assert "0 created, 0 updated, 2 unchanged, 0 unpublished, 0 kept with web edits, 1 errors" in result.output


def test_sync_of_a_missing_directory_is_a_clear_error(runner, tmp_path):
    result = runner.invoke(args=["sync", str(tmp_path / "nope")])
    assert result.exit_code != 0
    assert "nope" in result.output


def test_index_prints_the_counts(runner, synced):
    first = runner.invoke(args=["index"])
    assert first.exit_code == 0
    assert "5 added, 0 updated, 0 removed, 0 unchanged (5 entries embedded)" in first.output
    again = runner.invoke(args=["index"])
    assert again.output == "The index is up to date with the published articles: nothing to do.\n"
    full = runner.invoke(args=["index", "--full"])
    assert "(5 entries embedded)" in full.output


def test_index_embeds_with_every_core_and_gives_the_threads_back(app, runner, synced, threads_restored, monkeypatch):
    with app.app_context():
        encoder = get_engine().encoder
    threads_while_embedding = []
    encode = encoder.encode
    monkeypatch.setattr(
        encoder, "encode", lambda texts, **options: threads_while_embedding.append(torch.get_num_threads())
        or encode(texts, **options)
    )
    threads_restored.set_num_threads(1)
    assert runner.invoke(args=["index"]).exit_code == 0
    # The passages, then the section headings: each with every core.
    assert threads_while_embedding == [threads.cores()] * 2 and threads_restored.get_num_threads() == 1


def test_a_first_index_logs_its_progress(app, runner, synced, monkeypatch, caplog):
    with app.app_context():
        encoder = get_engine().encoder
    monkeypatch.setattr(embedding, "PROGRESS_SECONDS", 0)
    monkeypatch.setattr(encoder, "encode", functools.partial(embedding.Encoder.encode, encoder, batch_size=2))
    with caplog.at_level(logging.INFO, logger="kbbot.search.embedding"):
        assert runner.invoke(args=["index"]).exit_code == 0
    messages = [record.getMessage() for record in caplog.records if record.name == "kbbot.search.embedding"]
    assert [message.split(" (")[0] for message in messages if " of " in message] == [
        "embedded 2 of 5 entries",
        "embedded 4 of 5 entries",
    ]
    assert messages[-1].startswith("embedded 5 entries in ")


def test_after_an_edit_index_has_work_to_do_once(runner, synced):
    runner.invoke(args=["index"])
    write_article(synced, "billing/refunds.md", "Annual plans get a full refund within 30 days.",
                  title="Refund policy", questions=["can I get my money back"])
    runner.invoke(args=["sync", str(synced)])
    assert "1 updated, 0 removed, 4 unchanged (1 entries embedded)" in runner.invoke(args=["index"]).output
    assert "nothing to do" in runner.invoke(args=["index"]).output


MODEL_PROBE = """
import json, sys
from tests.helpers import make_app
from pathlib import Path

runner = make_app(Path(sys.argv[1])).test_cli_runner()
outputs = [runner.invoke(args=args, input="correct horse battery\\n").output for args in json.loads(sys.argv[2])]
print(json.dumps({"outputs": outputs, "loaded": sorted({"torch", "sentence_transformers"} & set(sys.modules))}))
"""


def test_commands_that_need_no_model_do_not_load_it(runner, synced, tmp_path):
    assert runner.invoke(args=["index"]).exit_code == 0
    commands = [
        ["init"],
        ["index"],
        ["user", "create", "admin@example.com", "--role", "admin", "--password-stdin"],
        ["token", "create", "admin@example.com", "--name", "CMS sync"],
        ["report"],
        ["export", str(tmp_path / "exported")],
    ]
    result = subprocess.run(
        [sys.executable, "-c", MODEL_PROBE, str(tmp_path), json.dumps(commands)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.splitlines()[-1])
    assert found["loaded"] == []
    assert "nothing to do" in found["outputs"][1] and "2 articles written" in found["outputs"][5]


SERVING_PROBE = """
import json, sys
from pathlib import Path
from kbbot.web.services import prepare_to_serve
from kbbot.web.session import get_session
from tests.helpers import make_app

app = make_app(Path(sys.argv[1]))
with app.app_context():
    prepare_to_serve(get_session(), 1)
    loaded_to_serve = app.extensions["kbbot.answer_engine"].encoder.loaded
runner = make_app(Path(sys.argv[1])).test_cli_runner()
outputs = [runner.invoke(args=args).output for args in json.loads(sys.argv[2])]
heavy = {"torch", "transformers", "sentence_transformers"}
print(json.dumps({"ready": loaded_to_serve, "outputs": outputs, "loaded": sorted(heavy & set(sys.modules))}))
"""


def test_a_start_and_the_commands_that_embed_load_no_pytorch_once_the_onnx_file_is_exported(
    runner, synced, tmp_path
):
    """On the default (ONNX) backend with its file in the instance folder, as after a first start: the
    start of a server (its model loaded), `kbbot index` with nothing to do, `search` and `ask`."""
    assert runner.invoke(args=["index"]).exit_code == 0
    with_onnx_file(tmp_path / "instance" / "models")
    commands = [["index"], ["search", "what is SYNC-422"], ["ask", "how do I get my money back"]]
    environ = {name: value for name, value in os.environ.items() if name != "KBBOT_EMBEDDING_BACKEND"}
    if torch.cuda.is_available():  # auto would be PyTorch on the GPU
        environ["KBBOT_DEVICE"] = "cpu"
    result = subprocess.run(
        [sys.executable, "-c", SERVING_PROBE, str(tmp_path), json.dumps(commands)],
        cwd=ROOT, env=environ, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.splitlines()[-1])
    assert found["ready"] and found["loaded"] == []
    index, search, ask = found["outputs"]
    assert "nothing to do" in index
    assert search.splitlines()[0].startswith(" 1. errors")
    assert "Refund policy (refunds" in ask


def test_search_ranks_the_exact_error_code_first(runner, synced):
    result = runner.invoke(args=["search", "what is SYNC-422"])
    assert result.exit_code == 0
    first_line = result.output.splitlines()[0]
    assert first_line.startswith(" 1. errors") and "score=1.000" in first_line


def test_ask_json_has_the_decision_sources_and_confidence(runner, synced):
    result = runner.invoke(args=["ask", "--json", "how do I get my money back"])
    assert result.exit_code == 0
    answer = json.loads(result.output)
    assert answer["action"] in ("answer", "suggest", "handoff")
    assert 0.0 <= answer["confidence"] <= 1.0 and 0.0 <= answer["section_confidence"] <= 1.0
    assert answer["sources"][0]["slug"] == "refunds"
    assert answer["ranked_slugs"][0] == "refunds"


def test_ask_says_what_it_searched_for_when_it_corrected_the_spelling(runner, synced):
    result = runner.invoke(args=["ask", "can I get a refnud on my anual plan"])
    assert result.exit_code == 0
    assert "searched for: can i get a refund on my annual plan" in result.output
    assert "Refund policy (refunds" in result.output
    assert "article confidence: " in result.output and "section confidence: " in result.output
    assert "searched for" not in runner.invoke(args=["ask", "can I get a refund"]).output


def test_eval_prints_every_metric(runner, synced, tmp_path):
    queries = tmp_path / "queries.jsonl"
    queries.write_text(
        '{"query": "money back on my annual plan", "expected": ["refunds"], "answer": ["full refund within 14 days"]}\n'
        '{"query": "EML-552 error", "expected": ["errors"], "answer": ["EML-552; Meaning: Email bounced"]}\n'
        '{"query": "how tall is mount everest", "expected": []}\n'
    )
    result = runner.invoke(args=["eval", "--json", str(queries)])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.output)
    assert (metrics["covered"], metrics["uncovered"]) == (2, 1)
    assert metrics["precision_at_1"] == 1.0
    assert set(metrics) >= {"mrr_at_10", "recall_at_5", "answer_rate_covered", "handoff_rate_uncovered",
                            "auroc", "latency_p50_ms", "latency_p95_ms", "wrong_answers", "resolved_covered",
                            "section_accuracy", "uncovered_answered", "suggest_rate_covered"}
    assert metrics["answer_rate_covered"] == 1.0
    assert metrics["answers_with_the_fact"] == 1.0  # each answer shows its labelled phrase
    text = runner.invoke(args=["eval", str(queries)]).output
    assert "precision@1" in text and "AUROC" in text and "latency p50 / p95" in text
    assert "answers with the fact" in text and "wrong answers" in text and "covered resolved" in text


def test_eval_names_the_bad_line(runner, tmp_path):
    queries = tmp_path / "queries.jsonl"
    queries.write_text('{"query": "fine", "expected": []}\n{"query": 3}\n')
    result = runner.invoke(args=["eval", str(queries)])
    assert result.exit_code != 0
    assert "line 2" in result.output


def test_a_core_error_is_a_message_and_exit_code_1(runner):
    result = runner.invoke(args=["token", "revoke", "999"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)  # no traceback
    assert result.output == "Error: no API token with id 999\n"


def test_every_command_turns_core_errors_into_messages(app):
    def commands(group):
        for command in group.commands.values():
            yield from commands(command) if isinstance(command, click.Group) else [command]

    assert all(isinstance(command, Command) for command in commands(app.cli))


def test_healthz_reports_the_indexed_content(app, synced):
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    health = response.get_json()
    assert (health["status"], health["articles"], health["entries"]) == ("ok", 2, 5)
    assert health["generation"] >= 1
