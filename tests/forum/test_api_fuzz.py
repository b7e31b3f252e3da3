"""Schema-driven fuzzing: schemathesis generates requests for every operation of
/api/v1/openapi.json (a fixed, small example budget that fits CI) and sends each as a
customer and as a moderator. No answer may be a server error, a status the document does not
list, or a body that breaks the documented schema."""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES_PER_OPERATION = 6  # valid and invalid inputs mixed
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


@pytest.fixture
def fuzz_tokens(make_user, make_tribe, api_token):
    from forum.services import topics

    customer = make_user("fuzz_customer")
    moderator = make_user("fuzz_moderator", roles=("customer", "moderator", "employee"))
    tribe = make_tribe("liuliang", moderators=["fuzz_moderator"])
    topic = topics.create_topic(customer, tribe, "流量怎么查询", "请问怎么查？")
    topics.create_reply(moderator, topic, "发短信查询")
    return {"customer": api_token(customer), "moderator": api_token(moderator)}


def test_generated_requests_get_documented_answers(app, fuzz_tokens):
    # Driven by hand rather than by schemathesis' pytest plugin (its lazy fixture does not
    # run under pytest 9), one hypothesis run per operation, every failure reported.
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures, operations, sent = [], 0, []
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        strategy = (operation.as_strategy(generation_mode=GenerationMode.POSITIVE)
                    | operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))

        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True,
                  suppress_health_check=list(HealthCheck), database=None)
        @given(case=strategy)
        def run(case):
            for headers in fuzz_tokens.values():
                case.call_and_validate(headers=headers, checks=CHECKS)
                sent.append(case.method)

        try:
            run()
        except Exception as exc:  # collected: one report for every operation
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}"[:1500])
    assert operations > 50 and len(sent) >= 2 * operations
    print(f"{len(sent)} generated requests over {operations} operations")
    assert not failures, "\n\n".join(failures)
