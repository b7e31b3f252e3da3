"""Rewards' part of the OpenAPI document (routes in rewards/api.py), registered by
``rewards.init_app`` with ``forum.api.openapi_kit.register_openapi``."""

from __future__ import annotations

from forum.api.openapi_kit import (
    AUTH,
    COUNT,
    DATETIME,
    INTEGER,
    MAX_PER_PAGE,
    OPTIONAL_AUTH,
    PAGE,
    PUBLIC,
    STRING,
    ApiSpec,
    array,
    get,
    nullable,
    obj,
    op,
    path_param,
    per_page,
    ref,
)

TITLE = obj({"name": STRING, "threshold": {"type": "integer", "minimum": 0,
                                           "description": "lifetime points that reach it"}})

SCHEMAS = {
    "RewardTitle": TITLE,
    "LedgerEntry": obj({
        "id": INTEGER,
        "amount": {"type": "integer", "description": "points; negative for reversals and "
                   "store redemptions; 0 for an award over the day's cap"},
        "rule": {"type": "string", "description": "rule code, e.g. topic_created, post_liked, "
                 "checkin, reversal, redeem, refund"},
        "source": {"type": "string", "description": "what earned it, kind:id (post:12, "
                   "like:12, day:739000, order:5, entry:40 for a reversal)"},
        "created_at": DATETIME,
    }),
    "MyPoints": obj({
        "balance": {"type": "integer", "description": "current points (the ledger's sum)"},
        "lifetime": {"type": "integer", "minimum": 0, "description": "points ever earned; "
                     "never decreases; decides the title"},
        "title": nullable(ref("RewardTitle")),
        "next_title": nullable(ref("RewardTitle")),
        "streak": COUNT,
        "checked_in_today": {"type": "boolean"},
        "entries": array(ref("LedgerEntry")),
        "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
        "total": COUNT,
    }),
    "CheckinResult": obj({
        "new": {"type": "boolean", "description": "false when already checked in today "
                "(Asia/Shanghai)"},
        "awarded": COUNT,
        "streak": {"type": "integer", "minimum": 0, "description": "consecutive days"},
        "balance": INTEGER,
    }),
    "LeaderboardRow": obj({
        "rank": {"type": "integer", "minimum": 1, "description": "equal points share a rank"},
        "username": STRING,
        "display_name": STRING,
        "title": nullable(STRING),
        "points": INTEGER,
    }),
    "Leaderboard": obj({
        "period": {"type": "string", "enum": ["week", "month", "all"]},
        "tribe": nullable(STRING),
        "items": array(ref("LeaderboardRow")),
        "proxies": array(obj({
            "rank": INTEGER,
            "username": STRING,
            "display_name": STRING,
            "accepted_answers": {"type": "integer", "minimum": 1,
                                 "description": "answers accepted in the period, net of marks "
                                                "that moved away"},
        })),
    }),
    "RewardItem": obj({
        "id": INTEGER,
        "name": STRING,
        "description": STRING,
        "price": {"type": "integer", "minimum": 1, "description": "points"},
        "stock": COUNT,
        "per_user_limit": {"type": "integer", "minimum": 0, "description": "0: no limit"},
        "needs_phone": {"type": "boolean", "description": "redeeming asks for the mainland "
                        "mobile number to credit (流量包, 话费): send `phone`"},
    }),
    "RedeemRequest": obj({
        "phone": {"type": "string", "maxLength": 20, "description": "the mainland mobile "
                  "number to credit (11 digits starting 13–19; spaces, dashes and +86 are "
                  "accepted); required when the item needs_phone, ignored otherwise"},
    }, optional=("phone",)),
    "RewardCatalogue": obj({"items": array(ref("RewardItem"))}),
    "RewardOrder": obj({
        "order_id": INTEGER,
        "item_id": INTEGER,
        "price": INTEGER,
        "status": {"type": "string", "enum": ["pending", "fulfilled", "cancelled"]},
        "phone": nullable(STRING),
        "balance": {"type": "integer", "description": "points left"},
    }),
    "UserBadge": obj({"code": STRING, "name": STRING, "description": STRING, "icon": STRING,
                      "awarded_at": DATETIME}),
    "UserBadges": obj({"username": STRING, "items": array(ref("UserBadge"))}),
}


def _query(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description}


PATHS = {
    "/me/points": {"get": get(
        "My points: balance, lifetime, title and history", "rewards", "getMyPoints", auth=AUTH,
        params=(PAGE, {**per_page(20)}),
        ok=(200, "MyPoints", "The summary and one page of ledger entries, newest first"))},
    "/me/checkin": {"post": op(
        "Daily check-in (签到)", "rewards", "checkIn", auth=AUTH,
        ok=(200, "CheckinResult", "Checked in (or already today: new is false)"),
        description="Once per Asia/Shanghai day: +2 points by default; consecutive days "
                    "build the streak (7 days earn a badge).")},
    "/leaderboards": {"get": get(
        "Leaderboards (风云榜)", "rewards", "getLeaderboard", auth=OPTIONAL_AUTH,
        params=(_query("period", {"type": "string", "enum": ["week", "month", "all"],
                                  "default": "week"},
                       "this week (from Monday), this month, or all time, in Asia/Shanghai"),
                _query("tribe", {"type": "string"}, "a tribe's slug: points earned in it")),
        ok=(200, "Leaderboard", "Up to 50 users, most points first (points totals are updated every minute)"), errors=(422,),
        description="Points earned (net of reversals; store spending does not count). 422 "
                    "for an unknown period or tribe.")},
    "/rewards/catalogue": {"get": get(
        "The redemption store's catalogue", "rewards", "getCatalogue", auth=PUBLIC,
        ok=(200, "RewardCatalogue", "Active items, cheapest first"))},
    "/rewards/{item_id}/redeem": {"post": op(
        "Redeem an item for points", "rewards", "redeemItem", auth=AUTH,
        params=(path_param("item_id", INTEGER, "the item's id"),),
        body="RedeemRequest", body_required=False,
        ok=(201, "RewardOrder", "Redeemed: points and stock debited, order pending"),
        errors=(404, 409),
        description="Atomic: never a negative balance, never oversold. 409 with "
                    "`error.code` `insufficient_points`, `out_of_stock` or `limit_reached` "
                    "(nothing is debited); 404 for an unknown or inactive item; 422 when "
                    "the item needs_phone and `phone` is missing or not a mainland mobile "
                    "number.")},
    "/users/{username}/badges": {"get": get(
        "A user's badges (勋章)", "rewards", "getUserBadges", auth=PUBLIC,
        params=(path_param("username", STRING, "the user's username"),),
        ok=(200, "UserBadges", "Badges in display order"), errors=(404,))},
}


SPEC = ApiSpec(tag="rewards", description="points (积分), check-in, leaderboards, badges and "
               "the redemption store", paths=PATHS, schemas=SCHEMAS)
