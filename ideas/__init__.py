"""Golden ideas (金点子, PRODUCT §4), employees only: ideas, votes, comments, arena rounds,
the idea fund.

``init_app(app)`` is called by create_app when "ideas" is named in HUZHU_PACKAGES.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    pass
