"""Notifications: who is told what, after commit only, grouped, muted, counted, idempotent."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from forum import events, uow
from forum.extensions import db
from forum.jobs import enqueue_after_commit
from forum.models import HIDDEN, Notification, Topic
from forum.services import accounts, topics
from forum.services import notifications as service
from forum.tasks import deliver_notification

# The forum's own kinds; other packages add theirs for the same actions (a first accepted
# answer also earns a badge), which these tests leave aside.
FORUM_KINDS = ("reply", "mention", "answer_accepted", "follow", "message")


def notes_of(user) -> list[Notification]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Notification).where(
        Notification.user_id == user.id, Notification.kind.in_(FORUM_KINDS))
        .order_by(Notification.id)))


def texts_of(user) -> list[str]:
    return [service.text_of(n) for n in notes_of(user)]


@pytest.fixture
def people(make_user, make_tribe):
    asker = make_user("asker", display_name="提问者")
    helper = make_user("helper", display_name="热心人")
    third = make_user("third", display_name="路人甲")
    tribe = make_tribe()
    topic = topics.create_topic(asker, tribe, "宽带晚上总掉线", "请大家帮忙看看")
    return {"asker": asker, "helper": helper, "third": third, "tribe": tribe, "topic": topic}


def test_reply_notifies_the_topic_author_with_text_and_link(people):
    reply = topics.create_reply(people["helper"], people["topic"], "重启一下光猫试试")
    [note] = notes_of(people["asker"])
    assert note.kind == "reply" and note.count == 1 and note.read_at is None
    assert service.text_of(note) == "热心人 回复了你的帖子「宽带晚上总掉线」"
    assert service.url_of(note) == f"/p/{reply.id}"
    assert notes_of(people["helper"]) == []  # the actor is never told about their own action


def test_replying_to_ones_own_topic_notifies_no_one(people):
    topics.create_reply(people["asker"], people["topic"], "补充一下：是电信光猫")
    assert notes_of(people["asker"]) == []


def test_mentions_notify_the_mentioned_but_not_the_author_twice(people):
    topics.create_reply(people["helper"], people["topic"], "@third 你遇到过吗？@asker 看这里")
    assert texts_of(people["third"]) == ["热心人 在「宽带晚上总掉线」中提到了你"]
    # The topic's author hears about the reply once, as a reply, not again as a mention.
    assert [n.kind for n in notes_of(people["asker"])] == ["reply"]


def test_mention_in_a_new_topic_and_added_by_an_edit_is_told_once(people, make_tribe):
    topic = topics.create_topic(people["helper"], people["tribe"], "请教 @third 一个问题", "@third 在吗")
    assert [n.kind for n in notes_of(people["third"])] == ["mention"]
    first = db.session.get(Topic, topic.id).first_post
    topics.edit_post(people["helper"], first, "@third 在吗？还有 @asker")
    assert [n.kind for n in notes_of(people["third"])] == ["mention"]  # not told again
    assert [n.kind for n in notes_of(people["asker"])] == ["mention"]  # newly mentioned


def test_accepted_answer_notifies_the_reply_author(people):
    reply = topics.create_reply(people["helper"], people["topic"], "换个路由器位置")
    topic = db.session.get(Topic, people["topic"].id)
    topics.accept_answer(people["asker"], topic, reply)
    kinds = [n.kind for n in notes_of(people["helper"])]
    assert kinds == ["answer_accepted"]
    assert texts_of(people["helper"]) == ["提问者 把你在「宽带晚上总掉线」的回复采纳为最佳答案"]


def test_follow_notifies_once_even_after_unfollow_and_follow_again(people):
    accounts.set_following(people["helper"], people["asker"], True)
    accounts.set_following(people["helper"], people["asker"], False)
    accounts.set_following(people["helper"], people["asker"], True)
    assert texts_of(people["asker"]) == ["热心人 关注了你"]


def test_followers_are_grouped_into_one_item(people, make_user):
    for name in ("fan_a", "fan_b", "fan_c"):
        accounts.set_following(make_user(name, display_name=name.upper()), people["asker"], True)
    [note] = notes_of(people["asker"])
    assert note.count == 3
    assert service.text_of(note) == "FAN_C、FAN_B、FAN_A 等 3 人关注了你"


def test_replies_to_one_topic_are_grouped_while_unread(people, make_user):
    for i in range(3):
        topics.create_reply(make_user(f"replier{i}"), people["topic"], f"第{i}个办法")
    [note] = notes_of(people["asker"])
    assert note.count == 3
    assert service.text_of(note).startswith("你的帖子「宽带晚上总掉线」有 3 条新回复")
    assert service.unread_count(people["asker"].id) == 3
    # Once read, the next reply starts a new item.
    service.mark_all_read(people["asker"])
    topics.create_reply(people["helper"], people["topic"], "又想到一个")
    notes = notes_of(people["asker"])
    assert [n.count for n in notes] == [3, 1]
    assert service.unread_count(people["asker"].id) == 1


def test_replies_to_different_topics_are_not_grouped(people):
    other = topics.create_topic(people["asker"], people["tribe"], "另一个问题标题", "正文")
    topics.create_reply(people["helper"], people["topic"], "回答一")
    topics.create_reply(people["helper"], other, "回答二")
    assert [n.count for n in notes_of(people["asker"])] == [1, 1]


def test_notify_waits_for_commit_and_rollback_sends_nothing(people):
    asker, helper = people["asker"], people["helper"]
    payload = {"actor_id": helper.id}
    service.notify(asker.id, "follow", payload)
    assert len(uow.pending()) == 1
    assert notes_of(asker) == []  # nothing ran before the commit (notes_of does not commit)
    db.session.rollback()
    assert uow.pending() == []
    db.session.commit()  # a later commit does not resurrect it
    assert notes_of(asker) == []
    service.notify(asker.id, "follow", payload)
    db.session.commit()
    assert [n.kind for n in notes_of(asker)] == ["follow"]


def test_a_rolled_back_reply_notifies_no_one(people):
    """A reply whose transaction fails: the event and the task vanish with it."""
    from forum.models import Post

    topic = db.session.get(Topic, people["topic"].id)
    post = Post(topic_id=topic.id, author_id=people["helper"].id, body="草稿", body_html="草稿")
    db.session.add(post)
    db.session.flush()
    events.emit(events.post_created, post_id=post.id, topic_id=topic.id, tribe_id=topic.tribe_id,
                author_id=people["helper"].id, is_first=False, mentions=[people["third"].id],
                topic_author_id=topic.author_id)
    service.notify(topic.author_id, "reply", {"actor_id": people["helper"].id,
                                              "topic_id": topic.id, "post_id": post.id})
    db.session.rollback()
    events.commit()
    assert notes_of(people["asker"]) == [] and notes_of(people["third"]) == []


def test_enqueue_after_commit_runs_the_task_after_a_plain_commit(people):
    asker, helper = people["asker"], people["helper"]
    enqueue_after_commit(deliver_notification, [asker.id], "follow", {"actor_id": helper.id})
    assert notes_of(asker) == []
    db.session.commit()
    assert len(notes_of(asker)) == 1


def test_delivering_the_same_event_twice_creates_one_notification(people):
    reply = topics.create_reply(people["helper"], people["topic"], "一次就好")
    payload = {"actor_id": people["helper"].id, "topic_id": people["topic"].id,
               "post_id": reply.id}
    # A redelivered task (acks_late after a worker crash) is harmless.
    assert deliver_notification.apply(([people["asker"].id], "reply", payload)).result == 0
    [note] = notes_of(people["asker"])
    assert note.count == 1


def test_muted_kind_creates_nothing_but_other_kinds_still_arrive(people):
    service.set_muted_kinds(people["asker"], ["reply"])
    assert service.muted_kinds(people["asker"]) == {"reply"}
    topics.create_reply(people["helper"], people["topic"], "静音的回复 @asker")
    accounts.set_following(people["helper"], people["asker"], True)
    assert [n.kind for n in notes_of(people["asker"])] == ["follow"]
    service.set_muted_kinds(people["asker"], [])
    topics.create_reply(people["third"], people["topic"], "取消静音后")
    assert [n.kind for n in notes_of(people["asker"])] == ["follow", "reply"]


def test_unknown_kinds_are_refused(people):
    with pytest.raises(ValueError):
        service.notify(people["asker"].id, "no_such_kind", {})
    with pytest.raises(service.ValidationError):
        service.set_muted_kinds(people["asker"], ["no_such_kind"])


def test_nobody_is_told_about_a_topic_they_may_not_see(people):
    topic = db.session.get(Topic, people["topic"].id)
    topic.visibility = HIDDEN
    db.session.commit()
    topics.create_reply(people["asker"], topic, "@third 你看得到吗")
    assert notes_of(people["third"]) == []


def test_a_deleted_reply_is_not_notified_later(people):
    reply = topics.create_reply(people["helper"], people["topic"], "马上删掉")
    service.mark_all_read(people["asker"])
    topics.delete_post(people["helper"], reply)
    payload = {"actor_id": people["helper"].id, "topic_id": people["topic"].id,
               "post_id": reply.id}
    assert service.deliver([people["third"].id], "mention", payload) == 0


def test_unread_count_mark_one_and_mark_all(people, make_user):
    other_topic = topics.create_topic(people["asker"], people["tribe"], "第二个问题标题", "正文")
    topics.create_reply(people["helper"], people["topic"], "a")
    topics.create_reply(people["third"], people["topic"], "b")
    topics.create_reply(people["helper"], other_topic, "c")
    asker = people["asker"]
    assert service.unread_count(asker.id) == 3
    grouped, single = notes_of(asker)
    assert service.mark_read(asker, [grouped.id]) == 1
    assert service.unread_count(asker.id) == 1
    assert service.mark_read(asker, [grouped.id]) == 0  # already read
    # Someone else's notification cannot be marked through my account.
    stranger = make_user("stranger")
    accounts.set_following(asker, stranger, True)
    [theirs] = notes_of(stranger)
    assert service.mark_read(asker, [theirs.id]) == 0
    assert service.unread_count(stranger.id) == 1
    assert service.mark_all_read(asker) == 1
    assert service.unread_count(asker.id) == 0


def test_list_is_newest_activity_first(people, make_user):
    other = topics.create_topic(people["asker"], people["tribe"], "另一个问题标题", "正文")
    topics.create_reply(people["helper"], people["topic"], "旧话题的第一条")
    topics.create_reply(people["helper"], other, "新话题")
    topics.create_reply(people["third"], people["topic"], "旧话题又有新回复")
    page = service.list_for(people["asker"], 1, 10)
    assert [n.payload["topic_title"] for n in page.items] == ["宽带晚上总掉线", "另一个问题标题"]
    assert page.items[0].count == 2


def test_purge_removes_only_old_read_notifications(people):
    from datetime import timedelta

    from forum.models import utcnow

    topics.create_reply(people["helper"], people["topic"], "a")
    accounts.set_following(people["helper"], people["asker"], True)
    old, recent = notes_of(people["asker"])
    service.mark_read(people["asker"], [old.id])
    db.session.execute(sa.update(Notification).where(Notification.id == old.id)
                       .values(updated_at=utcnow() - timedelta(days=400)))
    db.session.commit()
    assert service.purge_read(180) == 1
    assert [n.id for n in notes_of(people["asker"])] == [recent.id]
