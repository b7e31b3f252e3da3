"""The idea pages: forms keep what was typed, votes work without JavaScript, drafts."""

from __future__ import annotations

import sqlalchemy as sa

from forum.extensions import db
from ideas.models import Idea
from tests.conftest import csrf_token, login


def _post(client, path, data):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/ideas/")})


def test_an_over_long_title_keeps_what_was_typed_and_says_why(client, people):
    login(client, "emp1")
    resp = _post(client, "/ideas/new", {"title": "长" * 81, "problem": "我写的问题描述还在",
                                         "proposal": "", "category": "服务流程",
                                         "action": "submit"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "标题最多 80 个字（当前 81 个）" in html
    assert "请填写改进方案" in html
    assert "我写的问题描述还在" in html and "长" * 81 in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Idea)) == 0


def test_a_draft_needs_only_a_title_and_can_be_submitted_later(client, people):
    login(client, "emp1")
    resp = _post(client, "/ideas/new", {"title": "还没想好的点子", "category": "",
                                         "problem": "", "proposal": "", "action": "draft"})
    assert resp.status_code == 302
    idea = db.session.scalar(sa.select(Idea))
    assert idea.is_draft and idea.submitted_at is None
    assert "还没想好的点子" in client.get("/ideas/drafts").get_data(as_text=True)
    resp = _post(client, f"/ideas/{idea.id}/edit", {
        "title": "想好了的点子", "category": "其他", "problem": "问题描述足够十个字了",
        "proposal": "方案描述也足够十个字了", "action": "submit"})
    assert resp.status_code == 302
    db.session.refresh(idea)
    assert not idea.is_draft and idea.submitted_at is not None


def test_voting_works_as_a_plain_form_and_as_json(client, people, make_idea):
    idea = make_idea()
    login(client, "emp2")
    resp = _post(client, f"/ideas/{idea.id}/vote", {"vote": "1"})
    assert resp.status_code == 302
    assert idea.vote_count == 1 or db.session.get(Idea, idea.id).vote_count == 1
    resp = client.post(f"/ideas/{idea.id}/vote", data={
        "vote": "0", "csrf_token": csrf_token(client, "/ideas/")},
        headers={"Accept": "application/json"})
    assert resp.get_json() == {"voted": False, "vote_count": 0}


def test_reject_without_reason_shows_the_form_error(client, people, make_idea):
    idea = make_idea()
    login(client, "owner1")
    resp = _post(client, f"/ideas/{idea.id}/transition", {"to": "rejected", "reason": ""})
    assert resp.status_code == 422
    assert "不采纳必须填写原因" in resp.get_data(as_text=True)


def test_the_idea_page_shows_history_comments_and_merge_link(client, people, make_idea):
    from ideas.services import ideas, triage

    survivor, dup = make_idea(title="排队叫号小程序"), make_idea(title="线上预约取号")
    ideas.add_comment(people["voter"], dup, "我也遇到过")
    login(client, "owner1")
    resp = _post(client, f"/ideas/{dup.id}/merge", {"into": str(survivor.id)})
    assert resp.status_code == 302
    html = client.get(f"/ideas/{dup.id}").get_data(as_text=True)
    assert "已合并过去" in html and f"/ideas/{survivor.id}" in html
    html = client.get(f"/ideas/{survivor.id}").get_data(as_text=True)
    assert "我也遇到过" in html and "线上预约取号" in html
    triage.transition(people["owner"], survivor, "under_review", "开始评估")
    html = client.get(f"/ideas/{survivor.id}").get_data(as_text=True)
    assert "已提交 → 评估中" in html and "开始评估" in html


def test_list_filters_sort_and_empty_state(client, people, make_idea):
    make_idea(title="服务流程的点子", category="服务流程")
    make_idea(title="系统支撑的点子", category="系统支撑")
    login(client, "emp2")
    html = client.get("/ideas/?category=系统支撑&sort=new").get_data(as_text=True)
    assert "系统支撑的点子" in html and "服务流程的点子" not in html
    html = client.get("/ideas/?state=funded").get_data(as_text=True)
    assert "还没有符合条件的金点子" in html
    assert client.get("/ideas/?sort=nonsense").status_code == 422


