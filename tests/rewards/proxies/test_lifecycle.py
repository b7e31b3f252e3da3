"""Candidates, ratings and the lifecycle candidate → invited → active → suspended/retired."""

from __future__ import annotations

import pytest

from forum.errors import Conflict, PermissionDenied, ValidationError
from forum.extensions import db
from rewards.proxies.services import lifecycle


def test_invitation_accepted_by_the_user_makes_an_active_proxy_with_role_and_history(
        admin, make_user, make_tribe):
    user = make_user("laowang")
    tribe = make_tribe()
    lifecycle.transition(admin, user, "invited", "回答质量高")
    with pytest.raises(PermissionDenied, match="本人接受"):
        lifecycle.transition(admin, user, "active")
    with pytest.raises(Conflict):
        lifecycle.respond_to_invitation(make_user("stranger"), True)
    lifecycle.respond_to_invitation(user, True)
    lifecycle.set_tribes(admin, user, [tribe.id])
    db.session.refresh(user)
    assert lifecycle.status_of(user.id) == "active"
    assert "proxy" in user.role_names
    assert lifecycle.assigned_tribe_ids(user.id) == {tribe.id}
    steps = [(s.from_status, s.to_status, s.actor_id, s.reason)
             for s in reversed(lifecycle.history(user.id))]
    assert steps == [("candidate", "invited", admin.id, "回答质量高"),
                     ("invited", "active", user.id, "接受邀请")]


def test_declining_returns_the_user_to_candidate(admin, make_user):
    user = make_user("laowang")
    lifecycle.transition(admin, user, "invited")
    lifecycle.respond_to_invitation(user, False, "最近太忙")
    assert lifecycle.status_of(user.id) == "candidate"
    assert lifecycle.history(user.id)[0].reason == "最近太忙"
    with pytest.raises(Conflict, match="没有待处理"):
        lifecycle.respond_to_invitation(user, True)


def test_invalid_transitions_are_conflicts_naming_the_allowed_ones(admin, make_user):
    user = make_user("laowang")
    with pytest.raises(Conflict, match="当前允许：已邀请"):
        lifecycle.transition(admin, user, "active")
    with pytest.raises(Conflict):
        lifecycle.transition(admin, user, "suspended")
    with pytest.raises(ValidationError):
        lifecycle.transition(admin, user, "boss")
    with pytest.raises(PermissionDenied):
        lifecycle.transition(make_user("mod", roles=("moderator",)), user, "invited")
    assert lifecycle.history(user.id) == []


def test_suspension_and_retirement_take_the_proxy_role_away(admin, make_user, make_proxy):
    user = make_proxy(make_user("laowang"))
    lifecycle.transition(admin, user, "suspended", "投诉待查")
    db.session.refresh(user)
    assert "proxy" not in user.role_names
    lifecycle.transition(admin, user, "active", "查明无误")
    db.session.refresh(user)
    assert "proxy" in user.role_names
    lifecycle.transition(admin, user, "retired", "本人申请")
    db.session.refresh(user)
    assert "proxy" not in user.role_names
    with pytest.raises(Conflict, match="当前允许：已邀请"):
        lifecycle.transition(admin, user, "active")


def test_the_proxy_badge_follows_the_status(admin, make_user, make_proxy, monkeypatch):
    badges = pytest.importorskip("rewards.services.badges")
    calls = []
    monkeypatch.setattr(badges, "award_badge", lambda uid, code, **kw: calls.append(("+", uid, code)))
    monkeypatch.setattr(badges, "revoke_badge", lambda uid, code, **kw: calls.append(("-", uid, code)))
    user = make_proxy(make_user("laowang"))
    lifecycle.transition(admin, user, "retired")
    assert calls == [("+", user.id, "proxy"), ("-", user.id, "proxy")]


def test_staff_ratings_are_whole_numbers_from_one_to_five(admin, make_user):
    user = make_user("laowang")
    mod = make_user("mod", roles=("moderator",))
    for bad in ("0", "6", "3.5", "x", 7, True):
        with pytest.raises(ValidationError):
            lifecycle.rate(mod, user, {"rating_cooperation": bad})
    with pytest.raises(PermissionDenied):
        lifecycle.rate(make_user("emp", roles=("employee",)), user, {"rating_pr": 3})
    profile = lifecycle.rate(mod, user, {"rating_cooperation": "5", "rating_communication": 4,
                                         "rating_pr": ""})
    assert (profile.rating_cooperation, profile.rating_communication, profile.rating_pr) == (5, 4, None)
    assert lifecycle.status_of(user.id) == "candidate"


def test_candidates_are_ranked_by_influence_with_indicators(make_user):
    low, high = make_user("low"), make_user("high")
    low.influence, high.influence = 10.0, 80.5
    gone = make_user("gone")
    gone.is_active_account = False
    db.session.commit()
    page = lifecycle.list_candidates(1, 20)
    names = [row.user.username for row in page.items]
    assert names.index("high") < names.index("low")
    assert "gone" not in names
    row = page.items[names.index("high")]
    assert (row.posts, row.followers, row.accepted, row.status) == (0, 0, 0, "candidate")
