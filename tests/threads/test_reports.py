"""举报: reasons and note, one open report per member and post, the moderation queue hears it
as a 举报 item with the reporters' count; page and API, with the bad inputs."""

import pytest
import sqlalchemy as sa

from forum import events
from forum.errors import Conflict, ValidationError
from forum.extensions import db
from forum.models.threads import PostReport
from forum.services import reports
from moderation.models import QueueItem
from moderation.services import actions, queue
from tests import factories as f
from tests.conftest import csrf_token, login


@pytest.fixture
def scene():
    mod = f.user("tribe_mod_r")
    tribe = f.tribe(moderators=["tribe_mod_r"])
    author, a, b = f.user(), f.user(), f.user()
    topic = f.topic(author, tribe)
    reply = f.reply(author, topic, "加我微信买便宜流量卡")
    return mod, tribe, author, a, b, topic, reply


def _item(post_id):
    db.session.expire_all()
    return db.session.scalar(sa.select(QueueItem).where(QueueItem.post_id == post_id))


def test_a_report_emits_an_event_and_queues_the_post_as_a_report(scene, captured_events):
    mod, tribe, author, a, b, topic, reply = scene
    got = captured_events(events.post_reported)
    reports.report_post(a, reply, "spam", "广告")
    assert got["post_reported"][0]["post_id"] == reply.id
    assert got["post_reported"][0]["open_reports"] == 1
    item = _item(reply.id)
    assert (item.kind, item.report_count, item.status) == ("report", 1, "open")
    reports.report_post(b, reply, "fraud")
    assert _item(reply.id).report_count == 2
    rows = queue.list_queue(mod, queue.QueueFilters(kind="report"), 1, 20).items
    assert [r.post.id for r in rows] == [reply.id]


def test_one_open_report_per_member_and_post(scene):
    _mod, _tribe, _author, a, _b, _topic, reply = scene
    reports.report_post(a, reply, "spam")
    with pytest.raises(Conflict, match="已经举报过"):
        reports.report_post(a, reply, "abuse")
    # The database refuses a second open row even past the check (a racing request).
    db.session.add(PostReport(post_id=reply.id, reporter_id=a.id, reason="spam", note=""))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_handling_the_item_closes_reports_and_a_new_report_reopens_it(scene):
    mod, _tribe, _author, a, _b, _topic, reply = scene
    reports.report_post(a, reply, "spam")
    actions.perform(mod, reply.id, "dismiss")
    assert _item(reply.id).status == "dismissed"
    assert reports.open_report_count(reply.id) == 0
    reports.report_post(a, reply, "spam", "又来了")  # allowed again once dealt with
    item = _item(reply.id)
    assert (item.status, item.report_count) == ("open", 1)


@pytest.mark.parametrize("reason,note,field", [
    (None, "", "reason"), ("", "", "reason"), ("nonsense", "", "reason"),
    ("other", "  ", "note"), ("spam", "长" * 501, "note")])
def test_bad_reports_are_refused_with_a_message(scene, reason, note, field):
    _mod, _tribe, _author, a, _b, _topic, reply = scene
    with pytest.raises(ValidationError) as err:
        reports.report_post(a, reply, reason, note)
    assert field in err.value.fields
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PostReport)) == 0


def test_own_post_cannot_be_reported(scene):
    _mod, _tribe, author, _a, _b, _topic, reply = scene
    with pytest.raises(Conflict, match="自己"):
        reports.report_post(author, reply, "spam")


def test_report_page_flow_keeps_the_note_and_says_what_is_wrong(scene, client):
    _mod, _tribe, _author, a, _b, topic, reply = scene
    login(client, a.username)
    html = client.get(f"/topic/{topic.id}").get_data(as_text=True)
    assert f"/post/{reply.id}/report" in html
    token = csrf_token(client, f"/post/{reply.id}/report")
    resp = client.post(f"/post/{reply.id}/report", data={"note": "他在卖卡", "csrf_token": token})
    assert resp.status_code == 422
    page = resp.get_data(as_text=True)
    assert "请选择举报原因" in page and "他在卖卡" in page
    resp = client.post(f"/post/{reply.id}/report",
                       data={"reason": "spam", "note": "他在卖卡", "csrf_token": token})
    assert resp.status_code == 302
    resp = client.post(f"/post/{reply.id}/report", data={"reason": "spam", "csrf_token": token})
    assert resp.status_code == 409 and "已经举报过" in resp.get_data(as_text=True)
    resp = client.post(f"/post/{reply.id}/report", data={"reason": "spam"})
    assert resp.status_code == 400  # no CSRF token


def test_report_api(scene, client, api_token):
    _mod, _tribe, author, a, _b, topic, reply = scene
    url = f"/api/v1/posts/{reply.id}/report"
    resp = client.post(url, json={"note": "x"}, headers=api_token(a))
    assert resp.status_code == 422 and "reason" in resp.get_json()["error"]["fields"]
    resp = client.post(url, json={"reason": "bogus"}, headers=api_token(a))
    assert resp.status_code == 422 and "举报原因" in resp.get_json()["error"]["fields"]["reason"]
    resp = client.post(url, json={"reason": "spam", "note": "卖卡"}, headers=api_token(a))
    assert resp.status_code == 201
    assert resp.get_json()["status"] == "open" and resp.get_json()["reason"] == "spam"
    resp = client.post(url, json={"reason": "spam"}, headers=api_token(a))
    assert resp.status_code == 409 and "已经举报过" in resp.get_json()["error"]["message"]
    resp = client.post(f"/api/v1/posts/{topic.first_post_id}/report", json={"reason": "spam"},
                       headers=api_token(author))
    assert resp.status_code == 409
    assert client.post(url, json={"reason": "spam"}).status_code == 401
    assert client.post("/api/v1/posts/999999/report", json={"reason": "spam"},
                       headers=api_token(a)).status_code == 404


def test_moderator_sees_the_report_in_the_queue_page(scene, client):
    mod, _tribe, _author, a, b, _topic, reply = scene
    reports.report_post(a, reply, "spam", "卖流量卡的广告")
    reports.report_post(b, reply, "spam")
    login(client, mod.username)
    html = client.get("/moderation/queue?kind=report").get_data(as_text=True)
    assert "举报 ×2" in html
    html = client.get(f"/moderation/queue/{reply.id}").get_data(as_text=True)
    assert "会员举报（2 人）" in html and "垃圾广告 ×2" in html and "卖流量卡的广告" in html


def test_moderation_api_lists_report_items_with_their_count(scene, client, api_token):
    mod, _tribe, _author, a, b, _topic, reply = scene
    reports.report_post(a, reply, "spam")
    reports.report_post(b, reply, "abuse")
    data = client.get("/api/v1/moderation/queue?kind=report", headers=api_token(mod)).get_json()
    assert [(i["post_id"], i["kind"], i["report_count"]) for i in data["items"]] == [
        (reply.id, "report", 2)]
    assert client.get("/api/v1/moderation/queue?kind=score",
                      headers=api_token(mod)).get_json()["items"] == []
