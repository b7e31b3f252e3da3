"""Passwords (issue 17): changing one revokes every other session and every API token;
reset links expire, work once, answer the same for unknown accounts, and an administrator's
link is on the audit log. Bad input: a clear message, a 4xx, typed text kept, nothing changed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from forum import ratelimit
from forum.extensions import db
from forum.models import ApiToken, User, utcnow
from forum.models.accounts import PasswordReset
from forum.services import accounts, passwords
from tests.conftest import csrf_token, login
from tests.forum.test_api_openapi import documented

NEW = "brand-new-pass9"


def api(client, method, path, check=False, headers=None, json=None, **kwargs):
    """Call /api/v1{path}; with ``check`` the answer must match the document."""
    resp = client.open("/api/v1" + path, method=method, headers=headers or {}, json=json,
                       **kwargs)
    if check:
        documented(resp, method, path)
    return resp


def post_form(client, path, data, token_page="/"):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, token_page)})


def fresh(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def change(client, current="password123", new=NEW, confirm=None):
    return post_form(client, "/settings/password", {
        "current_password": current, "new_password": new,
        "new_password_confirm": new if confirm is None else confirm}, "/settings/password")


def links_of(html: str) -> list[str]:
    return re.findall(r"/password/reset/([A-Za-z0-9_-]{20,})", html)


# --- change -------------------------------------------------------------------------------


def test_change_password_revokes_other_sessions_and_every_token(app, make_user):
    user = make_user("xiaoming")
    here, elsewhere, remembered = app.test_client(), app.test_client(), app.test_client()
    for c in (here, elsewhere):
        assert login(c, "xiaoming").status_code == 302
    assert login(remembered, "xiaoming", remember=True).status_code == 302
    token = accounts.issue_token(user, "手机")
    bearer = {"Authorization": f"Bearer {token}"}
    assert api(here, "GET", "/me", headers=bearer).status_code == 200

    resp = change(here)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/settings")
    assert fresh(user).check_password(NEW)

    settings = here.get("/settings")  # this session stays in
    assert settings.status_code == 200 and "密码已修改" in settings.get_data(as_text=True)
    assert elsewhere.get("/settings/password").status_code == 302  # logged out
    remembered.delete_cookie("session")  # only the remember-me cookie is left …
    assert remembered.get("/settings/password").status_code == 302  # … and it is dead too
    assert api(here, "GET", "/me", headers=bearer).status_code == 401
    assert db.session.scalars(sa.select(ApiToken).where(ApiToken.revoked_at.is_(None))).all() == []


@pytest.mark.parametrize("current,new,confirm,field_message", [
    ("wrong-password", NEW, None, "当前密码不正确"),
    ("password123", "short", None, "新密码至少 8 位"),
    ("password123", "password123", None, "新密码不能与当前密码相同"),
    ("password123", NEW, NEW + "x", "两次输入的新密码不一致"),
])
def test_bad_password_change_says_why_and_changes_nothing(app, make_user, current, new,
                                                          confirm, field_message):
    user = make_user("xiaoming")
    client, other = app.test_client(), app.test_client()
    login(client, "xiaoming")
    login(other, "xiaoming")
    token = accounts.issue_token(user)
    resp = change(client, current, new, confirm)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert field_message in html
    assert 'value="wrong-password"' not in html and f'value="{NEW}"' not in html  # never echoed
    assert fresh(user).check_password("password123") and fresh(user).session_version == 0
    assert other.get("/settings").status_code == 200
    assert accounts.user_for_token(token) is not None


def test_api_password_change_by_token_returns_a_replacement(client, make_user, api_token):
    user = make_user("xiaoming")
    old, other = api_token(user), api_token(user)
    body = documented(api(client, "POST", "/me/password", headers=old,
                          json={"current_password": "password123", "new_password": NEW}),
                      "post", "/me/password")
    assert body["token"]
    assert api(client, "GET", "/me", headers=old).status_code == 401
    assert api(client, "GET", "/me", headers=other).status_code == 401
    new_headers = {"Authorization": f"Bearer {body['token']}"}
    assert api(client, "GET", "/me", True, headers=new_headers).status_code == 200
    assert [t.name for t in accounts.list_tokens(user)] == ["api"]  # the caller's, renamed alike


def test_api_password_change_with_the_session_cookie_keeps_that_session(app, make_user):
    make_user("xiaoming")
    client, other = app.test_client(), app.test_client()
    login(client, "xiaoming")
    login(other, "xiaoming")
    headers = {"X-CSRFToken": csrf_token(client)}
    resp = api(client, "POST", "/me/password", True, headers=headers,
               json={"current_password": "password123", "new_password": NEW})
    assert resp.status_code == 200 and resp.get_json() == {"token": None}
    assert client.get("/settings").status_code == 200
    assert other.get("/settings").status_code == 302


@pytest.mark.parametrize("payload,field", [
    ({"current_password": "nope-nope", "new_password": NEW}, "current_password"),
    ({"current_password": "password123", "new_password": "short"}, "new_password"),
    ({"current_password": "password123", "new_password": "password123"}, "new_password"),
])
def test_api_bad_password_change_is_422_and_changes_nothing(client, make_user, api_token,
                                                             payload, field):
    user = make_user("xiaoming")
    headers = api_token(user)
    resp = api(client, "POST", "/me/password", True, headers=headers, json=payload)
    assert resp.status_code == 422 and field in resp.get_json()["error"]["fields"]
    assert api(client, "GET", "/me", headers=headers).status_code == 200
    assert fresh(user).check_password("password123")


def test_a_wrong_current_password_does_not_confirm_a_guess_in_the_new_one(client, make_user):
    user = make_user("xiaoming")
    login(client, "xiaoming")
    html = change(client, "wrong-guess", "password123").get_data(as_text=True)
    assert "当前密码不正确" in html and "新密码不能与当前密码相同" not in html
    html = change(client, "wrong-guess", "short").get_data(as_text=True)
    assert "当前密码不正确" in html and "新密码至少 8 位" in html  # every other problem at once
    assert fresh(user).check_password("password123")


def test_wrong_current_passwords_are_rate_limited(app, make_user, api_token):
    user = make_user("xiaoming")
    headers = api_token(user)
    client = app.test_client()
    app.config["RATE_LIMITS_ENABLED"] = True
    saved = app.config["RATELIMIT_PASSWORD_CHANGE"]
    app.config["RATELIMIT_PASSWORD_CHANGE"] = "2 per hour"
    ratelimit.reset()
    try:
        for _ in range(2):
            assert api(client, "POST", "/me/password", headers=headers, json={
                "current_password": "guess-guess", "new_password": NEW}).status_code == 422
        resp = api(client, "POST", "/me/password", True, headers=headers, json={
            "current_password": "password123", "new_password": NEW})
        assert resp.status_code == 429 and resp.headers["Retry-After"]
        assert fresh(user).check_password("password123")
    finally:
        app.config["RATE_LIMITS_ENABLED"] = False
        app.config["RATELIMIT_PASSWORD_CHANGE"] = saved
        ratelimit.reset()


def test_the_changing_browser_keeps_its_remember_me_cookie(app, make_user):
    make_user("xiaoming")
    client = app.test_client()
    login(client, "xiaoming", remember=True)
    assert change(client).status_code == 302
    client.delete_cookie("session")  # the browser restarts: only remember-me is left
    assert client.get("/settings").status_code == 200


def test_a_completed_reset_lifts_a_login_lockout(app, client, make_user):
    make_user("boss", roles=("admin",))
    make_user("xiaoming")
    token = _admin_link(app)
    app.config["RATE_LIMITS_ENABLED"] = True
    saved = app.config["RATELIMIT_LOGIN_ACCOUNT_GLOBAL"]
    app.config["RATELIMIT_LOGIN_ACCOUNT_GLOBAL"] = "2 per hour"
    ratelimit.reset()
    try:
        for _ in range(2):
            assert login(client, "xiaoming", "wrong-guess").status_code == 422
        assert login(client, "xiaoming", "wrong-guess").status_code == 429
        api(client, "POST", "/auth/password-reset/complete", True,
            json={"token": token, "new_password": NEW})
        assert login(client, "xiaoming", NEW).status_code == 302
    finally:
        app.config["RATE_LIMITS_ENABLED"] = False
        app.config["RATELIMIT_LOGIN_ACCOUNT_GLOBAL"] = saved
        ratelimit.reset()


def test_a_session_cookie_from_before_versions_still_works_until_a_change(app, make_user):
    from forum.auth import user_for_session_id

    user = make_user("xiaoming")
    assert user_for_session_id(str(user.id)).id == user.id
    assert user_for_session_id(f"{user.id}:0").id == user.id
    passwords.change_password(user, "password123", NEW)
    assert user_for_session_id(str(user.id)) is None
    assert user_for_session_id(f"{user.id}:1").id == user.id
    for junk in ("", "x", "1:x", "99999999999:0", "-1:0", f"{user.id}:7"):
        assert user_for_session_id(junk) is None


# --- reset links: administrator -------------------------------------------------------------


def _admin_link(app, admin_name="boss", username="xiaoming"):
    admin_client = app.test_client()
    login(admin_client, admin_name)
    resp = post_form(admin_client, f"/admin/users/{username}/reset-link", {}, "/admin/users")
    assert resp.status_code == 200
    (token,) = links_of(resp.get_data(as_text=True))
    return token


def test_admin_issued_link_is_logged_and_works_once(app, client, make_user):
    from moderation.models import AuditEntry

    admin = make_user("boss", roles=("admin",))
    user = make_user("xiaoming")
    other = app.test_client()
    login(other, "xiaoming")
    token = _admin_link(app)

    entry = db.session.scalars(sa.select(AuditEntry)).one()
    assert (entry.actor_id, entry.action, entry.target_type, entry.target_id) == (
        admin.id, "password_reset_link", "user", str(user.id))
    row = db.session.scalars(sa.select(PasswordReset)).one()
    assert row.token_hash != token and token not in row.token_hash  # only a hash is stored
    assert row.issued_by_id == admin.id and row.channel == "admin"

    page = client.get(f"/password/reset/{token}")
    assert page.status_code == 200 and "@xiaoming" in page.get_data(as_text=True)
    resp = post_form(client, f"/password/reset/{token}",
                     {"new_password": NEW, "new_password_confirm": NEW}, f"/password/reset/{token}")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/login")
    assert fresh(user).check_password(NEW)
    assert other.get("/settings").status_code == 302  # every session is out

    again = client.get(f"/password/reset/{token}")
    assert again.status_code == 410 and "已经使用过" in again.get_data(as_text=True)
    resp = post_form(client, f"/password/reset/{token}",
                     {"new_password": "another-pass1", "new_password_confirm": "another-pass1"},
                     "/login")
    assert resp.status_code == 410
    assert fresh(user).check_password(NEW)


def test_only_admins_issue_links(app, make_user):
    make_user("xiaoming")
    make_user("mod", roles=("moderator",))
    c = app.test_client()
    login(c, "mod")
    assert post_form(c, "/admin/users/xiaoming/reset-link", {}).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PasswordReset)) == 0


def test_an_expired_link_is_refused_and_changes_nothing(app, client, make_user):
    make_user("boss", roles=("admin",))
    user = make_user("xiaoming")
    token = _admin_link(app)
    hours = app.config["PASSWORD_RESET_ADMIN_HOURS"]
    with time_machine.travel(utcnow() + timedelta(hours=hours, minutes=1)):
        page = client.get(f"/password/reset/{token}")
        assert page.status_code == 410 and "已过期" in page.get_data(as_text=True)
        resp = api(client, "POST", "/auth/password-reset/complete", True, json={"token": token, "new_password": NEW})
        assert resp.status_code == 422
        assert resp.get_json()["error"]["fields"]["token"] == "重置链接已过期"
    assert fresh(user).check_password("password123")


def test_a_bad_new_password_keeps_the_link_usable(app, client, make_user):
    make_user("boss", roles=("admin",))
    user = make_user("xiaoming")
    token = _admin_link(app)
    resp = post_form(client, f"/password/reset/{token}",
                     {"new_password": "short", "new_password_confirm": "short"},
                     f"/password/reset/{token}")
    assert resp.status_code == 422 and "新密码至少 8 位" in resp.get_data(as_text=True)
    resp = post_form(client, f"/password/reset/{token}",
                     {"new_password": "password123", "new_password_confirm": "password123"},
                     f"/password/reset/{token}")
    assert resp.status_code == 422 and "不能与当前密码相同" in resp.get_data(as_text=True)
    assert fresh(user).check_password("password123")
    done = documented(api(client, "POST", "/auth/password-reset/complete",
                          json={"token": token, "new_password": NEW}),
                      "post", "/auth/password-reset/complete")
    assert done == {"username": "xiaoming"} and fresh(user).check_password(NEW)
    resp = api(client, "POST", "/auth/password-reset/complete", True,
               json={"token": token, "new_password": "yet-another-1"})
    assert resp.status_code == 422 and resp.get_json()["error"]["fields"]["token"] == "重置链接已使用"


def test_unknown_links_are_404_pages_and_422_in_the_api(client):
    assert client.get("/password/reset/not-a-real-token-at-all").status_code == 404
    resp = api(client, "POST", "/auth/password-reset/complete", True,
               json={"token": "nope", "new_password": NEW})
    assert resp.status_code == 422


def test_a_password_change_uses_up_open_links(app, make_user):
    make_user("boss", roles=("admin",))
    user = make_user("xiaoming")
    token = _admin_link(app)
    passwords.change_password(user, "password123", NEW)
    with pytest.raises(Exception, match="已经使用过"):
        passwords.reset_for_token(token)


# --- reset requests without mail ------------------------------------------------------------


def test_the_request_page_answers_the_same_for_any_identifier(client, make_user):
    make_user("xiaoming")
    answers = set()
    for identifier in ("xiaoming", "nobody_here", "someone@example.com"):
        resp = post_form(client, "/password/forgot", {"identifier": identifier},
                         "/password/forgot")
        assert resp.status_code == 200
        html = resp.get_data(as_text=True)
        answers.add(re.search(r'class="alert alert-info reset-answer"[^>]*><p>([^<]+)', html)[1])
        body = documented(api(client, "POST", "/auth/password-reset",
                              json={"identifier": identifier}), "post", "/auth/password-reset")
        answers.add(body["message"])
    assert answers == {passwords.NO_MAIL_ANSWER}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PasswordReset)) == 0


def test_an_empty_request_says_so(client):
    resp = post_form(client, "/password/forgot", {"identifier": "  "}, "/password/forgot")
    assert resp.status_code == 422 and "请填写用户名或邮箱" in resp.get_data(as_text=True)
    assert api(client, "POST", "/auth/password-reset", True,
               json={"identifier": ""}).status_code == 422


def test_reset_requests_are_rate_limited(app, client, make_user):
    app.config["RATE_LIMITS_ENABLED"] = True
    saved = app.config["RATELIMIT_PASSWORD_RESET"]
    app.config["RATELIMIT_PASSWORD_RESET"] = "2 per hour"
    ratelimit.reset()
    try:
        for name in ("a_user", "b_user"):
            assert api(client, "POST", "/auth/password-reset",
                       json={"identifier": name}).status_code == 202
        resp = api(client, "POST", "/auth/password-reset", True, json={"identifier": "c_user"})
        assert resp.status_code == 429 and resp.headers["Retry-After"]
        page = post_form(client, "/password/forgot", {"identifier": "typed_name"},
                         "/password/forgot")
        assert page.status_code == 429 and 'value="typed_name"' in page.get_data(as_text=True)
    finally:
        app.config["RATE_LIMITS_ENABLED"] = False
        app.config["RATELIMIT_PASSWORD_RESET"] = saved
        ratelimit.reset()


def test_login_page_links_to_the_request_page(client):
    assert "/password/forgot" in client.get("/login").get_data(as_text=True)
