"""A hidden or cold-handled reply (forum/services/visibility.py) leaves the public counts and
cannot be reached by others, not even by its permalink or a like."""

from __future__ import annotations

from forum.extensions import db
from forum.models import COLD, HIDDEN, VISIBLE, Topic, Tribe
from forum.services import topics
from forum.services.visibility import set_post_visibility
from tests.conftest import csrf_token, login


def _counts(topic):
    db.session.expire_all()
    return (db.session.get(Topic, topic.id).reply_count,
            db.session.get(Tribe, topic.tribe_id).reply_count)


def test_reply_counts_follow_its_visibility_and_deleting_it_later(make_user, make_tribe):
    asker, helper, mod = make_user("asker"), make_user("helper"), make_user("sitemod", ("moderator",))
    topic = topics.create_topic(asker, make_tribe("liuliang"), "流量怎么查询", "请教")
    reply = topics.create_reply(helper, topic, "发短信查询")
    topics.create_reply(helper, topic, "或者用 App")
    assert _counts(topic) == (2, 2)
    set_post_visibility(reply.id, HIDDEN, mod.id)
    assert _counts(topic) == (1, 1)
    set_post_visibility(reply.id, COLD, mod.id)  # hidden → cold: still not public
    assert _counts(topic) == (1, 1)
    set_post_visibility(reply.id, VISIBLE, mod.id)
    assert _counts(topic) == (2, 2)
    set_post_visibility(reply.id, HIDDEN, mod.id)
    topics.delete_post(mod, db.session.get(type(reply), reply.id))  # not counted twice
    assert _counts(topic) == (1, 1)


def test_others_cannot_like_or_open_a_cold_reply(client, make_user, make_tribe):
    asker, helper = make_user("asker"), make_user("helper")
    mod = make_user("sitemod", ("moderator",))
    make_user("bystander")
    topic = topics.create_topic(asker, make_tribe("liuliang"), "流量怎么查询", "请教")
    reply = topics.create_reply(helper, topic, "太坑了这个运营商")
    set_post_visibility(reply.id, COLD, mod.id)
    login(client, "bystander")
    assert client.get(f"/p/{reply.id}").status_code == 404
    token = csrf_token(client, f"/topic/{topic.id}")
    assert client.post(f"/post/{reply.id}/like", data={"csrf_token": token}).status_code == 404
    client.post("/logout", data={"csrf_token": token})
    login(client, "helper")  # the author still reaches it
    assert client.get(f"/p/{reply.id}").status_code == 302
