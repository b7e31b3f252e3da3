"""Service circles: the 150 cap, one circle per user, the proxy hears first."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from forum.errors import Conflict
from forum.extensions import db
from forum.models import Notification, User
from rewards.proxies.models import CircleMember, ServiceCircle
from rewards.proxies.services import circles, lifecycle
from tests.conftest import run_concurrently

from .conftest import bulk_users


@pytest.fixture
def circle(make_user, make_proxy, admin):
    proxy = make_proxy(make_user("laowang"))
    return circles.create_circle(admin, proxy, "流量互助一圈")


def _fill(circle, count):
    ids = bulk_users(count)
    db.session.execute(sa.insert(CircleMember), [{"user_id": i, "circle_id": circle.id} for i in ids])
    db.session.execute(sa.update(ServiceCircle).where(ServiceCircle.id == circle.id)
                       .values(member_count=count))
    db.session.commit()


def test_the_151st_member_is_refused_with_a_clear_message(app, circle, make_user):
    assert app.config["PROXY_CIRCLE_MAX"] == 150
    _fill(circle, 149)
    circles.join(make_user("no150"), circle)  # the 150th seat is still free
    late = make_user("no151")
    with pytest.raises(Conflict, match="该服务圈子已满（最多 150 人）"):
        circles.join(late, circle)
    db.session.refresh(circle)
    assert circle.member_count == 150
    assert circles.membership(late.id) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CircleMember)) == 150


def test_the_cap_comes_from_configuration(app, circle, make_user):
    app.config["PROXY_CIRCLE_MAX"] = 2
    try:
        circles.join(make_user("aaa1"), circle)
        circles.join(make_user("aaa2"), circle)
        with pytest.raises(Conflict, match="最多 2 人"):
            circles.join(make_user("aaa3"), circle)
    finally:
        app.config["PROXY_CIRCLE_MAX"] = 150


def test_a_user_is_in_at_most_one_circle_and_can_leave(circle, make_user, make_proxy, admin):
    other_proxy = make_proxy(make_user("xiaoli"))
    other = circles.create_circle(admin, other_proxy, "宽带互助圈")
    member = make_user("member")
    circles.join(member, circle)
    with pytest.raises(Conflict, match="只能加入一个"):
        circles.join(member, other)
    with pytest.raises(Conflict, match="已经是这个圈子的成员"):
        circles.join(member, circle)
    circles.leave(member, member)
    circles.join(member, other)
    db.session.refresh(circle)
    db.session.refresh(other)
    assert (circle.member_count, other.member_count) == (0, 1)


def test_only_active_proxies_lead_circles(circle, make_user, admin):
    with pytest.raises(Conflict, match="在任"):
        circles.create_circle(admin, make_user("nobody"), "无名圈子")
    lifecycle.transition(admin, circle.proxy, "suspended", "暂停")
    with pytest.raises(Conflict, match="不在任"):
        circles.join(make_user("late"), circle)


def test_a_members_new_topic_notifies_their_proxy(circle, make_user, make_tribe):
    from forum.services import topics

    member = make_user("member")
    circles.join(member, circle)
    topic = topics.create_topic(member, make_tribe(), "流量超了怎么办啊", "这个月流量又超了，扣了好多钱")
    topics.create_reply(member, topic, "补充一下：我用的是 5G 套餐")  # replies do not notify
    notes = list(db.session.scalars(sa.select(Notification).where(
        Notification.user_id == circle.proxy_id, Notification.kind == "circle_topic")))
    assert len(notes) == 1
    assert notes[0].payload["topic_id"] == topic.id
    assert notes[0].payload["actor_id"] == member.id
    outsider = make_user("outsider")
    topics.create_topic(outsider, topic.tribe, "别人的问题标题", "不在圈子里的人发帖")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.user_id == circle.proxy_id, Notification.kind == "circle_topic")) == 1


def test_concurrent_joins_for_the_last_seat_let_exactly_one_in(app, circle):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises every writer)")
    _fill(circle, 149)
    racers = bulk_users(8, prefix="racer")
    circle_id = circle.id
    outcomes = []

    def work(i):
        user = db.session.get(User, racers[i])
        try:
            circles.join(user, db.session.get(ServiceCircle, circle_id))
            outcomes.append("in")
        except Conflict:
            outcomes.append("full")

    errors = run_concurrently(app, len(racers), work)
    assert errors == []
    assert sorted(outcomes) == ["full"] * 7 + ["in"]
    db.session.expire_all()
    assert db.session.get(ServiceCircle, circle_id).member_count == 150
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CircleMember)) == 150
