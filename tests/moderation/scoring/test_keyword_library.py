"""The keyword library: default terms, moderator pages, validation, edits take effect."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from forum.errors import PermissionDenied, ValidationError
from forum.extensions import db
from moderation.scoring.models import Keyword
from moderation.scoring.services import keywords, score_text
from tests.conftest import csrf_token, login

LIST = "/admin/moderation/keywords"


def test_default_library_covers_the_product_categories():
    categories = {k.category for k in keywords.list_keywords(per_page=500).items}
    assert {"投诉", "扣费", "信号", "宽带", "服务态度", "销户", "工信部/315", "辱骂", "业务"} <= categories
    kinds = {k.kind for k in keywords.list_keywords(per_page=500).items}
    assert kinds == {"negative", "business"}


def test_pages_are_for_site_moderators_and_admins(client, make_user):
    assert client.get(LIST).status_code == 302  # to the login page
    make_user("cust")
    login(client, "cust")
    assert client.get(LIST).status_code == 403
    resp = client.post(LIST, data={"term": "坑爹货", "weight": "5", "category": "辱骂",
                                   "kind": "negative", "csrf_token": csrf_token(client)})
    assert resp.status_code == 403
    assert keywords.list_keywords(q="坑爹货").total == 0


def test_moderator_adds_searches_edits_and_deletes_with_confirmation(client, make_user):
    make_user("mod", roles=("moderator",))
    login(client, "mod")
    token = csrf_token(client, LIST)
    resp = client.post(LIST, data={"term": "黑心运营商", "weight": "9", "category": "辱骂",
                                   "kind": "negative", "csrf_token": token})
    assert resp.status_code == 302
    html = client.get(LIST + "?q=黑心").get_data(as_text=True)
    assert "黑心运营商" in html and "垃圾" not in html
    [kw] = keywords.list_keywords(q="黑心运营商").items
    assert kw.weight == 9 and kw.updated_by_id is not None

    resp = client.post(f"{LIST}/{kw.id}/edit", data={"term": "黑心运营商", "weight": "3",
                                                     "category": "投诉", "kind": "negative",
                                                     "csrf_token": token})
    assert resp.status_code == 302
    assert keywords.get_keyword_or_404(kw.id).weight == 3

    confirm = client.get(f"{LIST}/{kw.id}/delete")
    assert confirm.status_code == 200 and "确认删除" in confirm.get_data(as_text=True)
    assert keywords.list_keywords(q="黑心运营商").total == 1  # GET deletes nothing
    resp = client.post(f"{LIST}/{kw.id}/delete", data={"csrf_token": token})
    assert resp.status_code == 302
    assert keywords.list_keywords(q="黑心运营商").total == 0
    assert client.get(f"{LIST}/{kw.id}/edit").status_code == 404


@pytest.mark.parametrize("weight, message", [("0", "1–10"), ("11", "1–10"), ("abc", "1–10"),
                                             ("", "1–10")])
def test_bad_weight_is_422_and_keeps_what_was_typed(client, make_user, weight, message):
    make_user("mod", roles=("moderator",))
    login(client, "mod")
    resp = client.post(LIST, data={"term": "新词汇", "weight": weight, "category": "投诉",
                                   "kind": "negative", "csrf_token": csrf_token(client, LIST)})
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert message in html and 'value="新词汇"' in html
    assert keywords.list_keywords(q="新词汇").total == 0


def test_duplicate_term_empty_term_and_unknown_kind_are_refused(make_user):
    mod = make_user("mod", roles=("moderator",))
    with pytest.raises(ValidationError) as err:
        keywords.save_keyword(mod, term="投诉", weight=5, category="投诉", kind="negative")
    assert "已在关键字库中" in err.value.fields["term"]
    with pytest.raises(ValidationError) as err:
        keywords.save_keyword(mod, term="  ", weight=5, category="", kind="other")
    assert set(err.value.fields) == {"term", "category", "kind"}


def test_customers_cannot_edit_through_the_service(make_user):
    with pytest.raises(PermissionDenied):
        keywords.save_keyword(make_user("cust"), term="新词", weight=5, category="投诉",
                              kind="negative")


def test_adding_a_keyword_changes_new_scores(make_user):
    mod = make_user("mod", roles=("moderator",))
    text = "这个月多了一项叫增值宝的东西"
    before = score_text(text)
    assert "增值宝" not in before.keywords
    keywords.save_keyword(mod, term="增值宝", weight=10, category="扣费", kind="negative")
    after = score_text(text)
    assert "增值宝" in after.keywords
    assert after.score > before.score  # negative keywords only ever raise the score
    assert after.relevance > before.relevance  # 扣费 is a business category too


def test_deleting_a_keyword_changes_new_scores(make_user):
    mod = make_user("mod", roles=("moderator",))
    text = "工信部"
    assert "工信部" in score_text(text).keywords
    keyword = db.session.scalar(sa.select(Keyword).where(Keyword.term == "工信部"))
    keywords.delete_keyword(mod, keyword)
    assert "工信部" not in score_text(text).keywords


def test_library_change_in_another_process_is_seen_through_the_version_check(make_user):
    # Another process edits the table directly: our cache notices the version change.
    assert "月租陷阱" not in score_text("月租陷阱").keywords
    db.session.execute(sa.insert(Keyword).values(term="月租陷阱", weight=8, category="扣费",
                                                 kind="negative",
                                                 created_at=sa.func.current_timestamp(),
                                                 updated_at=sa.func.current_timestamp()))
    db.session.commit()
    assert "月租陷阱" in score_text("月租陷阱").keywords


def test_trial_scoring_on_the_library_page(client, make_user):
    make_user("mod", roles=("moderator",))
    login(client, "mod")
    html = client.get(LIST + "?try=真是太感谢移动了，又多扣我20块").get_data(as_text=True)
    assert "负面评分" in html and "多扣" in html


def test_empty_search_shows_an_empty_state(client, make_user):
    make_user("mod", roles=("moderator",))
    login(client, "mod")
    html = client.get(LIST + "?q=不存在的词语").get_data(as_text=True)
    assert "没有符合条件的关键字" in html
