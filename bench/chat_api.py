"""Latency of the chat API on the sample help center: the engine alone, a whole chat turn, the event log.

A chat turn adds to the engine's answer: validation, storing the customer's
and the bot's messages, and writing the turn's events in their own
transaction. This measures what that costs, so "logging never slows the
answer path noticeably" is a number, not a promise.

    python bench/chat_api.py [--write docs/benchmarks.md]
"""

import argparse
import tempfile
import time
from pathlib import Path

import banking77
import sections
from flask import g

from kbbot import events
from kbbot.articles.sync import sync_directory
from kbbot.search import evaluation
from kbbot.web.services import get_engine
from kbbot.web.session import get_session

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "bench" / "data" / "sample_dev.jsonl"


def measure(workdir):
    app = banking77.scratch_app(workdir, "chat")
    questions = [question.query for question in evaluation.read_questions(QUESTIONS)]
    engine_ms, turn_ms, flush_ms = [], [], []
    with app.app_context():
        session = get_session()
        sync_directory(session, ROOT / "articles", app.config["MAX_ARTICLE_BYTES"])
        engine = get_engine()
        engine.refresh(session)
        engine.ask(session, "warm up")
        for question in questions:
            started = time.perf_counter()
            engine.ask(session, question)
            engine_ms.append((time.perf_counter() - started) * 1000)
    client = app.test_client()
    for question in questions:
        started = time.perf_counter()
        response = client.post("/api/v1/chat", json={"message": question})
        turn_ms.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.get_json()
    with app.test_request_context():
        for _ in range(len(questions)):
            events.record("chat_question", visitor_id="bench")
            events.record("bot_decision", visitor_id="bench", action="answer", confidence=0.9)
            started = time.perf_counter()
            events.flush()
            flush_ms.append((time.perf_counter() - started) * 1000)
            assert "kbbot_events" not in g
    return {"engine.ask": engine_ms, "POST /api/v1/chat": turn_ms, "event log write (2 events)": flush_ms}


def table(results, count):
    return sections.latency_table(
        f"Measured with `python bench/chat_api.py` over the {count} dev questions, SQLite, one process, on this 2-core machine:",
        results,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, help="Markdown file whose `chat_api` section gets the table.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        results = measure(Path(workdir))
    lines = table(results, len(results["engine.ask"]))
    print("\n".join(lines))
    if args.write:
        sections.replace_section(args.write, "chat_api", lines)


if __name__ == "__main__":
    main()
