"""Ideas' part of the OpenAPI document (routes in ideas/api.py), registered by
``ideas.init_app`` with ``forum.api.openapi_kit.register_openapi``."""

from __future__ import annotations

from forum.api.openapi_kit import (
    AUTH,
    BOOLEAN,
    COUNT,
    DATETIME,
    INTEGER,
    PAGE,
    STRING,
    ApiSpec,
    array,
    get,
    nullable,
    obj,
    op,
    page_of,
    path_param,
    per_page,
    ref,
)
from ideas.models import CATEGORIES, STATES
from ideas.services import ideas, ranking, triage

IDEA_ID = path_param("idea_id", {"type": "integer", "minimum": 1}, "idea id")
STATE = {"type": "string", "enum": list(STATES)}
CATEGORY = {"type": "string", "enum": list(CATEGORIES)}
FEN = {"type": "integer", "minimum": 0, "description": "money in fen (分), 100 = ¥1.00"}
EMPLOYEES = ("Employees only: anonymous requests get 401, signed-in users without the "
             "employee role 404 (ideas never leak).")

IDEA_SUMMARY = {
    "id": INTEGER,
    "title": STRING,
    "category": CATEGORY,
    "state": STATE,
    "state_label": {"type": "string", "description": "the state in Chinese"},
    "is_draft": {"type": "boolean", "description": "drafts are seen by their author only"},
    "author": ref("UserSummary"),
    "vote_count": COUNT,
    "comment_count": COUNT,
    "voted": {"type": "boolean", "description": "the requester has voted for it"},
    "fund_amount": FEN,
    "merged_into_id": nullable({"type": "integer"}),
    "submitted_at": nullable(DATETIME),
    "created_at": DATETIME,
}
COMMENT = {
    "id": INTEGER,
    "parent_id": nullable({"type": "integer", "description": "the top-level comment replied to"}),
    "author": ref("UserSummary"),
    "body": STRING,
    "body_html": {"type": "string", "description": "sanitized HTML rendered from Markdown"},
    "created_at": DATETIME,
}
RANKED_AUTHOR = obj({"user": ref("UserSummary"), "count": COUNT})

SCHEMAS: dict = {
    "IdeaSummary": obj(IDEA_SUMMARY),
    "IdeaList": page_of("IdeaSummary"),
    "IdeaComment": obj(COMMENT),
    "IdeaDetail": obj({
        **IDEA_SUMMARY,
        "problem": STRING,
        "proposal": {"type": "string", "description": "Markdown source"},
        "proposal_html": {"type": "string", "description": "sanitized HTML"},
        "comments": array(obj({**COMMENT, "replies": array(ref("IdeaComment"))})),
        "history": array(obj({"from": STATE, "to": STATE, "reason": nullable(STRING),
                              "by": nullable(STRING), "at": DATETIME})),
        "allowed_transitions": array(STATE) | {
            "description": "states the requester may move it to (owners only; else empty)"},
    }),
    "NewIdea": obj({
        "title": {"type": "string", "minLength": ideas.TITLE_MIN, "maxLength": ideas.TITLE_MAX},
        "problem": {"type": "string", "minLength": ideas.PROBLEM_MIN,
                    "maxLength": ideas.PROBLEM_MAX},
        "proposal": {"type": "string", "minLength": ideas.PROPOSAL_MIN,
                     "maxLength": ideas.PROPOSAL_MAX, "description": "Markdown"},
        "category": CATEGORY,
        "draft": {"type": "boolean", "default": False,
                  "description": "keep it as a private draft (then only the title is required)"},
    }, optional=("problem", "proposal", "category", "draft")),
    "IdeaVoteRequest": obj({"vote": {"type": "boolean", "description": "true to vote, false "
                                     "to take it back (409 if already so); absent: toggle"}},
                           optional=("vote",)),
    "IdeaVoteResult": obj({"voted": BOOLEAN, "vote_count": COUNT}),
    "NewIdeaComment": obj({
        "body": {"type": "string", "minLength": ideas.COMMENT_MIN,
                 "maxLength": ideas.COMMENT_MAX},
        "parent_id": {"type": "integer", "description": "reply to this comment (a reply to a "
                      "reply joins its thread: one level of threading)"},
    }, optional=("parent_id",)),
    "IdeaTransition": obj({
        "to": STATE,
        "reason": {"type": "string", "maxLength": triage.REASON_MAX,
                   "description": "required when rejecting"},
        "amount": {"type": "integer", "minimum": 1, "description": "fen granted from the "
                   "idea fund; required when moving to funded"},
    }, optional=("reason", "amount")),
    "IdeaLeaderboard": obj({
        "period": {"type": "string", "enum": list(ranking.PERIODS)},
        "since": nullable(DATETIME),
        "formula": STRING,
        "ideas": array(obj({"id": INTEGER, "title": STRING, "state": STATE, "votes": COUNT,
                            "score": {"type": "number"}})),
        "authors_by_implemented": array(RANKED_AUTHOR),
        "authors_by_votes": array(RANKED_AUTHOR),
    }),
}


