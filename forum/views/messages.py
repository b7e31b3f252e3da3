"""Pages: private messages (私信) — the conversation list, a conversation, block/unblock."""

from __future__ import annotations

from flask import (
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from forum import ratelimit
from forum.errors import DomainError, NotFound
from forum.errors_http import with_retry_after
from forum.services import accounts, blocks, messages
from forum.views import bp
from forum.views.helpers import current_actor, json_error, page_arg, redirect_back


@bp.app_context_processor
def _unread_messages():
    """``unread_message_count()`` for the header's 私信 link; asked only where it is shown."""

    def unread_message_count() -> int:
        if not current_user.is_authenticated:
            return 0
        try:
            return messages.unread_count(current_actor())
        except Exception:  # an error page must render even when the database does not answer
            current_app.logger.exception("counting unread private messages failed")
            return 0

    return {"unread_message_count": unread_message_count}


@bp.route("/messages")
@login_required
def messages_list():
    page = messages.list_conversations(current_actor(), page_arg())
    return render_template("forum/messages.html", page=page)


def _conversation_page(username: str, body: str = "", error: DomainError | None = None,
                       status: int = 200):
    try:
        view = messages.conversation_view(current_actor(), username, page_arg())
    except DomainError as err:
        if isinstance(err, NotFound):
            raise
        flash(err.message, "error")  # e.g. one's own name: there is no such conversation
        return redirect(url_for("forum.messages_list"))
    return render_template("forum/messages_conversation.html", view=view, body=body,
                           error=error, body_max=messages.BODY_MAX), status


@bp.route("/messages/<username>")
@login_required
def messages_conversation(username: str):
    return _conversation_page(username)


@bp.route("/messages/<username>", methods=["POST"])
@login_required
def messages_send(username: str):
    body = request.form.get("body", "")
    try:
        ratelimit.consume("message", ratelimit.user_key(current_actor()))
        message = messages.send_message(current_actor(), username, body)
    except NotFound:
        raise
    except DomainError as err:
        # Keep what was typed, show why it was refused, with the error's status (422/403/409/429).
        return with_retry_after(make_response(
            _conversation_page(username, body=body, error=err, status=err.status)), err)
    return redirect(url_for("forum.messages_conversation", username=username) + f"#msg-{message.id}")


@bp.route("/messages/<username>/read", methods=["POST"])
@login_required
def messages_mark_read(username: str):
    """messages.js marks a live-appended message read; answers the remaining unread total."""
    try:
        up_to = int(request.form.get("up_to") or 0) or None
    except ValueError:
        up_to = None
    try:
        unread = messages.mark_read(current_actor(), username, up_to)
    except DomainError as err:
        return json_error(err)
    return jsonify({"unread_count": unread})


@bp.route("/messages/c/<id:conversation_id>")
@login_required
def messages_by_id(conversation_id: int):
    """A stable link to a conversation (notifications); 404 for anyone but its two members."""
    conversation = messages.get_conversation_or_404(current_actor(), conversation_id)
    other = accounts.resolve_user_by_id(conversation.other_id(current_user.id))
    return redirect(url_for("forum.messages_conversation", username=other.username))


@bp.route("/u/<username>/block", methods=["GET", "POST"])
@login_required
def messages_block(username: str):
    """GET asks for confirmation; POST blocks."""
    target = accounts.resolve_user(username)
    if request.method == "GET":
        return render_template("forum/messages_block_confirm.html", target=target,
                               already=blocks.is_blocked(current_actor(), target),
                               back_url=url_for("forum.messages_conversation", username=target.username))
    blocks.set_blocked(current_actor(), target, True)
    flash(f"已屏蔽 {target.display_name}，对方将无法再给你发私信", "success")
    return redirect_back(url_for("forum.messages_conversation", username=target.username))


@bp.route("/u/<username>/unblock", methods=["POST"])
@login_required
def messages_unblock(username: str):
    target = accounts.resolve_user(username)
    blocks.set_blocked(current_actor(), target, False)
    flash(f"已解除对 {target.display_name} 的屏蔽", "success")
    return redirect_back(url_for("forum.messages_conversation", username=target.username))
