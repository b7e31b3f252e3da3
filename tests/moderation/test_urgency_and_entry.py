"""Who enters the queue and in what order: urgency tier first (a regulator or media threat
is on the first page whoever wrote it), official posts and proxies' answers never."""

from __future__ import annotations

import sqlalchemy as sa

from forum.extensions import db
from forum.services.topics import create_reply, create_topic
from moderation.models import QueueItem
from moderation.scoring import services as scoring
from moderation.services import queue
from tests.conftest import login
from tests.forum.test_api_openapi import documented

THREAT = ("乱扣费再不退我就去工信部投诉",
          "这个月又莫名其妙扣了我58块，打客服三次都说查不到，再不退我就去工信部投诉，"
          "还要找媒体曝光！")


def _queued_ids() -> set[int]:
    db.session.expire_all()
    return set(db.session.scalars(sa.select(QueueItem.post_id)))


def _first_page(user, per_page=20):
    return queue.list_queue(user, queue.QueueFilters(), 1, per_page)


def test_a_new_customers_regulator_threat_tops_many_higher_index_items(
        app, scene, flag, make_user):
    loud = make_user("loud_vip")
    loud.influence = 95.0
    db.session.commit()
    for n in range(25):
        post = create_reply(loud, scene.topic, f"第{n}次说了，网速太慢，扣费也不对")
        flag(post, relevance=95, sentiment=95)
    newcomer = make_user("newcomer")  # zero influence, no history
    threat = create_topic(newcomer, scene.tribe, *THREAT).first_post
    row = scoring.score_post(threat.id)  # the real scorer: intensity and cues from the text
    assert row.intensity == 3 and any("工信部" in cue for cue in row.cues)
    page = _first_page(scene.moderator)
    assert page.total == 26
    first = page.items[0]
    assert first.post.id == threat.id
    assert first.tier == "urgent" and first.tier_label == "紧急"
    assert first.index < page.items[1].index  # it is there by urgency, not by index


def test_tiers_order_urgent_then_pressing_then_index_then_age(scene, flag, make_user):
    posts = [create_reply(scene.other, scene.topic, f"扣费问题 {n}") for n in range(4)]
    flag(posts[0], relevance=99, sentiment=99, intensity=0)
    flag(posts[1], relevance=10, sentiment=10, intensity=2, cues=("反复投诉",))
    flag(posts[2], relevance=10, sentiment=10, intensity=3, cues=("媒体",))
    flag(posts[3], relevance=10, sentiment=10, intensity=3, cues=("律师",))
    rows = _first_page(scene.moderator).items
    order = [r.post.id for r in rows if r.post.id in {p.id for p in posts}]
    assert order == [posts[2].id, posts[3].id, posts[1].id, posts[0].id]
    assert [r.tier_label for r in rows if r.post.id in {p.id for p in posts}] == [
        "紧急", "紧急", "较急", "普通"]


def test_tier_and_cues_on_the_list_the_item_page_the_api_and_the_live_event(
        app, scene, flag, api_token):
    flag(scene.post, intensity=3, cues=("工信部", "媒体"))
    mod = app.test_client()
    login(mod, "kefu")
    for path in ("/moderation/queue", f"/moderation/queue/{scene.post.id}"):
        html = mod.get(path).get_data(as_text=True)
        assert "badge-tier-urgent" in html and "紧急" in html
        assert "原因：工信部；媒体" in html
    resp = app.test_client().get("/api/v1/moderation/queue",
                                 headers=api_token(scene.moderator))
    item = documented(resp, "get", "/moderation/queue")["items"][0]
    assert item["urgency"] == {"tier": "urgent", "label": "紧急", "intensity": 3,
                               "cues": ["工信部", "媒体"]}
    payload = queue.live_payload(db.session.scalar(sa.select(QueueItem)))
    assert (payload["tier"], payload["tier_label"], payload["cues"]) == (
        "urgent", "紧急", ["工信部", "媒体"])


