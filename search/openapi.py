"""Search's part of the OpenAPI document (routes in search/api.py), registered by
``search.init_app`` with ``forum.api.openapi_kit.register_openapi``."""

from __future__ import annotations

from forum.api.openapi_kit import (
    DATETIME,
    OPTIONAL_AUTH,
    PAGE,
    ApiSpec,
    array,
    get,
    nullable,
    obj,
    per_page,
    query_param,
    ref,
)

SCHEMAS = {
    "SearchResult": obj({
        "type": {"type": "string", "enum": ["topic", "reply", "idea"]},
        "id": {"type": "integer", "description": "the topic's id for a topic, the reply's "
               "id for a reply"},
        "topic_id": nullable({"type": "integer"}),
        "title": {"type": "string", "description": "the topic's title (PII-masked unless the "
                  "requester is the author or a moderator)"},
        "snippet_html": {"type": "string", "description": "an excerpt of the text the "
                         "requester may see, HTML-escaped, query words in <mark>"},
        "score": {"type": "number", "description": "relevance, higher is better (BM25 with "
                  "boosts for titles and solved topics); only comparable within one search"},
        "tribe": nullable({"type": "string", "description": "slug of the topic's tribe"}),
        "solved": {"type": "boolean", "description": "the topic has an accepted answer"},
        "created_at": DATETIME,
    }),
    "SearchResults": obj({
        "items": array(ref("SearchResult")),
        "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1, "maximum": 50},
        "total": {"type": "integer", "minimum": 0, "description": "matches; an estimate "
                  "(upper bound) while more pages follow, at most 50 pages' worth"},
        "query": {"type": "string", "description": "the query as searched (cut to 100 "
                  "characters)"},
        "relaxed": {"type": "boolean", "description": "partial matches (some of the words, "
                    "or the query's character bigrams) follow the results with every word"},
        "strict_total": {"type": "integer", "description": "how many results have every "
                         "word; they come first"},
        "did_you_mean": nullable({"type": "string", "description": "no results: a corrected "
                                  "query that finds some (流两 → 流量)"}),
        "notices": array({"type": "string", "description": "e.g. that a long query was cut"}),
    }),
    "SimilarTopics": obj({"items": array(obj({
        "topic_id": {"type": "integer"},
        "title": {"type": "string"},
        "solved": {"type": "boolean"},
        "accepted_excerpt": nullable({"type": "string", "description": "first line of the "
                             "accepted answer (solved topics)"}),
        "score": {"type": "number"},
    }))}),
}

PATHS = {
    "/search": {"get": get(
        "Full-text search of topics and replies", "search", "search", auth=OPTIONAL_AUTH,
        params=(
            query_param("q", {"type": "string"}, "the query: Chinese words (two characters "
                         "are enough), synonyms widen it; every character is taken "
                         "literally (no syntax); over 100 characters is cut; empty gives no "
                         "items"),
            query_param("type", {"type": "string", "enum": ["topic", "reply", "idea"]},
                         "only this kind"),
            query_param("tribe", {"type": "string"}, "only this tribe (slug)"),
            query_param("solved", {"type": "string", "enum": ["1", "0", "true", "false"]},
                         "only solved (1) or unsolved (0) topics"),
            query_param("date_from", {"type": "string", "format": "date"},
                         "created on or after this day (Asia/Shanghai), YYYY-MM-DD"),
            query_param("date_to", {"type": "string", "format": "date"},
                         "created on or before this day (Asia/Shanghai), YYYY-MM-DD"),
            PAGE,
            {**per_page(20), "schema": {"type": "integer", "minimum": 1, "maximum": 50,
                                         "default": 20},
             "description": "items per page, capped at 50"},
        ),
        ok=(200, "SearchResults", "One page of results, best first"), errors=(422,),
        description="Hidden, deleted and cold-handled posts (except the requester's own) "
                    "never appear; snippets show personal data masked unless the requester "
                    "is the author or a moderator. 422 for an unknown type or tribe, a bad "
                    "solved value or date.")},
    "/search/similar": {"get": get(
        "Topics similar to a title being written", "search", "searchSimilar",
        auth=OPTIONAL_AUTH,
        params=(query_param("title", {"type": "string"}, "the new topic's title as typed; "
                             "empty gives no items"),
                query_param("topic_id", {"type": "integer", "minimum": 1},
                             "instead of a title: topics related to this one (its page's "
                             "相关话题), never itself")),
        ok=(200, "SimilarTopics", "Up to 5 topics, solved ones first"), errors=(404, 422),
        description="Topics sharing the title's words or its character bigrams; hidden and "
                    "cold-handled topics (except the requester's own) and ideas never "
                    "appear. 404 when the requester may not see topic_id, 422 when it is "
                    "not a number.")},
}

SPEC = ApiSpec(tag="search", description="full-text search (搜索)", paths=PATHS,
               schemas=SCHEMAS)
