"""Moderation (PRODUCT §3): queue, moderator actions, audit log, canned replies, tickets with
SLA, quality dashboard; and — in ``moderation.scoring`` — the keyword library and the
negativity scorer.

``init_app(app)`` is called by create_app when "moderation" is named in HUZHU_PACKAGES.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from moderation import scoring

    scoring.init_app(app)
