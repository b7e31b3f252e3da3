"""/api/v1/ideas…: the golden ideas as JSON (on the core's api blueprint).

Anonymous requests get 401, signed-in non-employees 404 on every route (ideas never leak).
The routes are documented in ideas/openapi.py, added to the core's OpenAPI document.
"""

from __future__ import annotations

from flask import jsonify, request

from forum.api import (
    BOOLEAN,
    ID,
    INTEGER,
    STRING,
    api_bp,
    json_body,
    optional_json_body,
    read_fields,
    require_user,
)
from forum.api.serializers import iso, page_of, user_summary
from forum.models import User
from forum.pagination import clamp_page
from ideas.models import Idea, IdeaComment
from ideas.services import access, ideas, ranking, triage, votes


def _employee() -> User:
    return access.require_employee(require_user())


def idea_summary(idea: Idea, *, voted: bool) -> dict:
    return {
        "id": idea.id,
        "title": idea.title,
        "category": idea.category,
        "state": idea.state,
        "state_label": idea.state_label,
        "is_draft": idea.is_draft,
        "author": user_summary(idea.author),
        "vote_count": idea.vote_count,
        "comment_count": idea.comment_count,
        "voted": voted,
        "fund_amount": idea.fund_amount,
        "merged_into_id": idea.merged_into_id,
        "submitted_at": iso(idea.submitted_at),
        "created_at": iso(idea.created_at),
    }


def comment_json(comment: IdeaComment) -> dict:
    return {"id": comment.id, "parent_id": comment.parent_id,
            "author": user_summary(comment.author), "body": comment.body,
            "body_html": comment.body_html, "created_at": iso(comment.created_at)}


def idea_detail(idea: Idea, user: User) -> dict:
    threads = ideas.comment_threads(idea)
    return {
        **idea_summary(idea, voted=ideas.has_voted(user, idea)),
        "problem": idea.problem,
        "proposal": idea.proposal,
        "proposal_html": idea.proposal_html,
        "comments": [{**comment_json(t.comment), "replies": [comment_json(r) for r in t.replies]}
                     for t in threads],
        "history": [{"from": h.from_state, "to": h.to_state, "reason": h.reason,
                     "by": h.by.username if h.by else None, "at": iso(h.created_at)}
                    for h in ideas.history(idea)],
        "allowed_transitions": list(triage.allowed_transitions(idea))
        if access.is_owner(user, idea.category) else [],
    }


@api_bp.get("/ideas")
def api_list_ideas():
    user = _employee()
    args = request.args
    filters = ideas.parse_list_filters(args.get("state"), args.get("category"), args.get("sort"))
    page, per_page = clamp_page(args.get("page"), args.get("per_page"), ideas.PER_PAGE)
    result = ideas.list_ideas(user, page=page, per_page=per_page, **filters)
    voted = ideas.voted_ids(user, [i.id for i in result.items])
    return jsonify(page_of(result, [idea_summary(i, voted=i.id in voted) for i in result.items]))


@api_bp.post("/ideas")
def api_create_idea():
    user = _employee()
    data = read_fields(json_body(), required={"title": STRING},
                       optional={"problem": STRING, "proposal": STRING, "category": STRING,
                                 "draft": BOOLEAN})
    idea = ideas.submit_idea(user, data["title"], data.get("problem", ""),
                             data.get("proposal", ""), data.get("category", ""),
                             draft=data.get("draft", False))
    return jsonify(idea_detail(idea, user)), 201


@api_bp.get("/ideas/<id:idea_id>")
def api_get_idea(idea_id: int):
    user = _employee()
    return jsonify(idea_detail(access.get_idea_or_404(idea_id, user), user))


@api_bp.post("/ideas/<id:idea_id>/vote")
def api_vote_idea(idea_id: int):
    user = _employee()
    idea = access.get_idea_or_404(idea_id, user)
    data = read_fields(optional_json_body(), optional={"vote": BOOLEAN})
    if "vote" in data:
        voted, count = votes.set_vote(user, idea, data["vote"])
    else:
        voted, count = votes.toggle_vote(user, idea)
    return jsonify(voted=voted, vote_count=count)


@api_bp.post("/ideas/<id:idea_id>/comments")
def api_comment_idea(idea_id: int):
    user = _employee()
    idea = access.get_idea_or_404(idea_id, user)
    data = read_fields(json_body(), required={"body": STRING}, optional={"parent_id": ID})
    comment = ideas.add_comment(user, idea, data["body"], data.get("parent_id"))
    return jsonify(comment_json(comment)), 201


@api_bp.post("/ideas/<id:idea_id>/transition")
def api_transition_idea(idea_id: int):
    user = _employee()
    data = read_fields(json_body(), required={"to": STRING},
                       optional={"reason": STRING, "amount": INTEGER})
    idea = access.get_idea_or_404(idea_id, user, lock=True)
    triage.transition(user, idea, data["to"], data.get("reason"), amount=data.get("amount"))
    return jsonify(idea_detail(idea, user))


@api_bp.get("/ideas/leaderboard")
def api_ideas_leaderboard():
    _employee()
    period = ranking.parse_period(request.args.get("period"))
    board = ranking.leaderboard(period)
    return jsonify({
        "period": board.period,
        "since": iso(board.since),
        "formula": "hot = votes / (age_hours + 2) ^ 1.5",
        "ideas": [{"id": r.idea.id, "title": r.idea.title, "state": r.idea.state,
                   "votes": r.votes, "score": r.score} for r in board.ideas],
        "authors_by_implemented": [{"user": user_summary(r.user), "count": r.count}
                                   for r in board.by_implemented],
        "authors_by_votes": [{"user": user_summary(r.user), "count": r.count}
                             for r in board.by_votes],
    })
