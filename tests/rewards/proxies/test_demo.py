"""The demo seeder: roster proxies become active proxies with tribes, circles, commission
and a draft statement; running it twice changes nothing."""

from __future__ import annotations

import sqlalchemy as sa

from forum.extensions import db
from forum.services import topics
from rewards.proxies import demo
from rewards.proxies.models import CircleMember, CommissionEntry, CommissionStatement, ServiceCircle
from rewards.proxies.services import lifecycle


def test_demo_seeder_activates_roster_proxies_and_is_idempotent(make_user, make_tribe):
    make_user("admin", roles=("admin",))
    proxy = make_user("laowang_ll", roles=("customer",))
    asker = make_user("xiaomao")
    make_user("bj_dagong")
    tribe = make_tribe("liuliang", "流量管家")
    topic = topics.create_topic(asker, tribe, "流量怎么查最准", "营业厅和 App 显示的流量不一样")
    reply = topics.create_reply(proxy, topic, "以短信查询 10086 的结果为准")
    topics.accept_answer(asker, topic, reply)  # before the proxy is active: no commission yet

    first = demo.seed()
    assert "active proxies" in first
    assert lifecycle.status_of(proxy.id) == "active"
    assert lifecycle.assigned_tribe_ids(proxy.id) == {tribe.id}
    [circle] = db.session.scalars(sa.select(ServiceCircle)).all()
    assert circle.proxy_id == proxy.id and circle.member_count == 2
    [entry] = db.session.scalars(sa.select(CommissionEntry)).all()
    assert (entry.proxy_id, entry.amount_fen) == (proxy.id, 200)
    [statement] = db.session.scalars(sa.select(CommissionStatement)).all()
    assert (statement.status, statement.total_fen) == ("draft", 200)

    demo.seed()
    count = lambda model: db.session.scalar(sa.select(sa.func.count()).select_from(model))  # noqa: E731
    assert (count(ServiceCircle), count(CircleMember), count(CommissionEntry),
            count(CommissionStatement)) == (1, 2, 1, 1)
    assert len(lifecycle.history(proxy.id)) == 2
