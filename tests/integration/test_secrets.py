"""The secret store against the real Secret Service, and its refusal to fall back."""

from __future__ import annotations

import pytest
from keyring.backends import fail, null

from netraven_desktop.core.secrets import Secrets, SecretStore, SecretStoreError, new_reference


def test_put_get_delete_round_trip(secret_store):
    ref = new_reference()
    secret_store.put(ref, Secrets(password="pa55 wörd", enable="en4ble"))
    assert secret_store.get(ref) == Secrets(password="pa55 wörd", enable="en4ble")
    secret_store.put(ref, Secrets(password="new"))  # kinds not given are removed
    assert secret_store.get(ref) == Secrets(password="new")
    secret_store.delete(ref)
    assert secret_store.get(ref) == Secrets()
    secret_store.delete(ref)  # deleting what is gone is fine


def test_the_backend_is_the_secret_service_under_ci(secret_store):
    assert "SecretService" in secret_store.describe()


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring()])
def test_no_silent_fallback_without_a_real_keyring(backend):
    store = SecretStore(backend)
    with pytest.raises(SecretStoreError, match="no OS keyring is available"):
        store.put(new_reference(), Secrets(password="x"))
    with pytest.raises(SecretStoreError, match="Secret Service"):
        store.get(new_reference())


def test_secrets_never_show_in_repr():
    text = repr(Secrets(password="hunter2", enable="s3cret"))
    assert "hunter2" not in text
    assert "s3cret" not in text
    assert text == "Secrets(password, enable)"
