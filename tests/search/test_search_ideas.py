"""Golden ideas in search (forum/searchable.py): employees find them, nobody else does, and
the index follows submission, edits and merges — on every backend."""

from __future__ import annotations

import pytest

from forum.extensions import db
from ideas.services import ideas as idea_service
from ideas.services import triage
from search import services


@pytest.fixture(autouse=True)
def _ideas_loaded(app):
    if "ideas" not in app.config["HUZHU_PACKAGES"]:
        pytest.skip("the ideas package is not loaded (HUZHU_PACKAGES)")


@pytest.fixture
def staff(make_user):
    return {
        "author": make_user("idea_author", roles=("employee",)),
        "colleague": make_user("colleague", roles=("employee",)),
        "admin": make_user("boss", roles=("admin",)),
        "customer": make_user("customer"),
    }


def find(viewer, q, **filters):
    return services.search(viewer, q, services.parse_filters(**filters))


def keys(results):
    return [(item.kind, item.id) for item in results.page.items]


def submit(author, title, problem="用户经常不知道自己的套餐余量快用完了",
           proposal="在余量只剩一成时发一条短信通知用户"):
    idea = idea_service.submit_idea(author, title, problem, proposal, "产品套餐")
    db.session.commit()  # the test is the edge: indexing follows the commit
    return idea


def test_employees_find_ideas_and_customers_never_do(engine, staff, client, api_token):
    idea = submit(staff["author"], "流量超出前短信提醒")
    for viewer in (staff["colleague"], staff["admin"], staff["author"]):
        assert keys(find(viewer, "流量")) == [("idea", idea.id)]
    assert keys(find(staff["customer"], "流量")) == []
    assert keys(find(None, "流量")) == []
    result = find(staff["colleague"], "提醒").page.items[0]
    assert result.url == f"/ideas/{idea.id}"
    assert "<mark>提醒</mark>" in str(result.title_html)
    # the API and the page say the same
    body = client.get("/api/v1/search?q=流量&type=idea", headers=api_token(staff["colleague"]))
    assert [(i["type"], i["id"]) for i in body.get_json()["items"]] == [("idea", idea.id)]
    body = client.get("/api/v1/search?q=流量", headers=api_token(staff["customer"]))
    assert body.get_json()["items"] == []


def test_drafts_are_not_found_until_submitted(engine, staff):
    draft = idea_service.submit_idea(staff["author"], "营业厅排队叫号小程序", "营业厅里排队太久客户抱怨多",
                                     "用小程序远程取号并提醒到号", "渠道体验", draft=True)
    db.session.commit()
    assert keys(find(staff["colleague"], "排队")) == []
    idea_service.edit_idea(staff["author"], draft, draft.title, draft.problem, draft.proposal,
                           draft.category, submit=True)
    db.session.commit()
    assert keys(find(staff["colleague"], "排队")) == [("idea", draft.id)]


def test_index_follows_edits_and_merges(engine, staff):
    idea = submit(staff["author"], "宽带装维预约提醒")
    duplicate = submit(staff["colleague"], "宽带预约上门前短信提醒")
    idea_service.edit_idea(staff["author"], idea, "光猫故障自助排查指引", "很多用户不会自己重启光猫",
                           "做一份图文并茂的自助排查指引", "服务流程")
    db.session.commit()
    assert keys(find(staff["colleague"], "光猫")) == [("idea", idea.id)]
    assert ("idea", idea.id) not in keys(find(staff["colleague"], "装维"))
    triage.merge(staff["admin"], duplicate, idea)
    db.session.commit()
    assert keys(find(staff["colleague"], "预约上门")) == []


def test_the_search_page_links_an_idea_to_its_page(engine, staff, client):
    from tests.conftest import login

    idea = submit(staff["author"], "话费账单图表化展示")
    login(client, "colleague")
    page = client.get("/search?q=账单").get_data(as_text=True)
    assert f'href="/ideas/{idea.id}"' in page
