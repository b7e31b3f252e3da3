"""Security headers: a strict CSP, no framing, no sniffing, cookies SameSite=Lax."""

from tests.conftest import login


def _csp(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part for part in (p.strip() for p in header.split(";")) if part}


def test_every_page_carries_a_strict_csp_without_inline_scripts(client):
    response = client.get("/")
    csp = _csp(response)
    assert csp["script-src"] == "script-src 'self'"
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert csp["frame-ancestors"] == "frame-ancestors 'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_api_and_error_responses_carry_the_headers_too(client):
    for path in ("/api/v1/tribes", "/no-such-page"):
        response = client.get(path)
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_session_cookie_is_httponly_and_samesite_lax(client, make_user):
    make_user("cookie_user")
    response = login(client, "cookie_user")
    cookies = [v for k, v in response.headers.items() if k == "Set-Cookie"]
    session = next(c for c in cookies if c.startswith("session="))
    assert "HttpOnly" in session
    assert "SameSite=Lax" in session


def test_hsts_only_when_cookies_are_secure(client):
    # A bare Flask app with the same hook: create_app() would rebind the task app globally.
    from flask import Flask

    from forum import security

    assert "Strict-Transport-Security" not in client.get("/").headers
    https_app = Flask("https_site")
    https_app.config["SESSION_COOKIE_SECURE"] = True
    https_app.add_url_rule("/", "index", lambda: "ok")
    security.init_app(https_app)
    response = https_app.test_client().get("/")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_templates_have_no_inline_scripts_or_styles():
    """The CSP would block them; keep markup free of them (scripts set styles via CSSOM)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    offenders = []
    for path in root.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or "<style" in text \
                or re.search(r"\sstyle=", text) or re.search(r"\son[a-z]+=\"", text):
            offenders.append(str(path.relative_to(root)))
    assert offenders == []
