"""Titles, badges, notifications and leaderboard periods."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
import time_machine

from forum.extensions import db
from forum.models import Notification, User
from forum.services import topics
from rewards.services import leaderboards
from rewards.services.badges import badges_of, revoke_badge
from rewards.services.ledger import Award, award, reverse_source
from rewards.services.titles import progress


def test_a_new_user_starts_with_the_first_title(make_user):
    user = make_user()
    db.session.expire_all()
    assert db.session.get(User, user.id).title == "新手上路"


def test_titles_follow_lifetime_and_a_promotion_notifies(make_user):
    user = make_user()
    award(Award(user.id, "idea_funded", "idea", 1))
    db.session.commit()  # the test is the edge: the notification goes out on commit
    assert db.session.get(User, user.id).title == "初出茅庐"
    kinds = db.session.scalars(sa.select(Notification.kind).where(
        Notification.user_id == user.id)).all()
    assert "reward_title" in kinds
    # A reversal lowers the balance but not lifetime points, so the title stays.
    reverse_source("idea", 1)
    db.session.expire_all()
    assert db.session.get(User, user.id).points == 0
    assert db.session.get(User, user.id).title == "初出茅庐"


def test_progress_at_the_threshold_edges():
    assert progress(49).next.name == "初出茅庐" and progress(49).missing == 1
    assert progress(50).title.name == "初出茅庐" and progress(50).percent == 0
    assert progress(5000).next is None and progress(5000).percent == 100


def test_first_accepted_answer_badge_is_awarded_once_and_notified(make_user, make_tribe):
    tribe = make_tribe()
    asker, helper = make_user(), make_user()
    for i in range(2):
        topic = topics.create_topic(asker, tribe, f"宽带问题第{i}个", "宽带总是断线怎么办啊")
        reply = topics.create_reply(helper, topic, "重启一下光猫试试看")
        topics.accept_answer(asker, topic, reply)
    assert [b.badge_code for b in badges_of(helper.id)] == ["first_accepted"]
    notes = db.session.scalars(sa.select(Notification).where(
        Notification.user_id == helper.id, Notification.kind == "reward_badge")).all()
    assert len(notes) == 1
    assert revoke_badge(helper.id, "first_accepted") is True
    assert badges_of(helper.id) == []


def test_weekly_board_starts_on_monday_in_shanghai(make_user):
    user = make_user()
    sunday_night = datetime(2026, 3, 8, 15, 30, tzinfo=UTC)  # Sunday 23:30 in Shanghai
    monday = datetime(2026, 3, 8, 16, 30, tzinfo=UTC)  # Monday 00:30 in Shanghai
    award(Award(user.id, "answer_accepted", "post", 1, at=sunday_night))
    award(Award(user.id, "answer_accepted", "post", 2, at=monday))
    leaderboards.rollup_totals()
    with time_machine.travel(datetime(2026, 3, 9, 4, 0, tzinfo=UTC), tick=False):
        week = leaderboards.leaderboard("week")
        month = leaderboards.leaderboard("month")
        everything = leaderboards.leaderboard("all")
    assert [r.points for r in week] == [15]
    assert [r.points for r in month] == [30]
    assert [r.points for r in everything] == [30]


def test_equal_points_share_a_rank_and_spending_does_not_lower_it(make_user):
    a, b, c = make_user("anna"), make_user("bert"), make_user("cleo")
    for i, user in enumerate((a, b)):
        award(Award(user.id, "answer_accepted", "post", i))
    award(Award(c.id, "topic_created", "post", 9))
    award(Award(a.id, "redeem", "order", 1, amount=-10))
    leaderboards.rollup_totals()
    rows = leaderboards.leaderboard("all")
    assert [(r.rank, r.user.username, r.points) for r in rows] == [
        (1, "anna", 15), (1, "bert", 15), (3, "cleo", 5)]


def test_proxies_are_ranked_by_accepted_answers_net_of_moved_marks(make_user, make_tribe,
                                                                   client):
    tribe, other_tribe = make_tribe("liuliang"), make_tribe("kuandai")
    asker = make_user("asker")
    star, second = make_user("star_proxy", ("proxy",)), make_user("second", ("proxy",))
    customer = make_user("plain_customer")

    def accepted(helper, tribe_, n):
        for i in range(n):
            topic = topics.create_topic(asker, tribe_, f"第{i}个问题标题{helper.username}", "求助")
            topics.accept_answer(asker, topic, topics.create_reply(helper, topic, "这样办"))
        return topic

    accepted(star, tribe, 2)
    accepted(star, other_tribe, 1)
    last = accepted(second, tribe, 2)
    accepted(customer, tribe, 3)  # not a proxy: not on this board
    # the mark on second's last answer moves to the customer's reply: one answer fewer
    topics.accept_answer(asker, last, topics.create_reply(customer, last, "换个办法"))

    board = leaderboards.proxy_board("week")
    assert [(r.rank, r.user.username, r.points) for r in board] == [
        (1, "star_proxy", 3), (2, "second", 1)]
    in_tribe = leaderboards.proxy_board("week", other_tribe)
    assert [(r.user.username, r.points) for r in in_tribe] == [("star_proxy", 1)]
    body = client.get("/api/v1/leaderboards?period=week").get_json()
    assert body["proxies"][0] == {"rank": 1, "username": "star_proxy",
                                  "display_name": star.display_name, "accepted_answers": 3}
    page = client.get("/leaderboards").get_data(as_text=True)
    assert "服务代理 · 最佳答案榜" in page and "3</b> 个最佳答案" in page