def _query(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description}


PATHS: dict = {
    "/ideas": {
        "get": get(
            "List golden ideas", "ideas", "listIdeas", auth=AUTH,
            params=(_query("state", STATE, "only this state (merged ideas appear only here)"),
                    _query("category", CATEGORY, "only this category"),
                    _query("sort", {"type": "string", "enum": list(ideas.SORTS),
                                    "default": "hot"},
                           "hot (votes / (age_hours + 2)^1.5), new, or top (votes)"),
                    PAGE, per_page(ideas.PER_PAGE)),
            ok=(200, "IdeaList", "One page of ideas"), errors=(404, 422),
            description=EMPLOYEES + " 422 for an unknown state, category or sort."),
        "post": op(
            "Submit a golden idea (or save a draft)", "ideas", "createIdea", auth=AUTH,
            body="NewIdea", ok=(201, "IdeaDetail", "Created"), errors=(404,),
            description=EMPLOYEES + " 422 with a message per field for empty or over-long "
                                    "fields."),
    },
    "/ideas/{idea_id}": {"get": get(
        "An idea with its comments and state history", "ideas", "getIdea", auth=AUTH,
        params=(IDEA_ID,), ok=(200, "IdeaDetail", "The idea"), errors=(404,),
        description=EMPLOYEES + " Drafts are found by their author only.")},
    "/ideas/{idea_id}/vote": {"post": op(
        "Vote for an idea, or take the vote back", "ideas", "voteIdea", auth=AUTH,
        params=(IDEA_ID,), body="IdeaVoteRequest", body_required=False,
        ok=(200, "IdeaVoteResult", "The new state"), errors=(404, 409),
        description=EMPLOYEES + " One vote per employee per idea. 409 on one's own idea, on "
                                "merged or rejected ideas, and for an explicit vote that is "
                                "already so.")},
    "/ideas/{idea_id}/comments": {"post": op(
        "Add a follow-up comment (追评)", "ideas", "commentIdea", auth=AUTH,
        params=(IDEA_ID,), body="NewIdeaComment", ok=(201, "IdeaComment", "Created"),
        errors=(404, 409), description=EMPLOYEES + " 409 on a merged idea.")},
    "/ideas/{idea_id}/transition": {"post": op(
        "Move an idea to another state (owners)", "ideas", "transitionIdea", auth=AUTH,
        params=(IDEA_ID,), body="IdeaTransition", ok=(200, "IdeaDetail", "The moved idea"),
        errors=(403, 404, 409),
        description=EMPLOYEES + " Owners of the idea's category and admins only (403). "
                                "submitted → under_review → in_arena → funded → implemented; "
                                "rejected (with a reason) from the first three. 409 lists the "
                                "allowed states, or says the fund is short.")},
    "/ideas/leaderboard": {"get": get(
        "风云榜: ideas by votes with time decay, and authors", "ideas", "ideasLeaderboard",
        auth=AUTH,
        params=(_query("period", {"type": "string", "enum": list(ranking.PERIODS),
                                  "default": "week"},
                       "week (from Monday), month (from the 1st) in Asia/Shanghai, or all"),),
        ok=(200, "IdeaLeaderboard", "The boards"), errors=(404, 422),
        description=EMPLOYEES + " hot = votes in the period / (age_hours + 2)^1.5.")},
}

SPEC = ApiSpec(tag="ideas", description="golden ideas (金点子), employees only",
               paths=PATHS, schemas=SCHEMAS)
