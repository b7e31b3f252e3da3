"""An administrator's password reset link (forum, issue 17) lands on moderation's audit log
(操作日志) through ``events.password_reset_issued``; a link mailed on request does not."""

from __future__ import annotations

import sqlalchemy as sa

from forum.extensions import db
from forum.services import passwords
from moderation.models import AuditEntry
from tests.conftest import login


def test_the_admin_link_is_on_the_audit_log_page(app, client, make_user):
    admin = make_user("boss", roles=("admin", "moderator"))
    user = make_user("xiaoming")
    passwords.issue_admin_reset(admin, user, lambda token: f"https://x/{token}")
    entry = db.session.scalars(sa.select(AuditEntry)).one()
    assert (entry.actor_id, entry.action, entry.target_id) == (admin.id, "password_reset_link",
                                                                str(user.id))
    login(client, "boss")
    html = client.get("/moderation/audit?target_type=user").get_data(as_text=True)
    assert "生成重置密码链接" in html and f"#{user.id}" in html


def test_a_mailed_link_is_not_audited(app, make_user, monkeypatch):
    user = make_user("xiaoming")
    user.email = "x@example.com"
    db.session.commit()
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setattr("forum.mail.send_after_commit", lambda *args: None)
    passwords.request_reset("xiaoming", lambda token: f"https://x/{token}")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 0
