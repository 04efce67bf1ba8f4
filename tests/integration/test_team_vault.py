"""The team vault on a real PostgreSQL with the real OS keyring (gnome-keyring under
scripts/test).

Two members, two keyrings: admin alice uses the keyring's usual namespace, member bob a
second namespace of the same Secret Service (`SecretStore(service=...)`), so nothing
alice's keyring holds is visible to bob's store, as on two laptops. Each member has
their own `Database` object acting as them, as two running programs would.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import AsyncIterator, Iterator

import psycopg
import pytest
import pytest_asyncio
from psycopg import sql
from sqlalchemy import text

from netraven_desktop.core.crud import devices, jobs
from netraven_desktop.core.db import Database
from netraven_desktop.core.errors import InputError, PermissionDeniedError
from netraven_desktop.core.secrets import Secrets, SecretStore
from netraven_desktop.core.services import auth, credentials, runs, vault
from netraven_desktop.core.services.engine import BackupEngine, EngineOptions
from netraven_desktop.core.vault_crypto import VaultIntegrityError, open_sealed, unwrap
from netraven_desktop.sim import SimDevice, Simulator
from tests.clitools import Cli, one_line_error
from tests.integration.test_team_roles import MEMBER_PASSWORD, may

pytestmark = pytest.mark.postgres

FAST = EngineOptions(concurrency=4, connect_timeout=5, device_timeout=20, retries=0, backoff=0.01)
PASSWORD, ENABLE = "Vault-Lab-Pa55!", "Vault-En4ble-s3cret"
MEMBER_B_SERVICE = "netraven-desktop-test-member-b"


class Team:
    """alice (admin) and bob (operator) on one team database, each with their keyring."""

    def __init__(self, db: Database, store_a: SecretStore, store_b: SecretStore) -> None:
        self.url = db.url.plain(hide_password=False)
        with db.session() as s:
            auth.set_mode(s, "team", first_admin=("alice", "alice-password"))
        self.a, self.b = Database(self.url), Database(self.url)
        self.a.act_as("alice", "admin")
        self.b.act_as("bob", "operator")
        with self.a.session() as s:
            auth.add_user(s, username="bob", password="bob-password", role="operator")
        self.store_a, self.store_b = store_a, store_b
        self.opened = [self.a, self.b]

    def user_id(self, name: str) -> uuid.UUID:
        with self.a.read_session() as s:
            return s.execute(
                text("SELECT id FROM users WHERE username = :n"), {"n": name}
            ).scalar_one()

    def add_lab_credential(self) -> None:
        credentials.add_credential(
            self.a,
            self.store_a,
            name="lab",
            username="admin",
            secrets=Secrets(password=PASSWORD, enable=ENABLE),
        )

    def entry(self) -> tuple[uuid.UUID, uuid.UUID, bytes]:
        """(credential id, current data key id, sealed password)."""
        with self.a.read_session() as s:
            row = s.execute(
                text(
                    "SELECT c.id, v.key_id, v.password FROM vault_entries v "
                    "JOIN credentials c ON c.id = v.credential_id WHERE c.name = 'lab'"
                )
            ).one()
        return row[0], row[1], bytes(row[2])

    def wrapped_for(self, name: str) -> bytes | None:
        with self.a.read_session() as s:
            value = s.execute(
                text(
                    "SELECT g.wrapped FROM vault_grants g JOIN users u ON u.id = g.user_id "
                    "WHERE u.username = :n"
                ),
                {"n": name},
            ).scalar_one_or_none()
        return bytes(value) if value is not None else None

    def private_key(self, store: SecretStore, name: str) -> str:
        value = store.get(f"vault-key/{self.user_id(name)}").password
        assert value is not None
        return value


@pytest.fixture
def team(make_db, secret_store) -> Iterator[Team]:
    store_b = SecretStore(service=MEMBER_B_SERVICE)
    environment = Team(make_db("postgresql"), secret_store, store_b)
    yield environment
    for store, name in ((secret_store, "alice"), (store_b, "bob")):
        store.delete(f"vault-key/{environment.user_id(name)}")
    for db in environment.opened:
        db.close()


@pytest_asyncio.fixture
async def lab_device(team: Team) -> AsyncIterator[str]:
    """A simulated IOS device whose login is the `lab` credential's secrets."""
    sim = Simulator()
    spec = SimDevice(name="edge-r1", platform="cisco_ios", password=PASSWORD, enable_secret=ENABLE)
    await sim.start([spec])
    with team.a.session() as s:
        devices.create_device(
            s, name=spec.name, host="127.0.0.1", port=spec.port, platform=spec.platform
        )
    yield spec.name
    await sim.stop()
    for db in team.opened:
        await db.aclose()


