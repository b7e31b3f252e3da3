"""Accounts pages through the test client with real CSRF tokens: register, login, profile,
follow, 加V, API tokens."""

from __future__ import annotations

from forum.extensions import db
from forum.models import User
from forum.services import accounts, topics
from tests.conftest import csrf_token, login, post_form


def register(client, username="xiaoming", display_name="小明", password="password123",
             confirm=None):
    return post_form(client, "/register", {
        "username": username, "display_name": display_name, "password": password,
        "password_confirm": password if confirm is None else confirm,
    }, token_page="/register")


def user_named(username: str) -> User | None:
    db.session.expire_all()
    return accounts.get_user_by_username(username)


# --- register -----------------------------------------------------------------------------

def test_register_creates_account_and_logs_in(client):
    resp = register(client)
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith("/tribes")
    assert user_named("xiaoming").display_name == "小明"
    home = client.get("/").get_data(as_text=True)
    assert "小明" in home and "我的主页" in home and "退出" in home


def test_register_duplicate_username_says_so_and_keeps_input(client, make_user):
    make_user("xiaoming")
    resp = register(client, display_name="另一个小明")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "该用户名已被注册" in html
    assert 'value="另一个小明"' in html and 'value="xiaoming"' in html
    assert db.session.query(User).count() == 1


def test_register_short_password_is_refused(client):
    resp = register(client, password="short1")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "密码至少 8 位" in html
    assert 'value="xiaoming"' in html
    assert user_named("xiaoming") is None


def test_register_bad_usernames_are_refused(client):
    for bad in ("ab", "has space", "<script>", "x" * 21):
        resp = register(client, username=bad)
        assert resp.status_code == 422, bad
        assert "用户名须为 3–20 个字母、数字、下划线或汉字" in resp.get_data(as_text=True)
    assert db.session.query(User).count() == 0


def test_register_accepts_chinese_username(client):
    assert register(client, username="流量达人").status_code == 302
    assert user_named("流量达人") is not None


def test_register_password_confirmation_must_match(client):
    resp = register(client, confirm="password124")
    assert resp.status_code == 422
    assert "两次输入的密码不一致" in resp.get_data(as_text=True)
    assert user_named("xiaoming") is None


def test_register_without_csrf_token_is_400(client):
    resp = client.post("/register", data={"username": "xiaoming", "display_name": "小明",
                                          "password": "password123",
                                          "password_confirm": "password123"})
    assert resp.status_code == 400
    assert "CSRF" in resp.get_data(as_text=True)
    assert user_named("xiaoming") is None


# --- login / logout -----------------------------------------------------------------------

def test_login_and_logout(client, make_user):
    make_user("alice", display_name="爱丽丝")
    resp = login(client, "alice")
    assert resp.status_code == 302
    assert "退出" in client.get("/").get_data(as_text=True)
    resp = post_form(client, "/logout", {})
    assert resp.status_code == 302
    html = client.get("/").get_data(as_text=True)
    assert 'action="/logout"' not in html and "登录" in html
    assert client.get("/settings/tokens").status_code == 302  # login required again


def test_logout_is_post_only(client, make_user):
    make_user("alice")
    login(client, "alice")
    assert client.get("/logout").status_code == 405
    assert "退出" in client.get("/").get_data(as_text=True)


def test_login_wrong_password_keeps_username(client, make_user):
    make_user("alice")
    resp = login(client, "alice", "wrong-password")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "用户名或密码错误" in html and 'value="alice"' in html
    assert 'action="/logout"' not in client.get("/").get_data(as_text=True)


def test_remember_me_sets_a_long_lived_cookie(client, make_user, app):
    make_user("alice")
    make_user("bob")
    resp = login(client, "alice", remember=True)
    cookies = " ".join(resp.headers.getlist("Set-Cookie"))
    assert "remember_token=" in cookies and "Expires=" in cookies
    other = app.test_client()
    resp = login(other, "bob", remember=False)
    assert "remember_token=" not in " ".join(resp.headers.getlist("Set-Cookie"))


def test_remember_cookie_restores_the_session(client, make_user, app):
    make_user("alice", display_name="爱丽丝")
    login(client, "alice", remember=True)
    remember = client.get_cookie("remember_token")
    fresh = app.test_client()
    fresh.set_cookie("remember_token", remember.value)
    assert "爱丽丝" in fresh.get("/").get_data(as_text=True)


def test_login_redirects_only_to_local_next(client, make_user):
    make_user("alice")
    token = csrf_token(client, "/login")
    data = {"username": "alice", "password": "password123", "csrf_token": token}
    resp = client.post("/login?next=/tribes", data=data)
    assert resp.headers["Location"] == "/tribes"
    post_form(client, "/logout", {})
    token = csrf_token(client, "/login")
    resp = client.post("/login?next=//evil.example.com/x", data={**data, "csrf_token": token})
    assert resp.headers["Location"] == "/"


def test_pages_needing_login_redirect_to_login(client, make_tribe):
    make_tribe("liuliang")
    for path in ("/settings/tokens", "/t/liuliang/new"):
        resp = client.get(path)
        assert resp.status_code == 302 and "/login?next=" in resp.headers["Location"]


