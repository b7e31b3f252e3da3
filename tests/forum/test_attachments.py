"""Image attachments: checked by content, re-encoded without EXIF, thumbnails, served only
to those who may see the post, with nosniff."""

from __future__ import annotations

import io
import random

import pytest
from PIL import Image

from forum.services import topics
from tests.conftest import csrf_token, login


def png_with_exif(size=(800, 600)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {2: (31.0, 14.0, 0.0), 1: "N"}  # GPSInfo: latitude
    out = io.BytesIO()
    image.save(out, format="PNG", exif=exif)
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (640, 480), (10, 120, 200))
    exif = Image.Exif()
    exif[0x8825] = {2: (39.0, 54.0, 0.0), 1: "N", 4: (116.0, 23.0, 0.0), 3: "E"}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def _upload(client, data: bytes, filename: str = "photo.png"):
    token = csrf_token(client)
    return client.post("/uploads", data={"file": (io.BytesIO(data), filename)},
                       headers={"X-CSRFToken": token, "Accept": "application/json"},
                       content_type="multipart/form-data")


@pytest.fixture
def uploader(client, make_user):
    user = make_user("uploader")
    login(client, "uploader")
    return user


def test_png_with_exif_is_stored_without_it_and_gets_a_thumbnail(client, uploader):
    original = png_with_exif()
    assert Image.open(io.BytesIO(original)).getexif()  # the fixture really has EXIF
    response = _upload(client, original)
    assert response.status_code == 201
    body = response.get_json()
    assert body["markdown"] == f"![图片]({body['url']})"
    assert (body["width"], body["height"]) == (800, 600)
    stored = client.get(body["url"])
    assert stored.status_code == 200
    assert stored.headers["Content-Type"] == "image/png"
    assert stored.headers["X-Content-Type-Options"] == "nosniff"
    image = Image.open(io.BytesIO(stored.data))
    assert image.format == "PNG"
    assert not image.getexif()
    assert "exif" not in image.info
    thumb = Image.open(io.BytesIO(client.get(body["thumb_url"]).data))
    assert max(thumb.size) == 320


def test_jpeg_gps_position_is_removed(client, uploader):
    body = _upload(client, jpeg_with_gps(), "gps.jpg").get_json()
    stored = Image.open(io.BytesIO(client.get(body["url"]).data))
    assert stored.format == "JPEG"
    assert 0x8825 not in stored.getexif()


@pytest.mark.parametrize("payload, name", [
    (b"<?php system($_GET['c']); ?>", "shell.png"),
    (b"<html><script>alert(1)</script></html>", "page.png"),
    (b"GIF89a<script>alert(1)</script>", "polyglot.gif"),
    (b"", "empty.png"),
])
def test_files_that_are_not_images_are_refused_whatever_their_name(client, uploader, payload,
                                                                    name):
    response = _upload(client, payload, name)
    assert response.status_code == 422
    assert "图片" in response.get_json()["error"]["message"]


def test_svg_is_refused(client, uploader):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    assert _upload(client, svg, "logo.svg").status_code == 422


def _noisy_png(side: int) -> bytes:
    """Random pixels do not compress: about 3 bytes per pixel."""
    noisy = Image.frombytes("RGB", (side, side), random.Random(side).randbytes(side * side * 3))
    out = io.BytesIO()
    noisy.save(out, format="PNG")
    return out.getvalue()


def test_over_size_upload_is_refused_with_a_message(client, uploader, app):
    app.config.update(UPLOAD_MAX_BYTES=50_000, MAX_CONTENT_LENGTH=120_000)
    try:
        slightly_over = _noisy_png(150)  # ~68 kB: read, then refused by the image check
        assert 50_000 < len(slightly_over) < 100_000
        response = _upload(client, slightly_over)
        assert response.status_code == 422
        assert "图片太大了：最大" in response.get_json()["error"]["message"]
        far_over = _noisy_png(400)  # ~480 kB: over the request limit, refused unread
        response = _upload(client, far_over)
        assert response.status_code == 413
        assert response.get_json()["error"]["message"] == "提交的内容太大"
        assert _upload(client, _noisy_png(100)).status_code == 201  # ~30 kB is fine
    finally:
        app.config.update(UPLOAD_MAX_BYTES=5 * 1024 * 1024,
                          MAX_CONTENT_LENGTH=5 * 1024 * 1024 + 256 * 1024)


def test_upload_requires_login(client):
    response = _upload(client, png_with_exif())
    assert response.status_code in (302, 401)


def test_image_of_a_published_post_follows_the_post(client, uploader, make_user, make_tribe):
    body = _upload(client, png_with_exif()).get_json()
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    # before publishing, only the uploader may see it
    assert client.get(body["url"]).status_code == 404
    tribe = make_tribe("liuliang")
    topic = topics.create_topic(uploader, tribe, "截图求助", f"看这张图 {body['markdown']}")
    page = client.get(f"/topic/{topic.id}").get_data(as_text=True)
    assert f'src="{body["url"]}"' in page
    public = client.get(body["url"])
    assert public.status_code == 200
    assert "max-age=86400" in public.headers["Cache-Control"]
    topics.delete_post(uploader, topic.first_post)
    assert client.get(body["url"]).status_code == 404  # hidden with the post, file kept


def test_someone_else_cannot_claim_my_upload(client, uploader, make_user, make_tribe):
    body = _upload(client, png_with_exif()).get_json()
    thief = make_user("thief")
    topic = topics.create_topic(thief, make_tribe("kuandai"), "借用图片", body["markdown"])
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    assert topic.id
    assert client.get(body["url"]).status_code == 404


def test_remote_images_are_not_rendered(make_user, make_tribe):
    author = make_user("linker")
    topic = topics.create_topic(author, make_tribe("5g"), "远程图片",
                                "![x](https://tracker.example/pixel.gif)")
    assert "tracker.example" not in topic.first_post.body_html


def test_api_upload_with_a_token(client, make_user, api_token):
    user = make_user("app_user")
    response = client.post("/api/v1/uploads", headers=api_token(user),
                           data={"file": (io.BytesIO(png_with_exif((40, 30))), "a.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 201
    assert response.get_json()["content_type"] == "image/png"
    refused = client.post("/api/v1/uploads", headers=api_token(user),
                          data={"file": (io.BytesIO(b"not an image"), "a.png")},
                          content_type="multipart/form-data")
    assert refused.status_code == 422


def test_image_in_a_private_message_is_seen_by_the_two_people_only(client, uploader,
                                                                    make_user):
    from forum.services import messages

    body = _upload(client, png_with_exif((60, 40))).get_json()
    friend = make_user("friend")
    make_user("outsider")
    messages.send_message(uploader, friend.username, f"给你看 {body['markdown']}")
    assert client.get(body["url"]).status_code == 200  # the sender
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login(client, "friend")
    response = client.get(body["url"])
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]  # private: never cached by proxies
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login(client, "outsider")
    assert client.get(body["url"]).status_code == 404
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    assert client.get(body["url"]).status_code == 404
