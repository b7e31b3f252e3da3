"""Moderation (PRODUCT §3): keyword library, negativity scoring, queue, tickets with SLA,
audit log, quality dashboard.

``init_app(app)`` is called by create_app when "moderation" is named in HUZHU_PACKAGES.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    pass
