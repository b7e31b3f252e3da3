"""New users (trust level 0): link and image limits, held first posts, the review queue."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum.errors import ValidationError
from forum.extensions import db
from forum.models import PENDING, VISIBLE, Notification, Topic, User, utcnow
from forum.services import review, topics, trust
from tests.conftest import csrf_token, login

IMG = "![图片](/uploads/" + "a" * 32 + ".png)"


@pytest.fixture
def newbie(make_user):
    return make_user("newbie")


@pytest.fixture
def veteran(make_user):
    user = make_user("veteran")
    user.created_at = utcnow() - timedelta(days=30)
    user.topic_count, user.reply_count = 2, 1
    db.session.commit()
    return user


def test_who_is_new(newbie, veteran, make_user, app):
    assert trust.is_new_user(newbie)
    assert not trust.is_new_user(veteran)
    old_but_silent = make_user("silent")
    old_but_silent.created_at = utcnow() - timedelta(days=30)
    old_but_silent.reply_count = 2  # 2 < 3 published posts
    db.session.commit()
    assert trust.is_new_user(old_but_silent)
    staff = make_user("staff", roles=("moderator",))
    assert not trust.is_new_user(staff)


def test_new_user_may_post_two_links_and_one_image_not_more(newbie, veteran, make_tribe):
    tribe = make_tribe("liuliang")
    ok = topics.create_topic(newbie, tribe, "两个链接", f"看 https://a.example 和 www.b.example {IMG}")
    assert ok.id
    with pytest.raises(ValidationError) as three_links:
        topics.create_topic(newbie, tribe, "三个链接",
                            "https://a.example http://b.example https://c.example")
    assert "新用户每帖最多 2 个链接和 1 张图片" in three_links.value.message
    assert "body" in three_links.value.fields
    with pytest.raises(ValidationError):
        topics.create_reply(newbie, ok, f"{IMG} {IMG}")
    # the same text is fine for someone established
    assert topics.create_reply(veteran, ok, "https://a.example http://b.example https://c.example")


def test_link_limit_applies_to_edits_too(newbie, make_tribe):
    topic = topics.create_topic(newbie, make_tribe("kuandai"), "宽带问题", "没有链接")
    with pytest.raises(ValidationError):
        topics.edit_post(newbie, topic.first_post, "https://a.x https://b.x https://c.x")


def test_link_limit_form_keeps_the_text(client, newbie, make_tribe):
    make_tribe("5g")
    login(client, "newbie")
    token = csrf_token(client, "/t/5g/new")
    body = "推荐 https://a.example https://b.example https://c.example 这三个网站"
    response = client.post("/t/5g/new", data={"title": "推荐网站", "body": body, "tags": "",
                                              "csrf_token": token})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "新用户每帖最多 2 个链接" in page
    assert "这三个网站" in page


@pytest.fixture
def held_tribe(make_tribe, make_user):
    mod = make_user("tribe_mod")  # a customer who moderates this tribe only
    tribe = make_tribe("billing", moderators=[mod.username])
    tribe.hold_new_user_posts = True
    db.session.commit()
    return tribe


def test_first_post_of_a_new_user_is_held_and_invisible_to_others(
        client, newbie, held_tribe, make_user):
    topic = topics.create_topic(newbie, held_tribe, "话费多扣了", "帮我看看账单")
    assert topic.visibility == PENDING and topic.first_post.visibility == PENDING
    db.session.refresh(held_tribe)
    assert held_tribe.topic_count == 0  # not counted until approved
    # others: not in lists, topic page 404
    make_user("stranger")
    login(client, "stranger")
    assert "话费多扣了" not in client.get("/t/billing").get_data(as_text=True)
    assert client.get(f"/topic/{topic.id}").status_code == 404
    assert client.get(f"/api/v1/topics/{topic.id}").status_code == 404
    # the author sees it, marked 待审核
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login(client, "newbie")
    page = client.get(f"/topic/{topic.id}").get_data(as_text=True)
    assert "待审核" in page and "帮我看看账单" in page
    # the tribe's moderator was told
    note = db.session.scalar(sa.select(Notification).where(Notification.kind == "post_held"))
    assert note is not None


def test_only_the_first_post_in_the_tribe_is_held(newbie, held_tribe, make_user):
    mod = db.session.scalar(sa.select(User).where(User.username == "tribe_mod"))
    first = topics.create_topic(newbie, held_tribe, "我的第一帖子", "内容")
    review.approve(mod, first.first_post_id)
    second = topics.create_topic(newbie, held_tribe, "我的第二帖子", "内容")
    assert second.visibility == VISIBLE


def test_approval_publishes_counts_and_announces(client, newbie, held_tribe, make_user):
    asker = make_user("asker")
    open_topic = topics.create_topic(asker, held_tribe, "有人知道吗", "问题")
    # asker posted first while the tribe held posts? asker is new too: approve it first
    mod = db.session.scalar(sa.select(User).where(User.username == "tribe_mod"))
    review.approve(mod, open_topic.first_post_id)
    reply = topics.create_reply(newbie, open_topic, "我知道，打 10086")
    assert reply.visibility == PENDING
    assert db.session.get(Topic, open_topic.id).reply_count == 0
    login(client, "tribe_mod")
    queue = client.get("/review").get_data(as_text=True)
    assert "我知道，打 10086" in queue
    token = csrf_token(client, "/review")
    assert client.post(f"/review/{reply.id}/approve",
                       data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Topic, open_topic.id).reply_count == 1
    assert reply.visibility == VISIBLE
    kinds = set(db.session.scalars(sa.select(Notification.kind)
                                   .where(Notification.user_id == asker.id)))
    assert "reply" in kinds  # announced as a new reply only now
    again = client.post(f"/review/{reply.id}/approve", data={"csrf_token": token},
                        follow_redirects=True)
    assert "这条帖子已经审核过了" in again.get_data(as_text=True)


def test_rejection_needs_a_reason_and_tells_the_author(client, newbie, held_tribe):
    topic = topics.create_topic(newbie, held_tribe, "出售靓号广告帖", "买卖号码")
    login(client, "tribe_mod")
    token = csrf_token(client, "/review")
    empty = client.post(f"/review/{topic.first_post_id}/reject",
                        data={"csrf_token": token, "reason": " "}, follow_redirects=True)
    assert "请填写不通过的原因" in empty.get_data(as_text=True)
    assert db.session.get(Topic, topic.id).visibility == PENDING
    client.post(f"/review/{topic.first_post_id}/reject",
                data={"csrf_token": token, "reason": "广告内容"})
    db.session.expire_all()
    assert db.session.get(Topic, topic.id).deleted_at is not None
    note = db.session.scalar(sa.select(Notification).where(
        Notification.user_id == newbie.id, Notification.kind == "post_rejected"))
    assert note is not None and note.payload["reason"] == "广告内容"


def test_review_queue_is_for_moderators_of_the_tribe(client, newbie, held_tribe, make_user,
                                                    make_tribe):
    topic = topics.create_topic(newbie, held_tribe, "等待审核的帖子", "内容")
    make_user("customer")
    login(client, "customer")
    assert client.get("/review").status_code == 403
    token = csrf_token(client)
    assert client.post(f"/review/{topic.first_post_id}/approve",
                       data={"csrf_token": token}).status_code == 403
    client.post("/logout", data={"csrf_token": token})
    other_mod = make_user("other_mod")
    make_tribe("mail", moderators=[other_mod.username])
    login(client, "other_mod")
    assert "等待审核的帖子" not in client.get("/review").get_data(as_text=True)
    token = csrf_token(client)
    assert client.post(f"/review/{topic.first_post_id}/approve",
                       data={"csrf_token": token}).status_code == 403


def test_admin_switches_holding_on_in_the_tribe_form(client, make_user, make_tribe):
    make_user("boss", roles=("admin",))
    make_tribe("family")
    login(client, "boss")
    token = csrf_token(client, "/admin/tribes/family/edit")
    response = client.post("/admin/tribes/family/edit", data={
        "csrf_token": token, "name": "家庭", "slug": "family", "description": "",
        "icon": "🏠", "position": "0", "moderators": "", "hold_new_user_posts": "y"})
    assert response.status_code == 302
    from forum.models import Tribe

    assert db.session.scalar(sa.select(Tribe).where(Tribe.slug == "family")).hold_new_user_posts


def test_author_deleting_a_held_topic_deletes_the_topic(newbie, held_tribe):
    topic = topics.create_topic(newbie, held_tribe, "我发错了的帖子", "删掉")
    topics.delete_post(newbie, topic.first_post)
    db.session.expire_all()
    assert db.session.get(Topic, topic.id).deleted_at is not None
    assert db.session.get(type(held_tribe), held_tribe.id).topic_count == 0
