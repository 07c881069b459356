from __future__ import annotations

import pytest

from edge.auth.errors import FieldError, LastAdminError, UnknownUserError
from edge.auth.sessions import Sessions
from edge.auth.users import Users
from edge.storage import Storage
from edge.web.access import Role

PASSWORD = "a long enough password"


def test_create_get_list_and_authenticate(storage: Storage) -> None:
    users = Users(storage)
    users.create("hanako", Role.COORDINATOR, PASSWORD, language="ja")
    users.create("admin", "admin", PASSWORD)
    assert [u.name for u in users.list()] == ["admin", "hanako"]
    hanako = users.get("hanako")
    assert (hanako.role, hanako.language, hanako.disabled) == (Role.COORDINATOR, "ja", False)
    assert users.authenticate("hanako", PASSWORD) == hanako
    assert users.authenticate("hanako", PASSWORD + "x") is None
    assert users.authenticate("nobody", PASSWORD) is None
    with storage.locked() as db:
        stored = db.conn.execute("SELECT password_hash FROM users WHERE name='hanako'").fetchone()
    assert stored[0].startswith("scrypt$")
    assert PASSWORD not in stored[0]


@pytest.mark.parametrize("name", ["", "Hanako", "-lead", "has space", "x" * 33, "名前"])
def test_bad_names_are_refused_naming_the_field(storage: Storage, name: str) -> None:
    with pytest.raises(FieldError) as e:
        Users(storage).create(name, Role.VIEWER, PASSWORD)
    assert e.value.field == "name"


def test_short_password_unknown_role_and_duplicate_name_are_refused(storage: Storage) -> None:
    users = Users(storage)
    with pytest.raises(FieldError) as short:
        users.create("taro", Role.VIEWER, "too short")
    assert (short.value.field, short.value.code) == ("password", "password_short")
    with pytest.raises(FieldError) as role:
        users.create("taro", "farmer", PASSWORD)
    assert role.value.field == "role"
    users.create("taro", Role.VIEWER, PASSWORD)
    with pytest.raises(FieldError) as taken:
        users.create("taro", Role.VIEWER, PASSWORD)
    assert taken.value.code == "name_taken"
    with pytest.raises(UnknownUserError):
        users.set_role("jiro", Role.ADMIN)


def test_the_last_enabled_admin_cannot_be_demoted_disabled_or_deleted(storage: Storage) -> None:
    users = Users(storage)
    users.create("boss", Role.ADMIN, PASSWORD)
    for change in (
        lambda: users.set_role("boss", Role.OPERATOR),
        lambda: users.set_disabled("boss", True),
        lambda: users.delete("boss"),
    ):
        with pytest.raises(LastAdminError):
            change()
    assert users.get("boss").role is Role.ADMIN
    users.create("deputy", Role.ADMIN, PASSWORD)
    users.set_disabled("deputy", True)
    with pytest.raises(LastAdminError):  # a disabled admin does not count
        users.delete("boss")
    users.set_disabled("deputy", False)
    users.set_role("boss", Role.VIEWER)
    assert users.get("boss").role is Role.VIEWER


def test_first_admin_only_while_no_user_exists(storage: Storage) -> None:
    users = Users(storage)
    assert users.create_first_admin("owner", PASSWORD).role is Role.ADMIN
    with pytest.raises(FieldError) as e:
        users.create_first_admin("intruder", PASSWORD)
    assert e.value.code == "setup_done"
    assert [u.name for u in users.list()] == ["owner"]


def test_a_new_password_or_disabling_ends_the_users_sessions(storage: Storage) -> None:
    users, sessions = Users(storage), Sessions(storage)
    users.create("taro", Role.OPERATOR, PASSWORD)
    first = sessions.create("taro")
    users.set_password("taro", "another long password")
    assert sessions.resolve(first.id) is None
    assert users.authenticate("taro", "another long password") is not None
    second = sessions.create("taro")
    users.set_disabled("taro", True)
    assert sessions.resolve(second.id) is None
    assert users.authenticate("taro", "another long password") is None
