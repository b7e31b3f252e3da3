"""Security headers on every response (issue 8 §6).

The Content-Security-Policy allows scripts and styles from this site only: templates carry
no inline ``<script>``, ``<style>`` or ``style=""`` (colours and widths are classes or set by
scripts through the CSSOM, which the policy allows). No page may be framed. Uploaded images
are served by their own view with ``nosniff`` so a disguised file is never run as a script.
"""

from __future__ import annotations

from flask import Flask, Response

# connect-src 'self' covers the same-origin Socket.IO WebSocket in current browsers;
# ws:/wss: of the same host are listed for older ones.
DEFAULT_CSP = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self' ws: wss:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))


def init_app(app: Flask) -> None:
    policy = app.config.get("CONTENT_SECURITY_POLICY") or DEFAULT_CSP
    hsts = app.config.get("SESSION_COOKIE_SECURE")  # HTTPS deployments only

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", policy)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if hsts:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
