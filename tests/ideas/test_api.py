"""/api/v1/ideas…: responses match the OpenAPI document; bad input is 409/422 with messages."""

from __future__ import annotations

from tests.forum.test_api_openapi import documented


def test_submit_list_get_vote_comment_transition(client, people, api_token):
    emp, voter, owner = (api_token(people[k]) for k in ("employee", "voter", "owner"))
    resp = client.post("/api/v1/ideas", headers=emp, json={
        "title": "宽带装维预约短信提醒", "problem": "客户经常忘记上门时间，师傅白跑。",
        "proposal": "预约后发**短信**确认，上门前一天再提醒。", "category": "服务流程"})
    idea = documented(resp, "post", "/ideas")
    assert resp.status_code == 201 and "<strong>短信</strong>" in idea["proposal_html"]

    listed = documented(client.get("/api/v1/ideas?sort=new", headers=voter), "get", "/ideas")
    assert [i["id"] for i in listed["items"]] == [idea["id"]]

    resp = client.post(f"/api/v1/ideas/{idea['id']}/vote", headers=voter)
    assert documented(resp, "post", "/ideas/{idea_id}/vote") == {"voted": True, "vote_count": 1}
    resp = client.post(f"/api/v1/ideas/{idea['id']}/vote", headers=voter, json={"vote": True})
    assert resp.status_code == 409
    assert "点过赞" in documented(resp, "post", "/ideas/{idea_id}/vote")["error"]["message"]

    resp = client.post(f"/api/v1/ideas/{idea['id']}/comments", headers=voter,
                       json={"body": "很实用，支持！"})
    top = documented(resp, "post", "/ideas/{idea_id}/comments")
    resp = client.post(f"/api/v1/ideas/{idea['id']}/comments", headers=emp,
                       json={"body": "谢谢支持", "parent_id": top["id"]})
    assert documented(resp, "post", "/ideas/{idea_id}/comments")["parent_id"] == top["id"]

    resp = client.post(f"/api/v1/ideas/{idea['id']}/transition", headers=owner,
                       json={"to": "under_review"})
    detail = documented(resp, "post", "/ideas/{idea_id}/transition")
    assert detail["state"] == "under_review"
    assert detail["allowed_transitions"] == ["in_arena", "rejected"]

    got = documented(client.get(f"/api/v1/ideas/{idea['id']}", headers=emp), "get",
                     "/ideas/{idea_id}")
    assert [len(c["replies"]) for c in got["comments"]] == [1]
    assert got["history"][0]["to"] == "under_review"
    assert got["allowed_transitions"] == []  # the author is no owner


def test_voting_on_ones_own_idea_is_409_with_a_message(client, people, api_token, make_idea):
    idea = make_idea(author=people["employee"])
    resp = client.post(f"/api/v1/ideas/{idea.id}/vote", headers=api_token(people["employee"]))
    body = documented(resp, "post", "/ideas/{idea_id}/vote")
    assert resp.status_code == 409 and "自己" in body["error"]["message"]


def test_empty_and_over_long_fields_are_422_per_field(client, people, api_token):
    resp = client.post("/api/v1/ideas", headers=api_token(people["employee"]), json={
        "title": "标" * 81, "problem": "", "proposal": "短", "category": "别的"})
    body = documented(resp, "post", "/ideas")
    assert resp.status_code == 422
    assert set(body["error"]["fields"]) == {"title", "problem", "proposal", "category"}
    assert "81" in body["error"]["fields"]["title"]


def test_a_disallowed_transition_is_409_listing_the_allowed_ones(client, people, api_token,
                                                                make_idea):
    idea = make_idea()
    resp = client.post(f"/api/v1/ideas/{idea.id}/transition", headers=api_token(people["owner"]),
                       json={"to": "implemented"})
    body = documented(resp, "post", "/ideas/{idea_id}/transition")
    assert resp.status_code == 409
    assert "评估中" in body["error"]["message"] and "未采纳" in body["error"]["message"]


def test_reject_without_reason_is_422(client, people, api_token, make_idea):
    idea = make_idea()
    resp = client.post(f"/api/v1/ideas/{idea.id}/transition", headers=api_token(people["owner"]),
                       json={"to": "rejected"})
    assert resp.status_code == 422
    assert "reason" in documented(resp, "post", "/ideas/{idea_id}/transition")["error"]["fields"]


def test_bad_filters_and_periods_are_422(client, people, api_token):
    headers = api_token(people["employee"])
    resp = client.get("/api/v1/ideas?state=done&sort=random", headers=headers)
    assert set(documented(resp, "get", "/ideas")["error"]["fields"]) == {"state", "sort"}
    resp = client.get("/api/v1/ideas/leaderboard?period=year", headers=headers)
    assert resp.status_code == 422
    documented(resp, "get", "/ideas/leaderboard")


def test_leaderboard_lists_voted_ideas(client, people, api_token, make_idea):
    from ideas.services import votes

    idea = make_idea()
    votes.set_vote(people["voter"], idea, True)
    resp = client.get("/api/v1/ideas/leaderboard?period=all", headers=api_token(people["owner"]))
    body = documented(resp, "get", "/ideas/leaderboard")
    assert [i["id"] for i in body["ideas"]] == [idea.id]
    assert body["authors_by_votes"][0]["count"] == 1


def test_customers_get_404_even_for_ideas_that_exist(client, people, api_token, make_idea):
    idea = make_idea()
    resp = client.get(f"/api/v1/ideas/{idea.id}", headers=api_token(people["customer"]))
    assert resp.status_code == 404
    assert documented(resp, "get", "/ideas/{idea_id}")["error"]["code"] == "not_found"