async def backup_as(db: Database, store: SecretStore, device: str):
    """Run a backup of `device` as `db`'s member; that device's stored result."""
    summary = await BackupEngine(db, store, FAST).run(runs.Selection(names=[device]))
    with db.read_session() as s:
        (result,) = jobs.list_results(s, summary.run_id)
    return result


@pytest.mark.asyncio
async def test_member_backs_up_with_a_shared_credential_until_it_is_unshared(team, lab_device):
    vault.ensure_member_key(team.b, team.store_b, "bob")  # bob's first sign-in
    team.add_lab_credential()

    refused = await backup_as(team.b, team.store_b, lab_device)
    assert (refused.status, refused.error_class) == ("failed", "vault")
    assert "bob cannot use credential lab: it is not shared with you" in refused.message
    assert "(alice) can run: netraven-desktop credential share lab --user bob" in refused.message

    vault.share(team.a, team.store_a, "lab", "bob")
    assert (await backup_as(team.b, team.store_b, lab_device)).status == "changed"

    credential_id, key_before, _ = team.entry()
    bob_id = team.user_id("bob")
    old_wrapped = team.wrapped_for("bob")
    vault.unshare(team.a, team.store_a, "lab", "bob")

    after = await backup_as(team.b, team.store_b, lab_device)
    assert (after.status, after.error_class) == ("failed", "vault")
    assert (
        "bob cannot use credential lab: it is not shared with you; an admin who holds it (alice)"
        in after.message
    )
    assert team.wrapped_for("bob") is None
    _, key_after, sealed_after = team.entry()
    assert key_after != key_before
    # A data key bob kept from before opens nothing sealed since.
    old_key = unwrap(
        old_wrapped,
        team.private_key(team.store_b, "bob"),
        credential_id=credential_id,
        user_id=bob_id,
        key_id=key_before,
    )
    with pytest.raises(VaultIntegrityError):
        open_sealed(
            old_key, sealed_after, credential_id=credential_id, field="password", key_id=key_after
        )
    # alice still holds it under the new key.
    assert (await backup_as(team.a, team.store_a, lab_device)).status in ("changed", "unchanged")


def test_a_dump_of_every_table_holds_no_secret_and_no_unwrapped_key(team):
    vault.ensure_member_key(team.b, team.store_b, "bob")
    team.add_lab_credential()
    vault.share(team.a, team.store_a, "lab", "bob")
    credentials.edit_credential(team.a, team.store_a, "lab", secrets=Secrets(enable=ENABLE + "2"))

    credential_id, key_id, _ = team.entry()
    alice_private = team.private_key(team.store_a, "alice")
    data_key = unwrap(
        team.wrapped_for("alice"),
        alice_private,
        credential_id=credential_id,
        user_id=team.user_id("alice"),
        key_id=key_id,
    )
    with team.a.read_session() as s:
        tables = s.scalars(
            text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        ).all()
        dump = "\n".join(
            row for table in tables for row in s.scalars(text(f'SELECT t::text FROM "{table}" t'))
        )
    assert "vault_grants" in tables
    assert "Vault-" not in dump  # (nor any prefix of the secrets)
    assert "lab" in dump  # the dump did read the rows
    for secret in (
        PASSWORD.encode(),
        ENABLE.encode(),
        data_key,
        base64.b64decode(alice_private),
        base64.b64decode(team.private_key(team.store_b, "bob")),
    ):
        for form in (secret.decode("latin-1"), secret.hex(), base64.b64encode(secret).decode()):
            assert form not in dump


def test_tampered_or_moved_ciphertext_fails_clearly(team):
    team.add_lab_credential()
    with team.a.session() as s:  # swap the sealed password and enable secret
        s.execute(
            text(
                "UPDATE vault_entries SET password = enable, enable = password "
                "WHERE credential_id = (SELECT id FROM credentials WHERE name = 'lab')"
            )
        )
    with pytest.raises(vault.VaultTamperedError, match="credential lab: its password in the team"):
        vault.read_secrets(team.a, team.store_a, _reference(team))

    # An admin repairs it by giving every secret again; one alone is not enough.
    with pytest.raises(vault.VaultTamperedError):
        credentials.edit_credential(team.a, team.store_a, "lab", secrets=Secrets(password="x"))
    repaired = Secrets(password=PASSWORD, enable=ENABLE)
    credentials.edit_credential(team.a, team.store_a, "lab", secrets=repaired)
    assert vault.read_secrets(team.a, team.store_a, _reference(team)) == repaired
    with team.a.session() as s:  # flip one bit of the ciphertext
        s.execute(
            text("UPDATE vault_entries SET enable = set_byte(enable, 20, get_byte(enable, 20) # 1)")
        )
    with pytest.raises(vault.VaultTamperedError, match="its enable in the team vault failed"):
        vault.read_secrets(team.a, team.store_a, _reference(team))


