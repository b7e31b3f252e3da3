"""Admin pages: who may see them, tribe create/edit with moderators, user roles and 加V."""

from __future__ import annotations

import pytest

from forum.extensions import db
from forum.models import Tribe
from forum.services import accounts, tribes
from tests.conftest import login, post_form

ADMIN_PAGES = ["/admin/tribes", "/admin/tribes/new", "/admin/tribes/liuliang/edit",
               "/admin/users"]


def tribe_form(**overrides) -> dict:
    data = {"slug": "kuandai", "name": "宽带与家庭网络", "description": "宽带报装、Wi-Fi 信号",
            "icon": "🏠", "position": "3", "moderators": ""}
    data.update(overrides)
    return data


@pytest.fixture
def people(make_user, make_tribe):
    make_user("boss", roles=("admin",))
    make_user("alice")
    make_user("mod", roles=("moderator",))
    make_user("emp", roles=("employee",))
    make_tribe("liuliang", "流量管家")


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_permission_matrix(client, people, app, path):
    resp = client.get(path)
    assert resp.status_code == 302 and "/login?next=" in resp.headers["Location"]
    for username in ("alice", "mod", "emp"):
        other = app.test_client()
        login(other, username)
        assert other.get(path).status_code == 403, username
    admin = app.test_client()
    login(admin, "boss")
    assert admin.get(path).status_code == 200


def test_admin_menu_links_only_for_admins(client, people, app):
    login(client, "alice")
    assert "/admin/tribes" not in client.get("/").get_data(as_text=True)
    admin = app.test_client()
    login(admin, "boss")
    html = admin.get("/").get_data(as_text=True)
    assert 'href="/admin/tribes"' in html and 'href="/admin/users"' in html


def test_non_admin_cannot_post_admin_forms(client, people):
    login(client, "mod")
    assert post_form(client, "/admin/tribes/new", tribe_form()).status_code == 403
    assert post_form(client, "/admin/users/alice/roles", {"roles": ["admin"]}).status_code == 403
    assert db.session.query(Tribe).filter_by(slug="kuandai").count() == 0
    assert "admin" not in accounts.get_user_by_username("alice").role_names


def test_admin_creates_tribe_with_moderators(client, people):
    login(client, "boss")
    resp = post_form(client, "/admin/tribes/new", tribe_form(moderators="alice， mod"))
    assert resp.status_code == 302 and resp.headers["Location"] == "/admin/tribes"
    tribe = tribes.get_tribe_or_404("kuandai")
    assert tribe.name == "宽带与家庭网络" and tribe.position == 3 and tribe.icon == "🏠"
    assert sorted(m.username for m in tribe.moderators) == ["alice", "mod"]
    html = client.get("/admin/tribes").get_data(as_text=True)
    assert "宽带与家庭网络" in html and ("alice, mod" in html or "mod, alice" in html)
    assert "宽带与家庭网络" in client.get("/tribes").get_data(as_text=True)


def test_admin_edits_tribe_and_form_is_prefilled(client, people):
    login(client, "boss")
    form = client.get("/admin/tribes/liuliang/edit").get_data(as_text=True)
    assert 'value="流量管家"' in form and 'value="liuliang"' in form
    resp = post_form(client, "/admin/tribes/liuliang/edit", tribe_form(
        slug="liuliang", name="流量管家（新）", moderators="alice"))
    assert resp.status_code == 302
    tribe = tribes.get_tribe_or_404("liuliang")
    db.session.refresh(tribe)
    assert tribe.name == "流量管家（新）" and [m.username for m in tribe.moderators] == ["alice"]
    post_form(client, "/admin/tribes/liuliang/edit", tribe_form(slug="liuliang", name="流量管家"))
    db.session.refresh(tribe)
    assert tribe.moderators == []


@pytest.mark.parametrize(("overrides", "message"), [
    ({"slug": "Bad Slug!"}, "标识须为 2–40 个小写字母、数字或连字符"),
    ({"slug": "liuliang"}, "该标识已被使用"),
    ({"name": ""}, "名称须为 1–40 个字"),
    ({"moderators": "ghost"}, "用户 ghost 不存在"),
    ({"position": "first"}, "请输入整数"),
])
def test_invalid_tribe_form_shows_error_and_keeps_input(client, people, overrides, message):
    login(client, "boss")
    resp = post_form(client, "/admin/tribes/new", tribe_form(**overrides))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert message in html
    assert "宽带报装、Wi-Fi 信号" in html  # the description typed is still there
    assert db.session.query(Tribe).count() == 1


def test_admin_lists_users_and_edits_roles(client, people):
    login(client, "boss")
    html = client.get("/admin/users").get_data(as_text=True)
    assert "共 5 位用户" in html and 'id="user-alice"' in html
    resp = post_form(client, "/admin/users/alice/roles", {"roles": ["customer", "proxy"],
                                                         "next": "/admin/users#user-alice"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/admin/users#user-alice"
    db.session.expire_all()
    assert accounts.get_user_by_username("alice").role_names == {"customer", "proxy"}
    assert "服务代理" in client.get("/u/alice").get_data(as_text=True)


def test_admin_user_search_and_pagination(client, people, make_user):
    for i in range(35):
        make_user(f"extra{i:02d}")
    login(client, "boss")
    html = client.get("/admin/users?q=alice").get_data(as_text=True)
    assert "共 1 位用户" in html and 'id="user-alice"' in html and 'id="user-mod"' not in html
    page1 = client.get("/admin/users").get_data(as_text=True)
    assert 'href="/admin/users?page=2"' in page1
    assert 'id="user-extra34"' in client.get("/admin/users?page=2").get_data(as_text=True)


def test_admin_cannot_remove_own_admin_role(client, people):
    login(client, "boss")
    resp = post_form(client, "/admin/users/boss/roles", {"roles": ["customer"]})
    assert resp.status_code == 302
    assert "不能移除自己的管理员角色" in client.get("/admin/users").get_data(as_text=True)
    db.session.expire_all()
    assert "admin" in accounts.get_user_by_username("boss").role_names


def test_unknown_role_is_refused(client, people):
    login(client, "boss")
    post_form(client, "/admin/users/alice/roles", {"roles": ["customer", "overlord"]})
    assert "未知角色" in client.get("/admin/users").get_data(as_text=True)
    db.session.expire_all()
    assert accounts.get_user_by_username("alice").role_names == {"customer"}


def test_admin_toggles_verified_from_user_list(client, people):
    login(client, "boss")
    post_form(client, "/u/alice/verify", {"verified": "1", "next": "/admin/users#user-alice"})
    db.session.expire_all()
    assert accounts.get_user_by_username("alice").is_verified
    assert "取消加V" in client.get("/admin/users").get_data(as_text=True)
