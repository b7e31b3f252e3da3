"""Fixtures of the ideas tests: the four kinds of users and a quick idea factory."""

from __future__ import annotations

import pytest

from ideas.services import ideas as idea_service
from ideas.services import owners

PROBLEM = "客户预约后经常忘记上门时间，师傅白跑一趟。"
PROPOSAL = "预约成功后发短信确认，上门前一天再提醒一次，客户可回复改约。"


@pytest.fixture
def people(make_user):
    """customer, employee (author), voter (another employee), owner (of 服务流程), admin."""
    admin = make_user("boss", roles=("admin",))
    owner = make_user("owner1", roles=("employee",))
    owners.assign_owner(admin, "owner1", "服务流程")
    return {
        "customer": make_user("cust1", roles=("customer",)),
        "employee": make_user("emp1", roles=("employee",)),
        "voter": make_user("emp2", roles=("employee",)),
        "owner": owner,
        "admin": admin,
    }


@pytest.fixture
def make_idea(people):
    counter = {"n": 0}

    def _make(author=None, title=None, category="服务流程", draft=False):
        counter["n"] += 1
        return idea_service.submit_idea(author or people["employee"],
                                        title or f"金点子第{counter['n']}号", PROBLEM, PROPOSAL,
                                        category, draft=draft)

    return _make
