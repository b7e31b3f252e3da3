"""Influence score (PRODUCT §2.4): percentile-normalised factors with the seed's weights."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from forum.errors import PermissionDenied, ValidationError
from forum.extensions import db
from forum.models import User
from rewards.proxies.services import influence
from rewards.proxies.services.influence import DEFAULT_WEIGHTS, UserFactors


def test_five_users_match_the_hand_computed_scores():
    # Five users: (followers, following, posts, age in days, verified)
    #   A (10, 0, 4, 100, V)  B (5, 5, 4, 50, -)  C (0, 2, 0, 10, -)  D (5, 1, 10, 100, V)
    #   E (1, 0, 2, 1, -)
    # Percentile = 100 × (mean rank − 1) / (N − 1) = 25 × (mean rank − 1), ties averaged.
    # 粉丝数  C0 r1→0, E1 r2→25, B5 D5 r3.5→62.5, A10 r5→100
    # 粉丝/关注 (关注 0 counts as 1): A 10/1=10, B 5/5=1, C 0/2=0, D 5/1=5, E 1/1=1
    #         C0 →0, B1 E1 r2.5→37.5, D5 →75, A10 →100
    # 发帖数  C0 →0, E2 →25, A4 B4 r3.5→62.5, D10 →100
    # 博龄    E1 →0, C10 →25, B50 →50, A100 D100 r4.5→87.5
    # 加V     A, D →100; others 0
    # A = .4×100 + .1×100 + .05×62.5 + .05×87.5 + .4×100 = 40+10+3.125+4.375+40 = 97.50
    # B = .4×62.5 + .1×37.5 + .05×62.5 + .05×50 + 0   = 25+3.75+3.125+2.5      = 34.375
    # C = 0 + 0 + 0 + .05×25 + 0                                              = 1.25
    # D = .4×62.5 + .1×75 + .05×100 + .05×87.5 + .4×100 = 25+7.5+5+4.375+40   = 81.875
    # E = .4×25 + .1×37.5 + .05×25 + 0 + 0              = 10+3.75+1.25        = 15.00
    rows = [
        UserFactors(1, 10, 0, 4, 100, True),
        UserFactors(2, 5, 5, 4, 50, False),
        UserFactors(3, 0, 2, 0, 10, False),
        UserFactors(4, 5, 1, 10, 100, True),
        UserFactors(5, 1, 0, 2, 1, False),
    ]
    scores = influence.compute_scores(rows, DEFAULT_WEIGHTS)
    expected = {1: 97.50, 2: 34.375, 3: 1.25, 4: 81.875, 5: 15.00}
    for user_id, value in expected.items():
        assert scores[user_id] == pytest.approx(value, abs=0.005)


def test_following_nobody_counts_as_following_one_and_never_divides_by_zero():
    rows = [UserFactors(1, 3, 0, 0, 0, False), UserFactors(2, 0, 0, 0, 0, False)]
    assert rows[0].ratio == 3
    assert rows[1].ratio == 0
    scores = influence.compute_scores(rows, DEFAULT_WEIGHTS)
    # user 1 tops followers and ratio (100 each); posts and age are tied (50 each):
    # .4×100 + .1×100 + .05×50 + .05×50 = 55; user 2: .05×50 + .05×50 = 5
    assert scores == {1: pytest.approx(55.0), 2: pytest.approx(5.0)}


def test_a_single_user_is_ranked_in_the_middle_and_an_empty_population_is_fine():
    assert influence.percentile_ranks([7]) == [50.0]
    assert influence.compute_scores([], DEFAULT_WEIGHTS) == {}


def test_recompute_reads_follows_posts_age_and_verification_from_the_database(
        make_user, make_tribe, admin):
    from forum.services import accounts, topics

    tribe = make_tribe()
    star, fan = make_user("star"), make_user("fan")
    make_user("quiet")
    accounts.set_verified(admin, star, True)
    accounts.set_following(fan, star, True)
    topics.create_topic(star, tribe, "流量包怎么选最划算", "每月二十个G够用吗，大家说说")
    gone = make_user("gone")
    gone.is_active_account = False
    gone.influence = 42.0
    db.session.commit()

    now = datetime.now(UTC) + timedelta(days=3)
    factors = {f.user_id: f for f in influence.gather_factors(now)}
    assert gone.id not in factors
    assert factors[star.id] == influence.UserFactors(star.id, 1, 0, 1, 3, True)
    assert factors[fan.id].following == 1 and factors[fan.id].followers == 0

    influence.recompute_all(now)
    db.session.expire_all()
    assert db.session.get(User, gone.id).influence == 0.0
    scores = {u.username: u.influence for u in db.session.query(User)}
    assert scores["star"] == max(scores.values())
    assert 0.0 <= scores["quiet"] < scores["star"] <= 100.0
    assert influence.recompute_all(now) == 0  # nothing changed: nothing rewritten


def test_weights_must_be_whole_thousandths_adding_up_to_one(admin, make_user):
    with pytest.raises(ValidationError) as err:
        influence.save_weights(admin, {**DEFAULT_WEIGHTS, "followers": "0.4"})
    assert "followers" in err.value.fields
    with pytest.raises(ValidationError) as err:
        influence.save_weights(admin, {**DEFAULT_WEIGHTS, "posts": -50, "age": 150})
    assert "posts" in err.value.fields
    with pytest.raises(ValidationError, match="1000"):
        influence.save_weights(admin, {**DEFAULT_WEIGHTS, "posts": 100})
    with pytest.raises(PermissionDenied):
        influence.save_weights(make_user("mod", roles=("moderator",)), DEFAULT_WEIGHTS)

    new = {"followers": "300", "ratio": 200, "posts": 100, "age": 0, "verified": 400}
    assert influence.save_weights(admin, new)["followers"] == 300
    assert influence.get_weights() == {"followers": 300, "ratio": 200, "posts": 100, "age": 0,
                                       "verified": 400}


def test_recompute_command_and_nightly_task_are_registered(app):
    from forum.jobs import BEAT_SCHEDULE

    assert BEAT_SCHEDULE["proxies.recompute_influence"]["task"] == "proxies.recompute_influence"
    result = app.test_cli_runner().invoke(args=["proxies", "recompute-influence"])
    assert result.exit_code == 0, result.output
    assert "influence recomputed" in result.output
