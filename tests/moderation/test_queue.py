"""The moderation queue: negative posts enter it, ordered by the information influence
index then age, filtered, scoped to the moderator's tribes, and pushed live."""

from __future__ import annotations

import sqlalchemy as sa

from forum.extensions import db
from forum.services.topics import create_reply, create_topic
from moderation.models import QueueItem
from moderation.services import queue


def _rows(user, **filters):
    return queue.list_queue(user, queue.QueueFilters(**filters), 1, 20).items


def test_negative_score_puts_the_post_in_the_queue_once(scene, flag):
    flag(scene.post)
    flag(scene.post, score=95)
    items = db.session.scalars(sa.select(QueueItem)).all()
    assert [(i.post_id, i.status) for i in items] == [(scene.post.id, "open")]


def test_a_score_below_the_threshold_does_not_queue(scene, flag):
    flag(scene.post, score=10, negative=False)
    assert _rows(scene.moderator) == []


def test_queue_orders_by_influence_index_then_age(scene, flag, make_user):
    loud = make_user("loud")
    loud.influence = 90.0
    db.session.commit()
    older = create_reply(scene.other, scene.topic, "我也被乱扣费了，太坑")
    newer = create_reply(scene.other, scene.topic, "同样被扣费，投诉无门")
    influential = create_reply(loud, scene.topic, "扣费问题不解决我就曝光")
    flag(older, relevance=40, sentiment=40)
    flag(newer, relevance=40, sentiment=40)
    flag(influential, relevance=40, sentiment=40)
    flag(scene.post, relevance=90, sentiment=90)
    rows = _rows(scene.moderator)
    assert [r.post.id for r in rows] == [scene.post.id, influential.id, older.id, newer.id]
    assert rows[0].index == 180.0
    assert rows[1].index == 170.0


def test_filters_by_tribe_demand_and_status(scene, flag):
    elsewhere = create_topic(scene.other, scene.other_tribe, "宽带又断网了", "宽带天天断网，投诉")
    flag(scene.post, demand="compensation")
    flag(elsewhere.first_post, demand="venting")
    assert [r.post.id for r in _rows(scene.moderator, tribe_id=scene.other_tribe.id)] == [
        elsewhere.first_post.id]
    assert [r.post.id for r in _rows(scene.moderator, demand="compensation")] == [scene.post.id]
    assert _rows(scene.moderator, status="dismissed") == []


def test_a_moderators_demand_choice_overrides_the_suggestion_and_shows_its_handling(
        scene, flag):
    from moderation.services import actions

    flag(scene.post, demand="venting")
    actions.perform(scene.moderator, scene.post.id, "set_demand", {"demand": "saving"})
    row = _rows(scene.moderator, demand="saving")[0]
    assert row.demand_code == "saving"
    assert row.demand.handling == "正面引导、话费理财"
    assert row.score.demand == "venting"  # the scorer's suggestion is kept


def test_tribe_moderators_see_only_their_tribes(scene, flag):
    elsewhere = create_topic(scene.other, scene.other_tribe, "宽带又断网了", "宽带天天断网，投诉")
    flag(scene.post)
    flag(elsewhere.first_post)
    assert [r.post.id for r in _rows(scene.tribe_mod)] == [scene.post.id]
    assert len(_rows(scene.moderator)) == 2


def test_queue_rows_show_the_authors_history(scene, flag):
    second = create_reply(scene.customer, scene.topic, "还是没人管，继续投诉")
    flag(scene.post)
    flag(second)
    row = next(r for r in _rows(scene.moderator) if r.post.id == second.id)
    assert row.post_count == 2
    assert row.previous_flags == 1
    assert row.keywords == ["扣费", "投诉"]


def test_an_edited_post_scored_negative_again_is_reopened(scene, flag):
    from moderation.services import actions

    flag(scene.post)
    actions.perform(scene.moderator, scene.post.id, "dismiss", {})
    flag(scene.post, negative=False, score=10)
    flag(scene.post)
    assert _rows(scene.moderator)[0].item.status == "open"


def test_new_queue_items_are_pushed_live_to_connected_moderators(app, scene, flag, client):
    from forum.extensions import socketio
    from tests.conftest import login

    login(client, "kefu")
    mod_socket = socketio.test_client(app, flask_test_client=client)
    assert mod_socket.is_connected()
    mod_socket.get_received()
    flag(scene.post)
    received = [e for e in mod_socket.get_received() if e["name"] == "queue_item"]
    assert received and received[0]["args"][0]["post_id"] == scene.post.id
    assert received[0]["args"][0]["url"] == f"/moderation/queue/{scene.post.id}"
    mod_socket.disconnect()


def test_tribe_moderators_get_their_tribes_items_live_in_their_own_room(app, scene, flag):
    from forum.extensions import socketio
    from tests.conftest import login

    client = app.test_client()
    login(client, "tribe_mod")
    sock = socketio.test_client(app, flask_test_client=client)
    sock.get_received()
    flag(scene.post)
    assert any(e["name"] == "queue_item" for e in sock.get_received())
    sock.disconnect()


def test_customers_cannot_read_the_queue(scene):
    import pytest

    from forum.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        _rows(scene.customer)
