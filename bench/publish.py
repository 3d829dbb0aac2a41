"""From "publish" to the bot answering from the new text: how long the edit takes to reach a customer.

The sample help center, two web workers (two apps on one SQLite database and
index directory, as two processes would be): an editor publishes a changed
refund window through the staff articles API on worker A, then a customer's
question goes to worker B, which notices the new content generation and
re-indexes incrementally before answering; and to worker A itself, which
re-indexed while publishing. Each round checks the answer quotes the new text.
Target: under 1 second from publish to answer.

    python bench/publish.py [--rounds 20] [--write docs/benchmarks.md]
"""

import argparse
import re
import tempfile
import time
from pathlib import Path

import sections

from kbbot import create_app
from kbbot.accounts import users
from kbbot.articles.sync import sync_directory
from kbbot.web.services import get_engine
from kbbot.web.session import get_session

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "how many days do I have to get a refund on an annual plan?"
SLUG = "refund-policy"


def worker(workdir):
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{workdir / 'publish.sqlite3'}",
            "INDEX_DIR": workdir / "index",
            "SYNC_ON_FIRST_START": False,
            "BUSINESS_HOURS": "24/7",
        }
    )
    with app.app_context():
        get_engine().ensure_current(get_session())  # a warm worker: model and index loaded
    return app


def ask(client, marker):
    started = time.perf_counter()
    response = client.post("/api/v1/chat", json={"message": QUESTION})
    elapsed = (time.perf_counter() - started) * 1000
    answer = response.get_json()["answer"]
    assert marker in answer, f"the answer does not quote the new text {marker!r}: {answer!r}"
    return elapsed


def measure(workdir, rounds):
    first = create_app(
        {"DATABASE_URL": f"sqlite:///{workdir / 'publish.sqlite3'}", "INDEX_DIR": workdir / "index"}
    )
    with first.app_context():
        session = get_session()
        sync_directory(session, ROOT / "articles", first.config["MAX_ARTICLE_BYTES"])
        editor = users.create_user(session, "editor@example.com", ["editor"])
        token, _ = users.create_token(session, editor, "bench")
    worker_a, worker_b = worker(workdir), worker(workdir)
    editor_client, a, b = worker_a.test_client(), worker_a.test_client(), worker_b.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    article_id = next(
        row["id"]
        for row in editor_client.get("/api/v1/staff/articles?q=refund", headers=headers).get_json()[
            "articles"
        ]
        if row["slug"] == SLUG
    )
    results = {
        "publish (PUT, re-indexes worker A)": [],
        "first answer on worker B (re-indexes first)": [],
        "publish → answer on worker B": [],
        "first answer on worker A": [],
    }
    for round_number in range(rounds):
        current = editor_client.get(f"/api/v1/staff/articles/{article_id}", headers=headers)
        article = current.get_json()
        days = 15 + round_number
        fields = {k: article[k] for k in ("title", "category", "tags", "questions", "locale", "status")}
        new_body = re.sub(
            r"full refund within \d+ days", f"full refund within {days} days", article["body"], 1
        )
        started = time.perf_counter()
        response = editor_client.put(
            f"/api/v1/staff/articles/{article_id}",
            json={**fields, "body": new_body},
            headers={**headers, "If-Match": current.headers["ETag"]},
        )
        published_ms = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.get_json()
        answer_b = ask(b, f"{days} days")
        results["publish (PUT, re-indexes worker A)"].append(published_ms)
        results["first answer on worker B (re-indexes first)"].append(answer_b)
        results["publish → answer on worker B"].append((time.perf_counter() - started) * 1000)
        results["first answer on worker A"].append(ask(a, f"{days} days"))
    return results


def table(results, rounds):
    return sections.latency_table(
        (
            f"Measured with `python bench/publish.py --rounds {rounds}` on the sample help center (64 articles), "
            "SQLite, two workers in one process, on this 2-core machine:"
        ),
        results,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--write", type=Path, help="Markdown file whose `publish` section gets the table.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        results = measure(Path(workdir), args.rounds)
    lines = table(results, args.rounds)
    print("\n".join(lines))
    if args.write:
        sections.replace_section(args.write, "publish", lines)


if __name__ == "__main__":
    main()
