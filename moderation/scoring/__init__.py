"""Keyword library (关键字库) and the negativity scorer: every new or edited post is scored
in the background; results feed the moderation queue."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    pass