def test_a_keyring_credential_moves_into_the_vault_when_first_shared(team):
    """Before the vault, team credentials' secrets lived in the adding admin's keyring."""
    reference = "credential/" + str(uuid.uuid4())
    with team.a.session() as s:
        credential_id = uuid.uuid4()
        s.execute(
            text(
                "INSERT INTO credentials (id, name, username, kind, priority, keyring_ref, "
                "has_enable_secret, created_at, updated_at, version) VALUES (:id, 'legacy', "
                "'admin', 'password', 100, :ref, false, now(), now(), 1)"
            ),
            {"id": credential_id, "ref": reference},
        )
    team.store_a.put(reference, Secrets(password=PASSWORD))
    vault.ensure_member_key(team.b, team.store_b, "bob")

    vault.share(team.a, team.store_a, "legacy", "bob")

    assert team.store_a.get(reference) == Secrets()  # left alice's keyring
    assert vault.read_secrets(team.b, team.store_b, reference).password == PASSWORD
    assert vault.read_secrets(team.a, team.store_a, reference).password == PASSWORD


def test_sharing_refuses_clearly_and_changes_nothing(team):
    team.add_lab_credential()
    with team.a.session() as s:
        auth.add_user(s, username="vera", password="vera-password", role="viewer")
    vault.ensure_member_key(team.a, team.store_a, "vera")  # a viewer gets no key
    with pytest.raises(InputError, match="--user: is a viewer: viewers use no credentials"):
        vault.share(team.a, team.store_a, "lab", "vera")
    with pytest.raises(InputError, match=r"--user: has no vault key yet.*\(got 'bob'\)"):
        vault.share(team.a, team.store_a, "lab", "bob")
    with pytest.raises(InputError, match="does not hold credential lab"):
        vault.unshare(team.a, team.store_a, "lab", "bob")
    with pytest.raises(InputError, match="is the last member holding credential lab"):
        vault.unshare(team.a, team.store_a, "lab", "alice")
    with pytest.raises(PermissionDeniedError, match="bob is operator and may not manage"):
        vault.share(team.b, team.store_b, "lab", "bob")
    assert team.wrapped_for("bob") is None
    assert team.wrapped_for("alice") is not None


def test_an_admin_who_does_not_hold_a_credential_can_only_replace_all_its_secrets(team):
    team.add_lab_credential()
    with team.a.session() as s:
        auth.add_user(s, username="adam", password="adam-password", role="admin")
    adam = Database(team.url)
    team.opened.append(adam)
    adam.act_as("adam", "admin")
    adam_store = SecretStore(service=MEMBER_B_SERVICE)  # a keyring of his own
    vault.ensure_member_key(adam, adam_store, "adam")
    try:
        with pytest.raises(vault.VaultAccessError, match="adam cannot use credential lab"):
            credentials.edit_credential(adam, adam_store, "lab", secrets=Secrets(password="x"))
        rotated = Secrets(password="Rotated-Pa55", enable="Rotated-En4ble")
        credentials.edit_credential(adam, adam_store, "lab", secrets=rotated)
        assert vault.read_secrets(adam, adam_store, _reference(team)) == rotated
        assert vault.read_secrets(team.a, team.store_a, _reference(team)) == rotated
    finally:
        adam_store.delete(f"vault-key/{team.user_id('adam')}")


def test_disabling_a_member_takes_back_every_credential(team):
    vault.ensure_member_key(team.b, team.store_b, "bob")
    team.add_lab_credential()
    vault.share(team.a, team.store_a, "lab", "bob")
    _, key_before, _ = team.entry()
    with team.a.session() as s:
        auth.set_user(s, "bob", active=False)

    assert vault.revoke_member(team.a, team.store_a, "bob") == ["lab"]
    assert team.wrapped_for("bob") is None
    assert team.entry()[1] != key_before


