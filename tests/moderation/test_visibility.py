"""Cold handling (特殊冷处理) and hiding through forum.services.visibility: the post leaves
lists, feeds and the API for everyone but its author (and moderators)."""

from __future__ import annotations

import pytest

from forum.extensions import db
from forum.models import COLD, HIDDEN, VISIBLE, Tribe
from forum.services.topics import create_reply, latest_topics
from forum.services.visibility import set_post_visibility
from tests.conftest import login


@pytest.fixture
def cold_topic(scene, flag):
    from moderation.services import actions

    flag(scene.post)
    actions.perform(scene.moderator, scene.post.id, "cold", {})
    return scene


def test_cold_topic_leaves_the_tribe_list_and_latest_topics(cold_topic, client):
    assert cold_topic.topic.id not in [t.id for t in latest_topics()]
    html = client.get("/t/huafei").get_data(as_text=True)
    assert "又乱扣我话费了" not in html
    assert db.session.get(Tribe, cold_topic.tribe.id).topic_count == 0


def test_cold_topic_is_404_to_others_but_readable_by_its_author(cold_topic, app):
    other = app.test_client()
    login(other, "bystander")
    assert other.get(f"/topic/{cold_topic.topic.id}").status_code == 404
    author = app.test_client()
    login(author, "angry")
    page = author.get(f"/topic/{cold_topic.topic.id}")
    assert page.status_code == 200 and "又乱扣我话费了" in page.get_data(as_text=True)
    assert app.test_client().get(f"/topic/{cold_topic.topic.id}").status_code == 404


def test_cold_topic_is_404_in_the_api_and_absent_from_tribe_topics(cold_topic, client,
                                                                   api_token):
    others = api_token(cold_topic.other)
    assert client.get(f"/api/v1/topics/{cold_topic.topic.id}", headers=others).status_code == 404
    listed = client.get("/api/v1/tribes/huafei/topics", headers=others).get_json()
    assert listed["items"] == [] and listed["total"] == 0
    mine = client.get(f"/api/v1/topics/{cold_topic.topic.id}",
                      headers=api_token(cold_topic.customer))
    assert mine.status_code == 200


def test_cold_reply_is_hidden_from_others_on_the_topic_page_and_api(scene, flag, app, client,
                                                                     api_token):
    from moderation.services import actions

    reply = create_reply(scene.customer, scene.topic, "继续投诉，工信部见")
    flag(reply)
    actions.perform(scene.moderator, reply.id, "cold", {})
    other = app.test_client()
    login(other, "bystander")
    assert "工信部见" not in other.get(f"/topic/{scene.topic.id}").get_data(as_text=True)
    author = app.test_client()
    login(author, "angry")
    assert "工信部见" in author.get(f"/topic/{scene.topic.id}").get_data(as_text=True)
    assert client.get(f"/api/v1/replies/{reply.id}", headers=api_token(scene.other)
                      ).status_code in (404, 405)
    data = client.get(f"/api/v1/topics/{scene.topic.id}", headers=api_token(scene.other)).get_json()
    assert "工信部见" not in str(data)


def test_restoring_brings_the_topic_and_the_counters_back(cold_topic):
    set_post_visibility(cold_topic.post.id, VISIBLE, cold_topic.moderator.id)
    assert db.session.get(Tribe, cold_topic.tribe.id).topic_count == 1
    assert cold_topic.topic.id in [t.id for t in latest_topics()]


def test_moving_between_hidden_and_cold_keeps_counters(cold_topic):
    set_post_visibility(cold_topic.post.id, HIDDEN, cold_topic.moderator.id)
    assert db.session.get(Tribe, cold_topic.tribe.id).topic_count == 0
    set_post_visibility(cold_topic.post.id, COLD, cold_topic.moderator.id)
    assert db.session.get(Tribe, cold_topic.tribe.id).topic_count == 0


def test_unknown_visibility_is_refused(scene):
    from forum.errors import ValidationError

    with pytest.raises(ValidationError):
        set_post_visibility(scene.post.id, "invisible", scene.moderator.id)