# --- profile, follow, 加V -----------------------------------------------------------------

def test_profile_shows_person_counts_roles_and_recent_posts(client, make_user, make_tribe):
    alice = make_user("alice", roles=("customer", "proxy"), display_name="爱丽丝")
    bob = make_user("bob")
    tribe = make_tribe("liuliang", "流量管家")
    topic = topics.create_topic(alice, tribe, "怎么查询剩余流量", "正文内容")
    reply = topics.create_reply(bob, topic, "发短信 CXLL 到 10086")
    topics.set_like(alice, reply, True)
    topics.accept_answer(alice, topic, reply)
    alice.title = "热心网友"
    db.session.commit()

    html = client.get("/u/alice").get_data(as_text=True)
    assert "爱丽丝" in html and "@alice" in html and "热心网友" in html
    assert "服务代理" in html and "客户" in html
    assert 'class="c-topics">1<' in html
    assert "怎么查询剩余流量" in html

    html = client.get("/u/bob").get_data(as_text=True)
    assert 'class="c-replies">1<' in html
    assert 'class="c-likes">1<' in html
    assert 'class="c-accepted">1<' in html
    assert "怎么查询剩余流量" in html  # the topic of bob's recent reply


def test_unknown_profile_is_404(client):
    resp = client.get("/u/nobody")
    assert resp.status_code == 404
    assert "用户不存在" in resp.get_data(as_text=True)


def test_follow_and_unfollow_update_counts(client, make_user):
    make_user("alice")
    make_user("bob")
    login(client, "alice")
    resp = post_form(client, "/u/bob/follow", {"action": "follow"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/u/bob"
    html = client.get("/u/bob").get_data(as_text=True)
    assert 'class="c-followers">1<' in html and "已关注" in html
    assert 'class="c-following">1<' in client.get("/u/alice").get_data(as_text=True)

    post_form(client, "/u/bob/follow", {"action": "follow"})  # double submit: still one
    assert user_named("bob").follower_count == 1
    post_form(client, "/u/bob/follow", {"action": "unfollow"})
    assert user_named("bob").follower_count == 0
    assert user_named("alice").following_count == 0
    assert "+ 关注" in client.get("/u/bob").get_data(as_text=True)


def test_follow_needs_login_and_not_oneself(client, make_user):
    make_user("alice")
    resp = post_form(client, "/u/alice/follow", {"action": "follow"})
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    login(client, "alice")
    assert "+ 关注" not in client.get("/u/alice").get_data(as_text=True)
    resp = post_form(client, "/u/alice/follow", {"action": "follow"})
    assert resp.status_code == 409
    assert "不能关注自己" in resp.get_data(as_text=True)


def test_admin_sets_verified_mark_others_get_403(client, make_user, app):
    make_user("boss", roles=("admin",))
    make_user("alice", display_name="爱丽丝")
    make_user("mod", roles=("moderator",))

    login(client, "mod")
    assert "设为加V" not in client.get("/u/alice").get_data(as_text=True)
    assert post_form(client, "/u/alice/verify", {"verified": "1"}).status_code == 403
    assert not user_named("alice").is_verified

    admin = app.test_client()
    login(admin, "boss")
    assert "设为加V" in admin.get("/u/alice").get_data(as_text=True)
    assert post_form(admin, "/u/alice/verify", {"verified": "1"}).status_code == 302
    assert user_named("alice").is_verified
    assert 'class="vmark big"' in client.get("/u/alice").get_data(as_text=True)
    post_form(admin, "/u/alice/verify", {"verified": "0"})
    assert not user_named("alice").is_verified


# --- API tokens ---------------------------------------------------------------------------

def test_token_is_shown_once_and_can_be_revoked(client, make_user):
    alice = make_user("alice")
    login(client, "alice")
    resp = post_form(client, "/settings/tokens", {"name": "我的手机"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    token = html.split('id="new-token">')[1].split("<")[0]
    assert len(token) > 30
    assert accounts.user_for_token(token).id == alice.id

    html = client.get("/settings/tokens").get_data(as_text=True)
    assert "我的手机" in html and token not in html  # listed, but the value is never shown again

    token_id = accounts.list_tokens(alice)[0].id
    resp = post_form(client, f"/settings/tokens/{token_id}/revoke", {})
    assert resp.status_code == 302
    assert accounts.user_for_token(token) is None
    assert "还没有令牌" in client.get("/settings/tokens").get_data(as_text=True)


def test_token_needs_a_name_and_others_tokens_cannot_be_revoked(client, make_user):
    make_user("alice")
    bob = make_user("bob")
    accounts.issue_token(bob, "bob's app")
    login(client, "alice")
    resp = post_form(client, "/settings/tokens", {"name": "  "})
    assert resp.status_code == 422 and "请给令牌起个名字" in resp.get_data(as_text=True)
    bob_token_id = accounts.list_tokens(bob)[0].id
    assert post_form(client, f"/settings/tokens/{bob_token_id}/revoke", {}).status_code == 404
    assert len(accounts.list_tokens(bob)) == 1
