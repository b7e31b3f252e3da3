"""Events are sent after commit, carry ids (and mentions), and vanish on rollback."""

from contextlib import contextmanager

import sqlalchemy as sa

from forum import events
from forum.extensions import db
from forum.models import Post, Topic
from forum.services import accounts, topics


@contextmanager
def captured(signal):
    received = []

    def handler(sender, **payload):
        # The row must already be committed: read it through a separate connection.
        with db.engine.connect() as conn:
            payload["_visible_elsewhere"] = conn.execute(
                sa.select(sa.func.count()).select_from(Post).where(Post.id == payload.get("post_id"))
            ).scalar() == 1 if "post_id" in payload else None
        received.append(payload)

    signal.connect(handler, weak=False)
    try:
        yield received
    finally:
        signal.disconnect(handler)


def test_post_created_is_sent_after_commit_with_mentions(make_user, make_tribe):
    author, mentioned = make_user("author"), make_user("mentioned")
    tribe = make_tribe()
    with captured(events.post_created) as got:
        topic = topics.create_topic(author, tribe, "提到别人的帖子", "请 @mentioned 看看 @nobody")
    assert len(got) == 1
    assert got[0]["topic_id"] == topic.id and got[0]["is_first"] is True
    assert got[0]["mentions"] == [mentioned.id]
    assert got[0]["_visible_elsewhere"] is True


def test_rolled_back_work_sends_nothing(app):
    with captured(events.post_created) as got:
        events.emit(events.post_created, post_id=-1)
        db.session.rollback()
        events.commit()
    assert got == []


def test_each_action_emits_its_event(make_user, make_tribe):
    asker, helper = make_user("asker"), make_user("helper")
    tribe = make_tribe()
    topic = topics.create_topic(asker, tribe, "问题帖子标题", "正文")
    seen = {}
    names = ["post_created", "post_edited", "post_removed", "post_liked", "answer_accepted",
             "user_followed", "user_registered"]
    handlers = {}
    for name in names:
        def handler(sender, _name=name, **payload):
            seen.setdefault(_name, []).append(payload)
        handlers[name] = handler
        getattr(events, name).connect(handler, weak=False)
    try:
        reply = topics.create_reply(helper, topic, "回复")
        topics.edit_post(helper, reply, "改过的回复")
        topics.set_like(helper, topic.first_post, True)
        topics.accept_answer(asker, topic, reply)
        accounts.set_following(helper, asker, True)
        accounts.register_user("newcomer", "新人", "12345678")
        topics.delete_post(helper, reply)
    finally:
        for name, handler in handlers.items():
            getattr(events, name).disconnect(handler)
    assert seen["post_created"][0]["topic_author_id"] == asker.id
    assert seen["post_edited"][0]["editor_id"] == helper.id
    assert seen["post_liked"][0] | {"liked": True} == seen["post_liked"][0]
    assert seen["answer_accepted"][0]["post_author_id"] == helper.id
    assert seen["user_followed"][0] == {"follower_id": helper.id, "followed_id": asker.id,
                                        "following": True}
    assert seen["user_registered"][0]["username"] == "newcomer"
    assert seen["post_removed"][0]["by_moderator"] is False
    assert db.session.get(Topic, topic.id).accepted_post_id is None


def test_failing_handler_does_not_undo_the_action(make_user, make_tribe):
    author = make_user("author")
    tribe = make_tribe()

    def broken(sender, **payload):
        raise RuntimeError("subscriber bug")

    events.post_created.connect(broken)
    try:
        topic = topics.create_topic(author, tribe, "处理器出错也要保存", "正文")
    finally:
        events.post_created.disconnect(broken)
    assert db.session.get(Topic, topic.id) is not None


def test_failing_handler_does_not_keep_the_event_from_the_others(make_user, make_tribe):
    author = make_user("author")
    tribe = make_tribe()
    received = []

    def broken(sender, **payload):
        raise RuntimeError("subscriber bug")

    def healthy(sender, **payload):
        received.append(payload["post_id"])

    events.post_created.connect(broken, weak=False)
    events.post_created.connect(healthy, weak=False)
    try:
        topic = topics.create_topic(author, tribe, "一个处理器出错", "其他处理器照常收到")
    finally:
        events.post_created.disconnect(broken)
        events.post_created.disconnect(healthy)
    assert received == [topic.first_post_id]
