"""Topics and posts: validation edges, revisions, soft delete, likes, accepted answers."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum.errors import Conflict, NotFound, PermissionDenied, ValidationError
from forum.extensions import db
from forum.models import Like, Post, Topic, Tribe, User
from forum.services import topics


@pytest.fixture
def world(make_user, make_tribe):
    asker = make_user("asker")
    helper = make_user("helper")
    other = make_user("other")
    tribe_mod = make_user("tribemod")
    tribe = make_tribe("liuliang", "流量管家", moderators=["tribemod"])
    topic = topics.create_topic(asker, tribe, "流量用超了怎么办", "这个月流量超了，怎么查？")
    return {"asker": asker, "helper": helper, "other": other, "mod": tribe_mod,
            "tribe": tribe, "topic": topic}


@pytest.mark.parametrize("title,ok", [("一二三", False), ("一二三四", True),
                                      ("标" * 80, True), ("标" * 81, False), ("    ", False)])
def test_title_length_edges(world, title, ok):
    call = lambda: topics.create_topic(world["asker"], world["tribe"], title, "正文")  # noqa: E731
    if ok:
        assert call().title == title
    else:
        with pytest.raises(ValidationError) as err:
            call()
        assert "title" in err.value.fields


@pytest.mark.parametrize("body,ok", [("", False), ("   ", False), ("字", True),
                                     ("字" * 20_000, True), ("字" * 20_001, False)])
def test_body_length_edges(world, body, ok):
    if ok:
        assert topics.create_reply(world["helper"], world["topic"], body).body == body.strip()
    else:
        with pytest.raises(ValidationError) as err:
            topics.create_reply(world["helper"], world["topic"], body)
        assert "body" in err.value.fields


def test_tags_are_parsed_deduplicated_and_limited(world):
    topic = topics.create_topic(world["asker"], world["tribe"], "标签测试帖子", "正文",
                                "5G，套餐 #流量 5G")
    assert sorted(t.name for t in topic.tags) == ["5G", "套餐", "流量"]
    with pytest.raises(ValidationError):
        topics.create_topic(world["asker"], world["tribe"], "标签太多的帖", "正文", "a b c d e f")


def test_counters_follow_topics_and_replies(world):
    topic, tribe = world["topic"], world["tribe"]
    topics.create_reply(world["helper"], topic, "发送CXLL到10086")
    topics.create_reply(world["other"], topic, "营业厅也能查")
    db.session.refresh(tribe)
    db.session.refresh(topic)
    assert (tribe.topic_count, tribe.reply_count, topic.reply_count) == (1, 2, 2)
    assert world["helper"].reply_count == 1 and world["asker"].topic_count == 1


def test_edit_keeps_revision_and_marks_edited(world):
    post = world["topic"].first_post
    topics.edit_post(world["asker"], post, "更新后的正文", title="流量用超了怎么办？已更新")
    assert post.edit_count == 1 and post.edited_at is not None
    assert world["topic"].title == "流量用超了怎么办？已更新"
    (rev,) = topics.revisions(post)
    assert rev.body == "这个月流量超了，怎么查？" and rev.title == "流量用超了怎么办"


def test_edit_without_change_adds_no_revision(world):
    post = world["topic"].first_post
    topics.edit_post(world["asker"], post, post.body)
    assert topics.revisions(post) == [] and post.edit_count == 0


def test_others_cannot_edit_or_delete_but_tribe_moderator_can(world):
    post = world["topic"].first_post
    with pytest.raises(PermissionDenied):
        topics.edit_post(world["other"], post, "篡改")
    with pytest.raises(PermissionDenied):
        topics.delete_post(world["other"], post)
    topics.edit_post(world["mod"], post, "版主修正了格式")
    assert topics.revisions(post)[0].editor_id == world["mod"].id


def test_soft_delete_of_reply_keeps_the_row_and_adjusts_counts(world):
    reply = topics.create_reply(world["helper"], world["topic"], "一条回复")
    topics.delete_post(world["helper"], reply)
    row = db.session.get(Post, reply.id)
    assert row is not None and row.deleted_at is not None and row.body == "一条回复"
    db.session.refresh(world["topic"])
    assert world["topic"].reply_count == 0
    with pytest.raises(NotFound):
        topics.get_post_or_404(reply.id, world["helper"])


def test_deleting_opening_post_hides_topic_from_everyone_but_moderators(world):
    topic = world["topic"]
    topics.delete_post(world["asker"], topic.first_post)
    assert db.session.get(Topic, topic.id).deleted_at is not None
    with pytest.raises(NotFound):
        topics.get_topic_or_404(topic.id, world["asker"])
    assert topics.get_topic_or_404(topic.id, world["mod"]).id == topic.id
    assert db.session.get(Tribe, world["tribe"].id).topic_count == 0
    assert topics.latest_topics() == []


def test_like_is_one_per_user_and_toggles(world):
    post = world["topic"].first_post
    assert topics.set_like(world["helper"], post, True) == (True, 1)
    assert topics.set_like(world["helper"], post, True) == (True, 1)
    assert topics.toggle_like(world["other"], post) == (True, 2)
    assert topics.toggle_like(world["other"], post) == (False, 1)
    db.session.refresh(world["topic"])
    assert world["topic"].like_count == 1
    assert db.session.get(User, world["asker"].id).like_received_count == 1


def test_cannot_like_own_post(world):
    with pytest.raises(Conflict) as err:
        topics.set_like(world["asker"], world["topic"].first_post, True)
    assert "自己" in err.value.message


def test_accept_answer_is_one_per_topic_and_changeable(world):
    topic = world["topic"]
    first = topics.create_reply(world["helper"], topic, "答案一")
    second = topics.create_reply(world["other"], topic, "答案二")
    topics.accept_answer(world["asker"], topic, first)
    assert topic.solved and topic.accepted_post_id == first.id
    topics.accept_answer(world["asker"], topic, second)
    assert topic.accepted_post_id == second.id
    db.session.refresh(world["tribe"])
    assert world["tribe"].solved_count == 1
    assert db.session.get(User, world["helper"].id).accepted_count == 0
    assert db.session.get(User, world["other"].id).accepted_count == 1


def test_tribe_moderator_may_accept_others_may_not(world):
    reply = topics.create_reply(world["helper"], world["topic"], "答案")
    with pytest.raises(PermissionDenied):
        topics.accept_answer(world["other"], world["topic"], reply)
    with pytest.raises(PermissionDenied):
        topics.accept_answer(world["helper"], world["topic"], reply)
    topics.accept_answer(world["mod"], world["topic"], reply)
    assert world["topic"].solved


def test_cannot_accept_opening_post_or_reply_of_another_topic(world):
    elsewhere = topics.create_topic(world["other"], world["tribe"], "另一个问题帖", "正文")
    foreign = topics.create_reply(world["helper"], elsewhere, "别处的回复")
    with pytest.raises(ValidationError):
        topics.accept_answer(world["asker"], world["topic"], foreign)
    with pytest.raises(ValidationError):
        topics.accept_answer(world["asker"], world["topic"], world["topic"].first_post)


def test_deleting_accepted_reply_unsolves_topic(world):
    reply = topics.create_reply(world["helper"], world["topic"], "答案")
    topics.accept_answer(world["asker"], world["topic"], reply)
    topics.delete_post(world["helper"], reply)
    assert not world["topic"].solved
    assert db.session.get(Tribe, world["tribe"].id).solved_count == 0


def test_tribe_page_lists_pinned_first_then_newest_activity(world, make_user):
    tribe = world["tribe"]
    older = topics.create_topic(world["asker"], tribe, "较早的帖子标题", "正文")
    newer = topics.create_topic(world["asker"], tribe, "较新的帖子标题", "正文")
    topics.create_reply(world["helper"], older, "顶")  # activity moves it to the top
    world["topic"].is_pinned = True
    db.session.commit()
    from forum.services.tribes import tribe_topics

    page = tribe_topics(tribe, 1, 20)
    assert [t.id for t in page.items] == [world["topic"].id, older.id, newer.id]
    assert page.total == 3


def test_topic_page_shows_accepted_reply_even_on_another_page(world):
    replies = [topics.create_reply(world["helper"], world["topic"], f"回复{i}") for i in range(5)]
    topics.accept_answer(world["asker"], world["topic"], replies[0])
    view = topics.topic_page(world["topic"], world["other"], page=2, per_page=2)
    assert [p.id for p in view.replies.items] == [replies[2].id, replies[3].id]
    assert view.accepted_post.id == replies[0].id
    assert view.replies.pages == 3


def test_hot_topics_rank_recent_replies_and_likes(world):
    quiet = topics.create_topic(world["asker"], world["tribe"], "冷门帖子标题", "正文")
    busy = topics.create_topic(world["asker"], world["tribe"], "热门帖子标题", "正文")
    for i in range(3):
        topics.create_reply(world["helper"], busy, f"回复{i}")
    topics.set_like(world["helper"], quiet.first_post, True)
    old = topics.create_reply(world["helper"], quiet, "很久以前的回复")
    old.created_at = old.created_at - timedelta(days=30)
    db.session.commit()
    hot = topics.hot_topics(limit=2, days=7)
    assert [t.id for t in hot] == [busy.id, quiet.id]


def test_view_counter_buffers_and_flushes_in_one_batch(world):
    topic = world["topic"]
    for _ in range(5):
        topics.view_counter.record(topic.id)
    assert db.session.scalar(sa.select(Topic.view_count).where(Topic.id == topic.id)) == 0
    assert topics.view_counter.flush() == 5
    assert db.session.scalar(sa.select(Topic.view_count).where(Topic.id == topic.id)) == 5


def test_likes_table_has_one_row_per_user_and_post(world):
    post = world["topic"].first_post
    topics.set_like(world["helper"], post, True)
    topics.set_like(world["helper"], post, False)
    topics.set_like(world["helper"], post, True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Like)) == 1
