"""Hostile input stopped once at the edge, before any view or service sees it.

- ``<id:name>`` in a route is a database id: a positive number the INTEGER id columns can hold
  (PostgreSQL refuses to compare an int column with 2^31, SQLite cannot bind 2^63). A larger
  one names nothing, so the URL does not match and the answer is the usual 404.
- Text no one can store: NUL (PostgreSQL text cannot hold it) and lone UTF-16 surrogates (a
  JSON ``"\\ud800"`` decodes to one, and no database encoding can write it). A path carrying
  one is a 404, a query string, form or JSON body a 422 naming the field.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, request
from werkzeug.datastructures import MultiDict
from werkzeug.routing import IntegerConverter

from forum.errors import NotFound, ValidationError

# Every id column is INTEGER (32-bit on PostgreSQL); rewards' BigInteger delta ids are never
# in a URL or a request body.
MAX_ID = 2**31 - 1
# Whole numbers a request may carry (amounts are BIGINT): beyond it no column can hold them.
MAX_INT = 2**63 - 1

NUL_MESSAGE = "不能包含空字符（\\u0000）"
SURROGATE_MESSAGE = "不能包含不成对的代理字符"


def _numbers_up_to(limit: int) -> str:
    """A regex matching exactly the numbers 1 … ``limit`` written without leading zeros."""
    digits = str(limit)
    alternatives = [rf"[1-9]\d{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    for i, digit in enumerate(digits):
        low = 1 if i == 0 else 0
        if int(digit) > low:
            rest = len(digits) - i - 1
            alternatives.append(f"{digits[:i]}[{low}-{int(digit) - 1}]" + (rf"\d{{{rest}}}" if rest else ""))
    alternatives.append(digits)
    return "(?:" + "|".join(alternatives) + ")"


class IdConverter(IntegerConverter):
    """``<id:topic_id>``: 1 … MAX_ID, else the route does not match (404).

    The range is in the regex, not a ``max=``: werkzeug answers 405 instead of 404 when a
    path's rule for another method matched and this one's converter refused the value."""

    regex = _numbers_up_to(MAX_ID)


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored, or None."""
    if "\x00" in text:
        return NUL_MESSAGE
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return SURROGATE_MESSAGE
    return None


def bad_fields(value: Any) -> dict[str, str]:
    """Field path → problem for every string (or key) of a JSON-like value that cannot be
    stored. Iterative: the nesting depth is the client's choice."""
    found: dict[str, str] = {}
    stack: list[tuple[str, Any]] = [("body", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            problem = text_problem(item)
            if problem:
                found[path] = problem
        elif isinstance(item, dict):
            for key, child in item.items():
                key = str(key)
                problem = text_problem(key)
                if problem:
                    found[path] = problem
                    continue
                stack.append((key if path == "body" else f"{path}.{key}", child))
        elif isinstance(item, list):
            stack.extend((f"{path}[{i}]", child) for i, child in enumerate(item))
    return found


def _refuse_bad_input() -> None:
    if text_problem(request.path):
        raise NotFound("页面不存在")
    # A query string only filters or searches: a NUL in it is dropped rather than refused, so
    # a search for "流量\x00" still answers (werkzeug decodes bad UTF-8 to U+FFFD already).
    if any("\x00" in k or "\x00" in v for k, v in request.args.items(multi=True)):
        request.args = MultiDict([(k.replace("\x00", ""), v.replace("\x00", ""))
                                  for k, v in request.args.items(multi=True)])
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        problems = {key: text_problem(v) for key, values in request.form.lists()
                    for v in values if text_problem(v)}
        if request.is_json:
            try:
                problems.update(bad_fields(request.get_json(silent=True)))
            except RecursionError:  # the API's json_body() answers it with a 400
                pass
        if problems:
            raise ValidationError("提交的内容有误", {_printable(k): v for k, v in problems.items()})


def _printable(name: str) -> str:
    # Field names go back in the error body: drop what made them unprintable.
    return name.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


def init_app(app: Flask) -> None:
    # First of all hooks: authentication, CSRF and rate limits look values up too.
    app.before_request_funcs.setdefault(None, []).insert(0, _refuse_bad_input)


def register_converters(app: Flask) -> None:
    """Before any blueprint adds a rule that names them."""
    app.url_map.converters["id"] = IdConverter
