"""Live latency between a customer and an agent, in real Chromium against gunicorn with 2 workers.

An agent, signed in, keeps the handoff queue open (/staff/handoffs/?tab=all); a customer on the help
center opens the chat widget and asks for a person. Measured, each run:

- handoff to queue: from the customer's click on "Send" in the widget's handoff form to the handoff's
  row on the agent's open queue page;
- reply to widget: from the agent's reply (POST /api/v1/staff/handoffs/<id>/replies, sent with the
  agent's API token) to the reply on the customer's open widget.

Both ends are timestamped in the browser (a MutationObserver notes when each row or agent message is
added to the page), against the same clock as the reply's request. Each run waits a random 0-4 s
before it starts, so the polls' phases are spread over the runs.

    python bench/handoff_latency.py [--runs 30] [--no-write]

The table goes to docs/benchmarks.md (its `handoff-latency` section).
"""

import argparse
import os
import random
import tempfile
import time
from pathlib import Path

import sections
from faults import Gunicorn, prepared_instance, run
from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("KBBOT_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]  # fmt: skip
AGENT, PASSWORD = "alex@ledgerly.example", "latency bench secret"
SLOW = 60_000  # ms: the first chat also loads the model in a worker
# Notes when each queue row and each agent message first appears, and when the handoff form is sent.
OBSERVER = """
window.seenAt = {};
new MutationObserver(() => {
  for (const row of document.querySelectorAll("tr[data-handoff-id]")) {
    const key = "handoff-" + row.getAttribute("data-handoff-id");
    if (!(key in window.seenAt)) window.seenAt[key] = Date.now();
  }
  for (const message of document.querySelectorAll("[data-testid=message-agent]")) {
    const key = "reply-" + message.textContent.trim();
    if (!(key in window.seenAt)) window.seenAt[key] = Date.now();
  }
}).observe(document, { childList: true, subtree: true });
document.addEventListener("submit", () => { window.sentAt = Date.now(); }, true);
"""


def wait_for(page_or_frame, key, timeout_s=30):
    """When (ms since the epoch) the page noted the first thing whose key contains `key`; waits for it."""
    find = (
        "(key) => Object.entries(window.seenAt || {}).filter(([k]) => k.includes(key)).map(([, at]) => at)[0]"
    )
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        seen = page_or_frame.evaluate(find, key)
        if seen:
            return seen
        time.sleep(0.05)
    raise TimeoutError(
        f"{key} never appeared; the page noted {page_or_frame.evaluate('() => window.seenAt')}"
    )


def sign_in(page, url):
    page.goto(f"{url}/staff/login")
    page.locator("#email").fill(AGENT)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/staff/")
    page.goto(f"{url}/staff/handoffs/?tab=all")


def widget_frame(page):
    return next(frame for frame in page.frames if "/widget/" in frame.url)


def one_run(browser, url, queue, token, run_number):
    """(handoff to queue ms, reply to widget ms) of one customer."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        customer = context.new_page()
        customer.add_init_script(OBSERVER)
        customer.goto(f"{url}/")
        customer.locator("#kbbot-launcher").click()
        chat = customer.frame_locator("#kbbot-frame")
        expect(chat.locator("#kb-input")).to_be_focused(timeout=SLOW)
        chat.locator("#kb-talk-to-person").click()
        chat.locator("#kb-handoff-email").fill(f"customer{run_number}@example.com")
        known = set(queue.evaluate("() => Object.keys(window.seenAt)"))
        time.sleep(random.uniform(0, 4))
        chat.locator("#kb-handoff-submit").click()
        expect(chat.locator("[data-testid=handoff-confirmation]")).to_be_visible(timeout=SLOW)
        frame = widget_frame(customer)
        sent = frame.evaluate("() => window.sentAt")
        deadline = time.monotonic() + 30
        while not (new := set(queue.evaluate("() => Object.keys(window.seenAt)")) - known):
            if time.monotonic() > deadline:
                raise TimeoutError("the handoff never reached the queue")
            time.sleep(0.05)
        key = new.pop()
        handoff_ms = wait_for(queue, key) - sent
        time.sleep(random.uniform(0, 4))
        text = f"Latency reply {run_number}"
        replied = time.time() * 1000
        response = customer.request.post(
            f"{url}/api/v1/staff/handoffs/{key.removeprefix('handoff-')}/replies",
            data={"text": text},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status == 201, response.text()
        reply_ms = wait_for(frame, text) - replied
        return handoff_ms, reply_ms
    finally:
        context.close()


def measure(workdir, runs):
    """{step: [ms, ...]} over `runs` customers against a fresh instance in `workdir`."""
    env = prepared_instance(workdir)
    env.update(KBBOT_BUSINESS_HOURS="24/7")
    run(env, "user", "create", AGENT, "--role", "agent", "--name", "Alex", "--password-stdin", stdin=PASSWORD)
    token = run(env, "token", "create", AGENT, "--name", "latency bench").stdout.strip().split()[-1]
    results = {"handoff to agent's queue": [], "agent's reply to customer's widget": []}
    with Gunicorn(env, workdir) as server, sync_playwright() as playwright:
        url = f"http://127.0.0.1:{server.port}"
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        agent = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        agent.add_init_script(OBSERVER)
        sign_in(agent, url)
        for run_number in range(runs):
            handoff_ms, reply_ms = one_run(browser, url, agent, token, run_number)
            results["handoff to agent's queue"].append(handoff_ms)
            results["agent's reply to customer's widget"].append(reply_ms)
            print(
                f"run {run_number + 1}/{runs}: handoff {handoff_ms:.0f} ms, reply {reply_ms:.0f} ms",
                flush=True,
            )
        browser.close()
    return results


def table(results, runs, load):
    lines = [
        f"Measured by `python bench/handoff_latency.py --runs {runs}` on this machine "
        f"({os.cpu_count()} cores, load average {load} before the run), gunicorn with 2 workers, "
        "headless Chromium: milliseconds from the customer's click to the row on the agent's open "
        "queue page, and from the agent's reply to the message in the customer's open widget.",
        "",
        "| step | runs | p50 ms | p95 ms | max ms |",
        "|---|---|---|---|---|",
    ]
    for name, samples in results.items():
        p50, p95 = sections.percentiles(samples)
        lines.append(f"| {name} | {len(samples)} | {p50:.0f} | {p95:.0f} | {max(samples):.0f} |")
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="customers handed off, each answered once")
    parser.add_argument("--no-write", action="store_true", help="Print only; leave docs/benchmarks.md alone.")
    args = parser.parse_args()
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    with tempfile.TemporaryDirectory() as workdir:
        results = measure(Path(workdir), args.runs)
    lines = table(results, args.runs, load)
    print("\n".join(lines))
    if not args.no_write:
        sections.replace_section(sections.BENCHMARKS, "handoff-latency", lines)


if __name__ == "__main__":
    main()