def test_leaderboard_page_documents_the_formula(client, people):
    login(client, "emp1")
    html = client.get("/ideas/leaderboard?period=month").get_data(as_text=True)
    assert "票数 ÷ (发布小时数 + 2)^1.5" in html


def test_rounds_can_be_opened_voted_closed_and_funded_from_the_pages(client, people,
                                                                     make_idea):
    from ideas.services import fund, triage

    fund.deposit(people["admin"], 1_000_00)
    idea = make_idea(author=people["voter"])
    triage.transition(people["owner"], idea, "under_review")
    triage.transition(people["owner"], idea, "in_arena")
    login(client, "owner1")
    resp = _post(client, "/ideas/rounds/new", {
        "title": "页面开的擂台", "deadline": "2099-01-01 10:00", "budget": "300",
        "winners_max": "1", "idea_ids": str(idea.id), f"estimate_{idea.id}": "200"})
    assert resp.status_code == 422  # more than 90 days ahead
    assert "最多在 90 天后" in resp.get_data(as_text=True)
    from datetime import timedelta

    from forum.models import utcnow
    from forum.templating import SHANGHAI

    deadline = (utcnow() + timedelta(days=2)).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    resp = _post(client, "/ideas/rounds/new", {
        "title": "页面开的擂台", "deadline": deadline, "budget": "300", "winners_max": "1",
        "idea_ids": str(idea.id), f"estimate_{idea.id}": "200"})
    assert resp.status_code == 302
    round_url = resp.headers["Location"]
    resp = _post(client, round_url + "/vote", {"idea_id": str(idea.id), "vote": "1"})
    assert resp.status_code == 302
    assert _post(client, round_url + "/close", {}).status_code == 302
    assert "建议获胜" in client.get(round_url).get_data(as_text=True)
    assert _post(client, round_url + "/fund", {"idea_id": str(idea.id),
                                               "amount": "200"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).state == "funded"
    assert "¥800.00" in client.get("/ideas/fund").get_data(as_text=True)


def test_admin_deposits_and_assigns_owners(client, people):
    login(client, "boss")
    assert _post(client, "/ideas/fund", {"amount": "abc"}).status_code == 422
    assert _post(client, "/ideas/fund", {"amount": "1000", "note": "年度预算"}).status_code == 302
    assert "年度预算" in client.get("/ideas/fund").get_data(as_text=True)
    resp = _post(client, "/ideas/owners", {"username": "cust1", "category": "其他"})
    assert resp.status_code == 422 and "只有员工" in resp.get_data(as_text=True)
    assert _post(client, "/ideas/owners", {"username": "emp1",
                                           "category": "其他"}).status_code == 302


def test_leaderboard_page_ranks_voted_ideas_and_their_authors(client, people, make_idea):
    from ideas.services import votes

    idea = make_idea(title="上榜的点子")
    votes.set_vote(people["voter"], idea, True)
    login(client, "emp2")
    html = client.get("/ideas/leaderboard?period=week").get_data(as_text=True)
    assert "上榜的点子" in html and "收到 1 个赞" in html
    assert client.get("/ideas/leaderboard?period=decade").status_code == 422


def test_the_triage_board_groups_ideas_by_state(client, people, make_idea):
    from ideas.services import triage

    waiting, reviewing = make_idea(title="等待分拣的点子"), make_idea(title="评估中的点子")
    triage.transition(people["owner"], reviewing, "under_review")
    make_idea(title="别的分类的点子", category="系统支撑")
    login(client, "owner1")
    html = client.get("/ideas/triage").get_data(as_text=True)
    assert html.index("等待分拣的点子") < html.index("评估中的点子")
    assert "别的分类的点子" not in html  # not this owner's category
    assert waiting.id
