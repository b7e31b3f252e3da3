"""Who may open what: customers get 404 everywhere (ideas never leak), anonymous visitors are
sent to the login page (pages) or get 401 (API), owners and admins may triage."""

from __future__ import annotations

import pytest

from tests.conftest import csrf_token, login

ROLES = ("customer", "employee", "owner", "admin")

# (method, path template, expected status per role: customer, employee, owner, admin)
PAGES = [
    ("get", "/ideas/", (404, 200, 200, 200)),
    ("get", "/ideas/new", (404, 200, 200, 200)),
    ("get", "/ideas/drafts", (404, 200, 200, 200)),
    ("get", "/ideas/{idea}", (404, 200, 200, 200)),
    ("get", "/ideas/{idea}/merge", (404, 403, 200, 200)),
    ("get", "/ideas/triage", (404, 403, 200, 200)),
    ("get", "/ideas/leaderboard", (404, 200, 200, 200)),
    ("get", "/ideas/rounds", (404, 200, 200, 200)),
    ("get", "/ideas/rounds/new", (404, 403, 200, 200)),
    ("get", "/ideas/rounds/{round}", (404, 200, 200, 200)),
    ("get", "/ideas/fund", (404, 200, 200, 200)),
    ("get", "/ideas/owners", (404, 403, 403, 200)),
    ("post", "/ideas/{idea}/transition", (404, 403, 302, 302)),
    ("post", "/ideas/{idea}/vote", (404, 302, 302, 302)),
    ("post", "/ideas/{idea}/comments", (404, 302, 302, 302)),
    ("post", "/ideas/{idea}/category", (404, 403, 302, 302)),
    ("post", "/ideas/rounds/{round}/close", (404, 403, 302, 302)),
    ("post", "/ideas/fund", (404, 403, 403, 302)),
]
FORMS = {
    "/ideas/{idea}/transition": {"to": "under_review"},
    "/ideas/{idea}/vote": {"vote": "1"},
    "/ideas/{idea}/comments": {"body": "支持这个点子"},
    "/ideas/{idea}/category": {"category": "服务流程"},
    "/ideas/fund": {"amount": "100", "note": "注资"},
}
API = [
    ("get", "/api/v1/ideas", None, (404, 200, 200, 200)),
    ("post", "/api/v1/ideas", {"title": "新的金点子标题", "problem": "问题" * 6,
                               "proposal": "方案" * 6, "category": "其他"},
     (404, 201, 201, 201)),
    ("get", "/api/v1/ideas/{idea}", None, (404, 200, 200, 200)),
    ("post", "/api/v1/ideas/{idea}/vote", {}, (404, 200, 200, 200)),
    ("post", "/api/v1/ideas/{idea}/comments", {"body": "支持！"}, (404, 201, 201, 201)),
    ("post", "/api/v1/ideas/{idea}/transition", {"to": "under_review"}, (404, 403, 200, 200)),
    ("get", "/api/v1/ideas/leaderboard", None, (404, 200, 200, 200)),
]


@pytest.fixture
def world(people, make_idea):
    from datetime import timedelta

    from forum.models import utcnow
    from ideas.services import fund, rounds, triage

    idea = make_idea(author=people["voter"])  # by none of the tested roles
    fund.deposit(people["admin"], 1_000_00)
    arena = make_idea(author=people["voter"])
    for state in ("under_review", "in_arena"):
        triage.transition(people["admin"], arena, state)
    rnd = rounds.open_round(people["admin"], "第一轮擂台赛", utcnow() + timedelta(days=3),
                            50_00, {arena.id: 10_00})
    return {"idea": idea.id, "round": rnd.id}


def _path(template: str, world) -> str:
    return template.format(idea=world["idea"], round=world["round"])


@pytest.mark.parametrize("method,template,expected", PAGES,
                         ids=[f"{m} {p}" for m, p, _ in PAGES])
@pytest.mark.parametrize("role", ROLES)
def test_page_permission_matrix(client, people, world, role, method, template, expected):
    login(client, people[role].username)
    path = _path(template, world)
    if method == "get":
        resp = client.get(path)
    else:
        data = dict(FORMS.get(template, {}), csrf_token=csrf_token(client, "/"))
        resp = client.post(path, data=data)
    assert resp.status_code == expected[ROLES.index(role)], (role, path, resp.status_code)
    if role == "customer":
        assert "金点子" not in resp.get_data(as_text=True)


@pytest.mark.parametrize("method,template,expected", PAGES,
                         ids=[f"{m} {p}" for m, p, _ in PAGES])
def test_anonymous_visitors_are_sent_to_login(client, world, method, template, expected):
    path = _path(template, world)
    if method == "get":
        resp = client.get(path)
        assert resp.status_code == 302
        assert "/login" in resp.headers["Location"]
    else:
        resp = client.post(path, data={"csrf_token": csrf_token(client, "/")})
        assert resp.status_code == 302 and "/login" in resp.headers["Location"]


@pytest.mark.parametrize("method,template,body,expected", API,
                         ids=[f"{m} {p}" for m, p, _, _ in API])
@pytest.mark.parametrize("role", ROLES)
def test_api_permission_matrix(client, people, world, api_token, role, method, template, body,
                               expected):
    path = _path(template, world)
    headers = api_token(people[role])
    resp = client.open(path, method=method.upper(), headers=headers, json=body)
    assert resp.status_code == expected[ROLES.index(role)], (role, path, resp.get_json())
    if role == "customer":
        assert resp.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("method,template,body,expected", API,
                         ids=[f"{m} {p}" for m, p, _, _ in API])
def test_api_refuses_anonymous_requests_with_401(client, world, method, template, body,
                                                 expected):
    resp = client.open(_path(template, world), method=method.upper(), json=body)
    assert resp.status_code == 401


def test_menu_link_is_shown_to_employees_only(client, people):
    login(client, "cust1")
    assert "/ideas/" not in client.get("/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, "emp1")
    assert 'href="/ideas/"' in client.get("/").get_data(as_text=True)


def test_a_draft_is_invisible_to_other_employees(client, people, make_idea):
    draft = make_idea(author=people["employee"], draft=True)
    login(client, "emp2")
    assert client.get(f"/ideas/{draft.id}").status_code == 404
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, "emp1")
    assert client.get(f"/ideas/{draft.id}").status_code == 200