def test_a_plain_negative_post_is_normal_tier_without_cues(scene, flag):
    flag(scene.post)
    row = _first_page(scene.moderator).items[0]
    assert (row.tier, row.tier_label, row.cues) == ("normal", "普通", [])


# --- who enters the queue ----------------------------------------------------------------


def test_official_posts_are_scored_but_never_queued(scene, flag, make_user):
    staff = make_user("kefu_anan", roles=("employee",))
    welcome = create_topic(staff, scene.tribe, "欢迎来到话费与账单：发帖须知",
                           "乱扣费、投诉请按格式发帖，工信部投诉渠道见下文")
    by_moderator = create_reply(scene.moderator, scene.topic, "扣费问题已转工单，请勿重复投诉")
    by_tribe_mod = create_topic(scene.tribe_mod, scene.tribe, "本部落投诉须知", "投诉扣费请附截图")
    rules = create_topic(scene.other, scene.tribe, "置顶：版规", "辱骂、刷屏一律删帖，投诉请走工单")
    rules.is_pinned = True
    db.session.commit()
    proxy = make_user("daili", roles=("customer", "proxy"))
    proxy_answer = create_reply(proxy, scene.topic, "扣费可以在APP账单里查明细，不对就申请退费")
    for post in (welcome.first_post, by_moderator, by_tribe_mod.first_post, rules.first_post,
                 proxy_answer):
        flag(post, score=95, intensity=3, cues=("工信部",))
    queue.sync_from_scores()  # the safety net does not queue them either
    assert _queued_ids() == set()
    from moderation.scoring.models import PostScore
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PostScore)) == 5


def test_customers_and_proxies_own_complaints_are_queued(scene, flag, make_user):
    proxy = make_user("daili", roles=("customer", "proxy"))
    own = create_topic(proxy, scene.tribe, "我自己的宽带也断了", "断网三天没人修，投诉")
    customer_reply = create_reply(scene.other, scene.topic, "我也被乱扣了，投诉无门")
    # A tribe moderator is a customer elsewhere: their complaint in another tribe counts.
    tribe_mod_elsewhere = create_topic(scene.tribe_mod, scene.other_tribe, "宽带断网", "断网一周")
    for post in (own.first_post, customer_reply, tribe_mod_elsewhere.first_post):
        flag(post)
    assert _queued_ids() == {own.first_post.id, customer_reply.id,
                             tribe_mod_elsewhere.first_post.id}


def test_a_customer_reply_that_answers_a_question_is_not_queued(scene):
    question = create_topic(scene.other, scene.tribe, "请问怎么查话费明细？",
                            "想看看上个月的话费都花在哪了，在哪里查？")
    answer = create_reply(scene.customer, question,
                          "在营业厅APP首页点“账单查询”，选月份就能看到明细，我昨天刚查过。")
    for post in (question.first_post, answer):
        row = scoring.score_post(post.id)
        assert row is not None and not row.negative, post.body
    assert _queued_ids() == set()


def test_a_reply_the_scorer_finds_not_negative_is_not_queued(scene, flag):
    reply = create_reply(scene.other, scene.topic, "谢谢分享")
    flag(reply, score=20, negative=False)
    assert _queued_ids() == set()


def test_open_items_of_posts_that_became_official_leave_the_queue_on_sync(scene, flag):
    from moderation.models import AuditEntry

    rules = create_topic(scene.other, scene.tribe, "本部落发帖规则", "投诉扣费请附截图，辱骂删帖")
    flag(rules.first_post)
    flag(scene.post)
    rules.is_pinned = True  # pinned as the tribe's rules after it was queued
    db.session.commit()
    queue.sync_from_scores()
    db.session.expire_all()
    status = dict(db.session.execute(sa.select(QueueItem.post_id, QueueItem.status)).all())
    assert status == {rules.first_post.id: "dismissed", scene.post.id: "open"}
    assert db.session.scalar(sa.select(AuditEntry.action).where(
        AuditEntry.target_id == str(rules.first_post.id))) == "official_dismiss"
