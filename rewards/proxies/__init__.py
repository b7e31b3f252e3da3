"""Service proxy programme (PRODUCT §2.4–2.5): influence, candidates and evaluation,
lifecycle, service circles, commission and monthly settlement."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    pass
