"""Accounts: registration rules at their edges, tokens, roles, 加V, follows."""

import pytest

from forum.errors import Conflict, PermissionDenied, Unauthorized, ValidationError
from forum.services import accounts


@pytest.mark.parametrize("username", ["abc", "a" * 20, "王小明", "user_01", "流量达人2024"])
def test_register_accepts_valid_usernames(app, username):
    user = accounts.register_user(username, "昵称", "12345678")
    assert user.id and user.role_names == {"customer"}


@pytest.mark.parametrize("username", ["ab", "a" * 21, "bad name", "bad-name", "a@b", "", "王小"])
def test_register_refuses_invalid_usernames(app, username):
    with pytest.raises(ValidationError) as err:
        accounts.register_user(username, "昵称", "12345678")
    assert "username" in err.value.fields


def test_password_needs_eight_characters(app):
    with pytest.raises(ValidationError) as err:
        accounts.register_user("shortpw", "昵称", "1234567")
    assert err.value.fields == {"password": "密码至少 8 位"}
    assert accounts.register_user("longpw", "昵称", "12345678").check_password("12345678")


def test_duplicate_username_is_refused_with_a_clear_message(app):
    accounts.register_user("zhangsan", "张三", "12345678")
    with pytest.raises(ValidationError) as err:
        accounts.register_user("zhangsan", "另一个张三", "12345678")
    assert err.value.fields["username"] == "该用户名已被注册"


def test_passwords_are_hashed_and_checked(app):
    user = accounts.register_user("lisi", "李四", "secret-pass")
    assert "secret-pass" not in user.password_hash
    assert accounts.authenticate("lisi", "secret-pass").id == user.id
    with pytest.raises(Unauthorized):
        accounts.authenticate("lisi", "wrong-pass")
    with pytest.raises(Unauthorized):
        accounts.authenticate("nobody", "secret-pass")


def test_user_holds_several_roles(app):
    user = accounts.register_user("multi", "多角色", "12345678", ["proxy", "employee"])
    assert user.role_names == {"proxy", "employee"}
    assert user.has_role("employee") and not user.has_role("moderator")
    accounts.set_roles(user, ["moderator"])
    assert user.role_names == {"moderator"}
    with pytest.raises(ValidationError):
        accounts.set_roles(user, ["superuser"])


def test_api_tokens_are_stored_hashed_and_revocable(app, make_user):
    user = make_user("tokenuser")
    token = accounts.issue_token(user)
    assert accounts.user_for_token(token).id == user.id
    stored = accounts.list_tokens(user)
    assert len(stored) == 1 and stored[0].token_hash != token
    accounts.revoke_token(user, stored[0].id)
    assert accounts.user_for_token(token) is None
    assert accounts.user_for_token("not-a-token") is None


def test_only_admins_set_verified(app, make_user):
    admin = make_user("admin1", roles=("admin",))
    mod = make_user("mod1", roles=("moderator",))
    user = make_user("plain")
    with pytest.raises(PermissionDenied):
        accounts.set_verified(mod, user, True)
    assert accounts.set_verified(admin, user, True).is_verified is True


def test_follow_is_idempotent_and_counts_both_sides(app, make_user):
    a, b = make_user("fan"), make_user("star")
    assert accounts.set_following(a, b, True) is True
    assert accounts.set_following(a, b, True) is True
    assert (b.follower_count, a.following_count) == (1, 1)
    assert accounts.toggle_follow(a, b) is False
    assert (b.follower_count, a.following_count) == (0, 0)
    assert accounts.followers(b) == [] and accounts.following(a) == []


def test_cannot_follow_oneself(app, make_user):
    a = make_user("narcissus")
    with pytest.raises(Conflict):
        accounts.set_following(a, a, True)
