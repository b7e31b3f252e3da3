"""Outgoing e-mail over SMTP (Python's smtplib), configured by HUZHU_SMTP_* (config.py).

``configured()`` says whether the site can send mail at all; without HUZHU_SMTP_HOST the
features that would mail (password reset links) fall back to an administrator. Mail is sent
by a task after the transaction commits, so a rolled-back request mails no one and, with a
broker, the request does not wait for the mail server.
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app

from forum.jobs import enqueue_after_commit, task

log = logging.getLogger(__name__)
SMTP_TIMEOUT = 15


def configured() -> bool:
    return bool(current_app.config.get("SMTP_HOST"))


def send_after_commit(to: str, subject: str, body: str) -> None:
    """Queue one plain-text mail to be sent once the current transaction commits."""
    enqueue_after_commit("forum.send_mail", to, subject, body)


def send(to: str, subject: str, body: str) -> None:
    """Send one plain-text mail now (raises on SMTP errors)."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["SMTP_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=SMTP_TIMEOUT) as smtp:
        if config.get("SMTP_TLS"):
            smtp.starttls()
        if config.get("SMTP_USER"):
            smtp.login(config["SMTP_USER"], config.get("SMTP_PASSWORD") or "")
        smtp.send_message(message)
    log.info("mail sent: %s", subject)


@task(name="forum.send_mail", autoretry_for=(smtplib.SMTPServerDisconnected,
                                              smtplib.SMTPConnectError, ConnectionError,
                                              TimeoutError), max_retries=3)
def send_mail(to: str, subject: str, body: str) -> bool:
    if not configured():
        log.warning("mail not sent (HUZHU_SMTP_HOST is not set): %s", subject)
        return False
    send(to, subject, body)
    return True
