"""HTTPS and hosts: HSTS and secure cookies with an https public URL, and links that a spoofed Host
header cannot redirect (KBBOT_PUBLIC_URL, KBBOT_TRUSTED_HOSTS)."""

import logging

from tests.helpers import build_support_app, make_app

SPOOFED = {"Host": "evil.example"}


def test_an_https_public_url_brings_hsts_and_secure_cookies(tmp_path):
    app = make_app(tmp_path, PUBLIC_URL="https://help.example.com")
    client = app.test_client()
    page = client.get("/staff/login", base_url="https://help.example.com")
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-kbbot_session" and app.config["SESSION_COOKIE_SECURE"]
    session_cookie = [value for value in page.headers.getlist("Set-Cookie") if value.startswith("__Host-")]
    assert session_cookie and "Secure" in session_cookie[0] and "Path=/" in session_cookie[0]
    assert "Domain" not in session_cookie[0]
    visitor = client.get("/api/v1/articles/nothing-here", base_url="http://help.example.com")
    assert visitor.status_code == 404  # no visitor id issued for a 404; a search issues one:
    issued = client.get("/search?q=refund", base_url="http://help.example.com").headers.getlist("Set-Cookie")
    assert any(value.startswith("kbbot_visitor=") and "Secure" in value for value in issued)


def test_without_an_https_public_url_cookies_and_hsts_stay_off(tmp_path):
    app = make_app(tmp_path)
    page = app.test_client().get("/staff/login")
    assert "Strict-Transport-Security" not in page.headers
    assert app.config["SESSION_COOKIE_NAME"] == "session" and not app.config["SESSION_COOKIE_SECURE"]


def test_a_host_that_is_not_trusted_is_refused(tmp_path):
    app = make_app(tmp_path, TRUSTED_HOSTS="help.example.com, .support.example.com")
    client = app.test_client()
    assert client.get("/", headers=SPOOFED).status_code == 400
    assert client.get("/api/v1/search?q=refund", headers=SPOOFED).status_code == 400
    assert client.get("/sitemap.xml", headers={"Host": "help.example.com"}).status_code == 200
    assert client.get("/", headers={"Host": "eu.support.example.com"}).status_code == 200


def test_with_a_public_url_links_ignore_the_host_header(tmp_path):
    app = build_support_app(tmp_path, PUBLIC_URL="https://help.example.com")
    client = app.test_client()
    sitemap = client.get("/sitemap.xml", headers=SPOOFED).get_data(as_text=True)
    assert "https://help.example.com/articles/refunds" in sitemap and "evil.example" not in sitemap
    page = client.get("/articles/refunds", headers=SPOOFED).get_data(as_text=True)
    assert '<link rel="canonical" href="https://help.example.com/articles/refunds">' in page
    found = client.get("/api/v1/search?q=refund", headers=SPOOFED).get_json()["results"]
    assert found[0]["url"].startswith("https://help.example.com/articles/")
    answer = client.post(
        "/api/v1/chat", json={"message": "can I get my money back"}, headers=SPOOFED
    ).get_json()
    assert (
        answer["action"] == "answer"
        and "https://help.example.com/articles/refunds" in answer["answer"]
        and "evil.example" not in answer["answer"]
    )


def test_neither_a_public_url_nor_trusted_hosts_is_warned_about(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        make_app(tmp_path / "open")
        assert "neither KBBOT_PUBLIC_URL nor KBBOT_TRUSTED_HOSTS is set" in caplog.text
        caplog.clear()
        make_app(tmp_path / "pinned", TRUSTED_HOSTS="help.example.com")
        make_app(tmp_path / "public", PUBLIC_URL="https://help.example.com")
    assert "KBBOT_TRUSTED_HOSTS" not in caplog.text
