"""Rewards' notification kinds (registered with the core's notifications registry)."""

from __future__ import annotations

from forum.services.notifications import register_kind


def register() -> None:
    register_kind(
        "reward_title", "头衔晋升", "恭喜！你获得了新头衔「{title}」", lambda p: "/me/points",
        source=lambda p: f"title:{p.get('user_id')}:{p.get('title')}",
        description="积分累计达到新头衔的门槛")
    register_kind(
        "reward_badge", "获得勋章", "恭喜！你获得了勋章 {icon}「{badge}」", lambda p: "/me/points",
        source=lambda p: f"badge:{p.get('user_id')}:{p.get('code')}",
        description="获得社区勋章")
