"""Reset links by e-mail (issue 17) through a real SMTP receiver on 127.0.0.1 (aiosmtpd):
the mail carries a working single-use link, the answer is the same for every identifier,
and nothing is sent for accounts that do not exist or have no address."""

from __future__ import annotations

import email
import re
import socket
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from forum.extensions import db
from forum.models import User, utcnow
from forum.models.accounts import PasswordReset
from forum.services import passwords, profiles
from tests.conftest import csrf_token

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller")

NEW = "mailed-new-pass9"


class Inbox:
    def __init__(self):
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.original_content)
        message["X-Rcpt"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def inbox(app):
    handler = Inbox()
    port = _free_port()
    controller = aiosmtpd_controller.Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    saved = {k: app.config.get(k) for k in ("SMTP_HOST", "SMTP_PORT", "SMTP_FROM", "PUBLIC_URL")}
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_FROM="huzhu@example.com",
                      PUBLIC_URL="https://huzhu.example.com")
    yield handler
    app.config.update(saved)
    controller.stop()


def _request(client, identifier):
    return client.post("/password/forgot", data={
        "identifier": identifier, "csrf_token": csrf_token(client, "/password/forgot")})


def _answer(resp) -> str:
    html = resp.get_data(as_text=True)
    return re.search(r'class="alert alert-info reset-answer"[^>]*><p>([^<]+)', html)[1]


def _link(message) -> str:
    body = message.get_payload(decode=True).decode()
    return re.search(r"https://huzhu\.example\.com(/password/reset/[A-Za-z0-9_-]+)", body)[1]


def test_a_mailed_link_resets_the_password_once(client, make_user, inbox):
    user = make_user("xiaoming")
    profiles.update_profile(user, email="xiaoming@example.com")
    resp = _request(client, "xiaoming")
    assert resp.status_code == 200
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["X-Rcpt"] == "xiaoming@example.com"
    assert message["From"] == "huzhu@example.com"
    path = _link(message)
    assert path.rsplit("/", 1)[1] not in str(db.session.scalars(
        sa.select(PasswordReset.token_hash)).all())  # the token itself is not stored

    resp = client.post(path, data={"new_password": NEW, "new_password_confirm": NEW,
                                   "csrf_token": csrf_token(client, path)})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(NEW)
    assert client.get(path).status_code == 410  # used


def test_the_answer_is_the_same_and_only_real_addresses_get_mail(client, make_user, inbox):
    with_mail = make_user("xiaoming")
    profiles.update_profile(with_mail, email="Family@Example.com")
    sibling = make_user("xiaohong")
    profiles.update_profile(sibling, email="family@example.com")
    make_user("no_mail")
    answers = {_answer(_request(client, name)) for name in
               ("no_mail", "nobody_here", "ghost@example.com")}
    assert inbox.messages == []
    answers.add(_answer(_request(client, "family@example.com")))  # both accounts
    assert len(answers) == 1 and answers.pop().startswith("如果该账号存在")
    assert sorted(m["X-Rcpt"] for m in inbox.messages) == ["Family@Example.com",
                                                           "family@example.com"]
    bodies = " ".join(m.get_payload(decode=True).decode() for m in inbox.messages)
    assert "@xiaoming" in bodies and "@xiaohong" in bodies


def test_a_mailed_link_expires(client, make_user, inbox, app):
    user = make_user("xiaoming")
    profiles.update_profile(user, email="xiaoming@example.com")
    _request(client, "xiaoming")
    path = _link(inbox.messages[0])
    token = path.rsplit("/", 1)[1]
    minutes = app.config["PASSWORD_RESET_MINUTES"]
    with time_machine.travel(utcnow() + timedelta(minutes=minutes - 1)):
        assert client.get(path).status_code == 200
    with time_machine.travel(utcnow() + timedelta(minutes=minutes + 1)):
        assert client.get(path).status_code == 410
        with pytest.raises(Exception, match="已过期"):
            passwords.complete_reset(token, NEW)
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password("password123")
