"""The Credentials page's Share… and Unshare… on a team database (PostgreSQL, the real
keyring): admin alice signs in to the window; member bob uses a second namespace of the
same Secret Service (`SecretStore(service=...)`) as his own keyring."""

from __future__ import annotations

import pytest

from netraven_desktop.core.db import Database
from netraven_desktop.core.secrets import Secrets, SecretStore
from netraven_desktop.core.services import auth, credentials, vault
from netraven_desktop.ui.context import AppContext
from netraven_desktop.ui.pages.credentials import CredentialsPage
from netraven_desktop.ui.prefs import open_prefs
from netraven_desktop.ui.qt import QtWidgets

pytestmark = pytest.mark.postgres

SECRETS = Secrets(password="Share-Gui-Pa55", enable="Share-Gui-En4ble")


@pytest.fixture
def team(make_db, secret_store, tmp_path, run_async):
    """alice (admin, signed in to the window) and bob (operator, his own keyring)."""
    owner = make_db("postgresql")
    url = owner.url.plain(hide_password=False)
    with owner.session() as s:
        auth.set_mode(s, "team", first_admin=("alice", "alice-password"))
    alice, bob = Database(url), Database(url)
    alice.act_as("alice", "admin")
    bob.act_as("bob", "operator")
    with alice.session() as s:
        auth.add_user(s, username="bob", password="bob-password", role="operator")
        auth.add_user(s, username="carol", password="carol-password", role="operator")
        auth.add_user(s, username="vera", password="vera-password", role="viewer")
    bob_store = SecretStore(service="netraven-desktop-test-member-b")
    vault.ensure_member_key(bob, bob_store, "bob")  # bob signed in once
    credentials.add_credential(alice, secret_store, name="lab", username="admin", secrets=SECRETS)
    ctx = AppContext(
        db=alice,
        secrets=secret_store,
        prefs=open_prefs(str(tmp_path / "prefs.ini")),
        user="alice",
        role="admin",
    )
    yield ctx, bob, bob_store
    run_async(ctx.drain())
    with alice.read_session() as s:
        ids = {u.username: u.id for u in auth.list_users(s)}
    secret_store.delete(f"vault-key/{ids['alice']}")
    bob_store.delete(f"vault-key/{ids['bob']}")
    run_async(alice.aclose())
    bob.close()


def _open(qtbot, run_async, ctx) -> CredentialsPage:
    page = CredentialsPage(ctx)
    qtbot.addWidget(page)
    page.show()
    run_async(page.refresh())
    page.select(lambda c: c.name == "lab")
    return page


def _reference(db: Database) -> str:
    with db.read_session() as s:
        (credential,) = credentials.list_credentials(s)
    return credential.keyring_ref


def test_admin_shares_and_unshares_from_the_credentials_page(qtbot, run_async, team):
    ctx, bob, bob_store = team
    page = _open(qtbot, run_async, ctx)

    dialog = page.open_sharing(share=True)
    qtbot.waitUntil(lambda: dialog.member.count() == 2)
    assert dialog.holders.text() == "alice"
    assert [dialog.member.itemText(i) for i in range(2)] == ["bob", "carol"]  # no viewer
    dialog.member.setCurrentText("carol")  # never signed in: no vault key yet
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: dialog.form.error_text("user") != "")
    assert dialog.form.error_text("user").startswith("has no vault key yet: they must sign in")
    dialog.member.setCurrentText("bob")
    with qtbot.waitSignal(dialog.accepted):
        dialog.ok_button.click()
    assert vault.read_secrets(bob, bob_store, _reference(bob)) == SECRETS

    dialog = page.open_sharing(share=False)
    qtbot.waitUntil(lambda: dialog.member.count() == 2)
    assert dialog.holders.text() == "alice, bob"
    dialog.member.setCurrentText("bob")
    with qtbot.waitSignal(dialog.accepted):
        dialog.ok_button.click()
    with pytest.raises(vault.VaultAccessError, match="bob cannot use credential lab"):
        vault.read_secrets(bob, bob_store, _reference(bob))


def test_only_admins_of_a_team_database_see_sharing(qtbot, run_async, team):
    ctx, _, _ = team

    def buttons() -> set[str]:
        page = _open(qtbot, run_async, ctx)
        return {button.text() for button in page.findChildren(QtWidgets.QPushButton)}

    assert {"&Share…", "&Unshare…"} <= buttons()
    ctx.role = "operator"
    assert "&Share…" not in buttons()
    ctx.user, ctx.role = None, "admin"  # personal mode: secrets stay in the keyring
    assert "&Share…" not in buttons()
