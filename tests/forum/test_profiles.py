"""Profile editing (issue 17): display name with a change limit, bio shown on the profile
and under posts, e-mail, self-declared tags, avatar cropped to a square through the image
pipeline; bad input says why, keeps what was typed, answers 4xx and changes nothing."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import time_machine
from PIL import Image

from forum.extensions import db
from forum.models import User, utcnow
from forum.services import profiles, topics
from tests.conftest import csrf_token, login
from tests.forum.test_api_openapi import documented


def fresh(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def png(width=300, height=200, color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, format="PNG")
    return out.getvalue()


def save(client, **fields):
    data = {"display_name": "小明", "bio": "", "email": "", **fields}
    return client.post("/settings", data={**data, "csrf_token": csrf_token(client, "/settings")})


@pytest.fixture
def me(client, make_user):
    user = make_user("xiaoming", display_name="小明")
    login(client, "xiaoming")
    return user


def test_settings_page_saves_name_bio_email_and_tags(client, me):
    resp = save(client, display_name="明明", bio="  家住城东，\n 宽带老用户  ",
                email="ming@example.com", tags=["学生", "家庭用户"])
    assert resp.status_code == 302
    user = fresh(me)
    assert (user.display_name, user.bio, user.email) == ("明明", "家住城东， 宽带老用户",
                                                          "ming@example.com")
    assert profiles.self_tags(user) == ["学生", "家庭用户"]
    assert [u.username for u in db.session.scalars(profiles.users_with_tag("学生"))] == ["xiaoming"]
    page = client.get("/settings").get_data(as_text=True)
    assert 'value="明明"' in page and 'value="学生" checked' in page
    profile = client.get("/u/xiaoming").get_data(as_text=True)
    assert "家住城东， 宽带老用户" in profile and "ming@example.com" not in profile
    assert "学生" not in profile  # self-declared tags are not public


def test_display_name_changes_are_limited(client, me, app):
    assert save(client, display_name="明明").status_code == 302
    resp = save(client, display_name="小明明", bio="新签名")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert f"昵称每 {app.config['DISPLAY_NAME_CHANGE_DAYS']} 天只能修改一次" in html
    assert 'value="小明明"' in html and "新签名" in html  # typed text kept
    user = fresh(me)
    assert user.display_name == "明明" and user.bio == ""  # nothing changed, not even the bio
    assert save(client, display_name="明明", bio="新签名").status_code == 302  # same name: ok
    days = app.config["DISPLAY_NAME_CHANGE_DAYS"]
    with time_machine.travel(utcnow() + timedelta(days=days, minutes=1)):
        assert save(client, display_name="小明明", bio="新签名").status_code == 302
    assert fresh(me).display_name == "小明明"


@pytest.mark.parametrize("fields,message", [
    ({"display_name": "  "}, "请填写昵称"),
    ({"display_name": "长" * 41}, "昵称最多 40 个字"),
    ({"bio": "字" * 121}, "签名最多 120 个字"),
    ({"email": "not-an-address"}, "邮箱格式不正确"),
    ({"tags": ["学生", "外星人"]}, "未知标签"),
])
def test_bad_profile_input_is_refused_with_the_text_kept(client, me, fields, message):
    resp = save(client, **{"bio": "保留的签名", **fields})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and message in html
    if "email" in fields:
        assert 'value="not-an-address"' in html
    user = fresh(me)
    assert (user.display_name, user.bio, user.email) == ("小明", "", None)
    assert profiles.self_tags(user) == []


def test_bio_is_the_signature_under_posts(client, me, make_tribe):
    profiles.update_profile(me, bio="五年宽带老用户")
    topic = topics.create_topic(me, make_tribe("liuliang"), "宽带怎么提速", "请问怎么提速？")
    html = client.get(f"/topic/{topic.id}").get_data(as_text=True)
    assert '<p class="post-signature">五年宽带老用户</p>' in html


def test_avatar_upload_is_cropped_square_and_shown(client, me):
    resp = client.post("/settings/avatar", data={
        "file": (io.BytesIO(png(300, 200)), "me.png"), "csrf_token": csrf_token(client, "/settings")},
        content_type="multipart/form-data")
    assert resp.status_code == 302
    user = fresh(me)
    assert user.avatar_url
    served = client.get(user.avatar_url)
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    image = Image.open(io.BytesIO(served.data))
    assert image.size == (profiles.AVATAR_SIZE, profiles.AVATAR_SIZE)
    anonymous = client.application.test_client()
    assert anonymous.get(user.avatar_url).status_code == 200  # public, like the name
    assert f'src="{user.avatar_url}"' in anonymous.get("/u/xiaoming").get_data(as_text=True)
    old = user.avatar_url
    client.post("/settings/avatar", data={
        "file": (io.BytesIO(png(50, 80, (0, 0, 200))), "again.png"),
        "csrf_token": csrf_token(client, "/settings")}, content_type="multipart/form-data")
    assert fresh(me).avatar_url != old and client.get(old).status_code == 404  # replaced


def _avatar_files() -> set[str]:
    folder = profiles.avatar_dir()
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def test_an_avatar_that_is_not_an_image_changes_nothing(client, me):
    before = _avatar_files()
    resp = client.post("/settings/avatar", data={
        "file": (io.BytesIO(b"MZ\x90\x00 not an image"), "face.png"),
        "csrf_token": csrf_token(client, "/settings")}, content_type="multipart/form-data")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "只能上传 PNG、JPEG、GIF 或 WebP 图片" in html
    assert 'value="小明"' in html  # the profile form is still filled in
    assert fresh(me).avatar_name is None
    assert _avatar_files() == before


def test_removing_the_avatar_shows_initials_again(client, me):
    profiles.set_avatar(me, png())
    resp = client.post("/settings/avatar/remove",
                       data={"csrf_token": csrf_token(client, "/settings")})
    assert resp.status_code == 302 and fresh(me).avatar_name is None


def test_avatar_names_are_checked(client):
    for name in ("../secret.png", "x.png", "0" * 32 + ".gif"):
        assert client.get(f"/avatars/{name}").status_code == 404


# --- API ------------------------------------------------------------------------------------


def api(client, method, path, headers, json=None, template=None, **kwargs):
    resp = client.open("/api/v1" + path, method=method, headers=headers, json=json, **kwargs)
    documented(resp, method, template or path)
    return resp


def test_api_patch_me_edits_the_profile(client, make_user, api_token):
    user = make_user("xiaoming", display_name="小明")
    headers = api_token(user)
    body = api(client, "PATCH", "/me", headers, {"display_name": "明明", "bio": "签名",
                                                 "email": "m@example.com",
                                                 "tags": ["商户"]}).get_json()
    assert (body["display_name"], body["bio"], body["email"], body["self_tags"]) == (
        "明明", "签名", "m@example.com", ["商户"])
    assert body["display_name_next_change_at"]
    resp = api(client, "PATCH", "/me", headers, {"display_name": "又改名", "bio": "新的"})
    assert resp.status_code == 422 and "display_name" in resp.get_json()["error"]["fields"]
    assert fresh(user).bio == "签名"  # nothing changed
    body = api(client, "PATCH", "/me", headers, {"email": "", "tags": []}).get_json()
    assert body["email"] is None and body["self_tags"] == []
    assert api(client, "GET", "/me", headers).get_json()["display_name"] == "明明"
    public = api(client, "GET", "/users/xiaoming", headers, template="/users/{username}")
    assert "email" not in public.get_json()


def test_api_avatar_upload_and_refusal(client, make_user, api_token):
    user = make_user("xiaoming")
    headers = api_token(user)
    resp = api(client, "POST", "/me/avatar", headers,
               data={"file": (io.BytesIO(b"GIF89a-but-not-really"), "a.gif")},
               content_type="multipart/form-data")
    assert resp.status_code == 422 and fresh(user).avatar_name is None
    body = api(client, "POST", "/me/avatar", headers,
               data={"file": (io.BytesIO(png()), "a.png")},
               content_type="multipart/form-data").get_json()
    assert body["avatar_url"].startswith("/avatars/")
    assert api(client, "DELETE", "/me/avatar", headers).get_json()["avatar_url"] is None


def test_hostile_text_is_refused_without_a_500(client, make_user, api_token):
    user = make_user("xiaoming")
    headers = api_token(user)
    for field in ("display_name", "bio", "email"):
        resp = client.patch("/api/v1/me", headers=headers, json={field: "a\x00b@c.cn"})
        assert resp.status_code in (400, 422), field
    resp = client.patch("/api/v1/me", headers=headers, json={"tags": "学生,x" + "长" * 500})
    assert resp.status_code == 422
    assert client.post("/api/v1/auth/password-reset",
                       json={"identifier": "a\x00b"}).status_code in (202, 400, 422)
    for path in ("/password/reset/%00", "/avatars/%00.png", "/password/reset/" + "x" * 300):
        assert client.get(path).status_code == 404, path
    assert fresh(user).display_name == "xiaoming"
