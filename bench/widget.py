"""The widget's weight and speed: gzipped size of /widget.js, and how fast the chat opens.

Serves the sample help center on loopback, embeds the widget in a plain page on
another port (another origin), and in headless Chromium measures, over several
page loads, the time from a click on the launcher until the chat's message box
has focus.

    python bench/widget.py [--runs 20] [--write docs/benchmarks.md]
"""

import argparse
import gzip
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

import sections
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

from kbbot import create_app
from kbbot.articles.sync import sync_directory
from kbbot.web.services import get_engine
from kbbot.web.session import get_session

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]  # fmt: skip
HOST_PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host</title></head><body>'
    '<h1>Host page</h1><script src="{kbbot}/widget.js" async></script></body></html>'
)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(app, port):
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def host_page(kbbot_url):
    """A WSGI app serving one page that embeds the widget from `kbbot_url`."""
    html = HOST_PAGE.format(kbbot=kbbot_url).encode()

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [html]

    return app


def loader_size(app):
    body = app.test_client().get("/widget.js").get_data()
    return len(body), len(gzip.compress(body, compresslevel=9))


def open_times(kbbot_url, host_url, runs):
    times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page()
        for _ in range(runs + 1):
            page.goto(host_url)
            launcher = page.locator("#kbbot-launcher")
            launcher.wait_for(state="visible")
            started = time.perf_counter()
            launcher.click()
            expect(page.frame_locator("#kbbot-frame").locator("#kb-input")).to_be_focused()
            times.append((time.perf_counter() - started) * 1000)
            launcher.click()  # closed again, or the next load would restore it open
            expect(page.locator("#kbbot-frame")).to_be_hidden()
        browser.close()
    return times[1:]  # the first load warms the browser's cache


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--write", type=Path, help="Markdown file whose `widget` section gets the table.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        port, host_port = free_port(), free_port()
        app = create_app(
            {
                "DATABASE_URL": f"sqlite:///{workdir}/widget.sqlite3",
                "INDEX_DIR": Path(workdir) / "index",
                "SYNC_ON_FIRST_START": False,
                "ALLOWED_ORIGINS": f"http://127.0.0.1:{host_port}",
            }
        )
        with app.app_context():
            sync_directory(get_session(), ROOT / "articles", app.config["MAX_ARTICLE_BYTES"])
            get_engine().refresh(get_session())
        raw, gzipped = loader_size(app)
        kbbot, host = serve(app, port), serve(host_page(f"http://127.0.0.1:{port}"), host_port)
        times = open_times(f"http://127.0.0.1:{port}", f"http://127.0.0.1:{host_port}", args.runs)
        kbbot.shutdown()
        host.shutdown()
    ordered = sorted(times)
    lines = [
        f"Measured with `python bench/widget.py --runs {args.runs}` on this 2-core machine, headless Chromium:",
        "",
        "| figure | value |",
        "|---|---|",
        f"| `/widget.js` size | {raw:,} bytes, {gzipped:,} bytes gzipped |",
        f"| chat open after a launcher click, p50 | {statistics.median(ordered):.0f} ms |",
        f"| chat open after a launcher click, p95 | {ordered[int(0.95 * (len(ordered) - 1))]:.0f} ms |",
    ]
    print("\n".join(lines))
    if args.write:
        sections.replace_section(args.write, "widget", lines)


if __name__ == "__main__":
    main()
