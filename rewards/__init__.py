"""Rewards (PRODUCT §2): points ledger, titles, badges, store, leaderboards, and — in
``rewards.proxies`` — the service proxy programme, commission and monthly settlement.

``init_app(app)`` is called by create_app when "rewards" is named in HUZHU_PACKAGES.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from rewards import proxies

    proxies.init_app(app)
