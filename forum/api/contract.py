"""Requests are checked against the OpenAPI document itself (forum/api/openapi.py), so the
contract and the server cannot drift: a JSON body must match its operation's schema (closed
objects refuse unknown fields, ``null`` only where the schema allows it) and a query
parameter with an ``enum`` must be one of its values (``period=`` is not "week").

Only the shape is checked here; lengths, ranges and other business rules keep the services'
own, more precise messages. Whole-number floats (``4.0``) are integers to JSON Schema, and
the body is handed on with them as ints.
"""

from __future__ import annotations

import re
from typing import Any

from flask import current_app, request
from jsonschema import Draft202012Validator

from forum.api.openapi import document
from forum.errors import ValidationError

PREFIX = "/api/v1"
# Body values outside an enum (an idea's category …) are left to the services, which report
# them together with the lengths and other rules in one 422.
SHAPE_KEYWORDS = {"type", "required", "additionalProperties"}
_TYPE_MESSAGES = {"string": "必须是字符串", "integer": "必须是整数", "boolean": "必须是 true 或 false",
                  "array": "必须是数组", "object": "必须是对象", "number": "必须是数字"}


def openapi_path(rule: str) -> str:
    """/api/v1/topics/<id:topic_id> → /topics/{topic_id}"""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule[len(PREFIX):])


def _operation() -> dict | None:
    if request.url_rule is None:
        return None
    path = document(current_app)["paths"].get(openapi_path(request.url_rule.rule))
    return (path or {}).get(request.method.lower())


def _validator(schema_name: str) -> Draft202012Validator:
    validators = current_app.extensions.setdefault("openapi_validators", {})
    if schema_name not in validators:
        validators[schema_name] = Draft202012Validator({
            "$ref": f"#/components/schemas/{schema_name}",
            "components": document(current_app)["components"]})
    return validators[schema_name]


def _field(error) -> str:
    # Errors name the top-level field, as read_fields() and the services do.
    return str(error.absolute_path[0]) if error.absolute_path else "body"


def _shape_errors(validator: Draft202012Validator, data: Any) -> dict[str, str]:
    fields: dict[str, str] = {}
    for error in validator.iter_errors(data):
        for leaf in _leaves(error):
            if leaf.validator not in SHAPE_KEYWORDS:
                continue
            if leaf.validator == "required":
                missing = re.findall(r"'([^']+)' is a required property", leaf.message)
                for name in missing:
                    fields.setdefault(name, "必填")
            elif leaf.validator == "additionalProperties":
                known = set(leaf.schema.get("properties", {}))
                for name in set(leaf.instance) - known:
                    fields.setdefault(name, "不支持的字段")
            elif leaf.validator == "type":
                wanted = leaf.validator_value
                wanted = wanted if isinstance(wanted, str) else wanted[0]
                fields.setdefault(_field(leaf), _TYPE_MESSAGES.get(wanted, "类型错误"))
    return fields


def _leaves(error):
    # anyOf/oneOf (a string or a list of tags; a nullable reference) report through context.
    if error.context:
        best = min(error.context, key=lambda e: len(e.absolute_path) * -1)
        yield from _leaves(best)
    else:
        yield error


def _integral_floats(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _integral_floats(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_integral_floats(v) for v in value]
    return value


def check_request() -> None:
    """Refuse (422) a request whose body or enum query parameters break the contract."""
    operation = _operation()
    if operation is None:
        return
    fields: dict[str, str] = {}
    for param in operation.get("parameters", ()):
        enum = param.get("schema", {}).get("enum")
        if param.get("in") == "query" and enum and param["name"] in request.args:
            if request.args[param["name"]] not in enum:
                fields[param["name"]] = "只能是 " + "、".join(map(str, enum))
    body = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if body is not None:
        try:
            data = request.get_json(silent=True)
        except RecursionError:  # json_body() answers it with a 400
            data = None
        if isinstance(data, dict):  # anything else is json_body()'s 400
            fields.update(_shape_errors(_validator(body["schema"]["$ref"].rsplit("/", 1)[-1]),
                                        data))
            if not fields:
                # Views read the cached body: give them 4.0 as the integer 4.
                request._cached_json = (_integral_floats(data), _integral_floats(data))
    if fields:
        raise ValidationError("请求不符合接口约定", fields)