def test_cli_login_share_unshare_and_disable(team, env):
    """bob signs in with `login` (his key lands in the keyring's usual namespace here, as
    on his own computer); alice shares, takes back, shares again, then disables bob."""
    team.add_lab_credential()
    alice = Cli(team.url, env | {"NETRAVEN_PASSWORD": "alice-password"})
    bob = Cli(team.url, env | {"NETRAVEN_PASSWORD": "bob-password"})
    bob_keyring = SecretStore()
    try:
        one_line_error(
            alice("--user", "alice", "credential", "share", "lab", "--user", "bob"),
            "--user: has no vault key yet: they must sign in once",
        )
        bob.ok("--user", "bob", "login")
        assert "shared credential lab with bob" in alice.ok(
            "--user", "alice", "credential", "share", "lab", "--user", "bob"
        )
        assert vault.read_secrets(team.b, bob_keyring, _reference(team)).enable == ENABLE
        assert "sealed again under a new data key" in alice.ok(
            "--user", "alice", "credential", "unshare", "lab", "--user", "bob"
        )
        one_line_error(
            alice("--user", "alice", "credential", "unshare", "lab", "--user", "bob"),
            "--user: does not hold credential lab",
        )
        alice.ok("--user", "alice", "credential", "share", "lab", "--user", "bob")
        assert "took back credential(s) lab" in alice.ok(
            "--user", "alice", "user", "disable", "bob"
        )
        assert team.wrapped_for("bob") is None
    finally:
        bob("--user", "bob", "logout")
        bob_keyring.delete(f"vault-key/{team.user_id('bob')}")


def _reference(team: Team) -> str:
    with team.a.read_session() as s:
        return s.scalars(text("SELECT keyring_ref FROM credentials WHERE name = 'lab'")).one()


def test_the_database_lets_operators_publish_keys_and_only_admins_write_the_vault(team):
    """Checked with raw SQL as a login role of each group, not through the program."""
    owner = psycopg.connect(team.url, autocommit=True)
    made, conns = [], {}
    try:
        for group in ("netraven_viewer", "netraven_operator", "netraven_admin"):
            name = f"nr_vault_{group.removeprefix('netraven_')}_{uuid.uuid4().hex[:8]}"
            owner.execute(
                sql.SQL("CREATE ROLE {} LOGIN PASSWORD {} IN ROLE {}").format(
                    sql.Identifier(name), sql.Literal(MEMBER_PASSWORD), sql.Identifier(group)
                )
            )
            made.append(name)
            conns[group] = psycopg.connect(
                team.url, user=name, password=MEMBER_PASSWORD, autocommit=True
            )
        publish = "UPDATE member_keys SET public_key = public_key WHERE false"
        vault_writes = [
            "UPDATE vault_entries SET key_id = key_id WHERE false",
            "DELETE FROM vault_grants WHERE false",
        ]
        assert not may(conns["netraven_viewer"], publish)
        assert may(conns["netraven_viewer"], "SELECT * FROM vault_grants, member_keys")
        assert may(conns["netraven_operator"], publish)
        assert not any(may(conns["netraven_operator"], s) for s in vault_writes)
        assert all(may(conns["netraven_admin"], s) for s in vault_writes)
    finally:
        for conn in conns.values():
            conn.close()
        for name in made:
            owner.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))
        owner.close()


def test_a_member_publishes_only_their_own_public_key(team):
    """Raw SQL as bob's own login role (an operator), not through the program: replacing a
    colleague's public key would route every later share for them to bob."""
    with team.a.session() as s:
        auth.add_user(s, username="carol", password="carol-password", role="viewer")
    alice, bob, carol = (team.user_id(n) for n in ("alice", "bob", "carol"))
    key = "decode('" + "ab" * 32 + "', 'hex')"
    owner = psycopg.connect(team.url, autocommit=True)
    member = psycopg.connect(team.url, user="bob", password="bob-password", autocommit=True)
    try:
        owner.execute(
            f"INSERT INTO member_keys VALUES ('{alice}', {key}, now()) ON CONFLICT DO NOTHING"
        )
        assert may(member, f"INSERT INTO member_keys VALUES ('{bob}', {key}, now())")
        assert may(member, f"UPDATE member_keys SET public_key = {key} WHERE user_id = '{bob}'")
        assert not may(
            member, f"UPDATE member_keys SET public_key = {key} WHERE user_id = '{alice}'"
        )
        assert not may(member, f"INSERT INTO member_keys VALUES ('{carol}', {key}, now())")
    finally:
        member.close()
        owner.close()
