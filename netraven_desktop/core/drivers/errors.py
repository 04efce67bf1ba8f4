"""Why a device could not be backed up, in classes a user can act on."""

from __future__ import annotations

# error class -> (what it means to a user, worth retrying?)
ERROR_CLASSES: dict[str, tuple[str, bool]] = {
    "auth_failed": ("the device refused the login; check the credential", False),
    "no_credential": ("no credential applies to this device; bind one or tag one", False),
    "keyring": ("the OS keyring could not provide the password", False),
    "vault": ("the team vault could not provide the credential's secrets", False),
    "unreachable": ("could not connect; check the address, port and network path", True),
    "timeout": ("the device did not answer in time", True),
    "host_key_changed": (
        "the device's SSH host key changed; accept the new key if the change is expected",
        False,
    ),
    "ssh_negotiation": (
        "no common SSH algorithms; allow legacy SSH algorithms for this device",
        False,
    ),
    "no_profile": (
        "the device's platform has no usable profile; see `netraven-desktop platform list`",
        False,
    ),
    "prompt_not_recognised": ("logged in, but the prompt did not match the platform", False),
    "enable_failed": ("the enable secret was refused", False),
    "disconnected": ("the connection dropped before the output was complete", True),
    "command_failed": ("the device rejected a backup command (wrong platform or rights?)", False),
    "output_too_large": (
        "the device sent more output than backup.max_output_mb allows",
        False,
    ),
    "cancelled": ("the run was cancelled", False),
    "internal": ("an unexpected error; see the log", False),
}


class BackupError(Exception):
    """A device-level failure; `error_class` is one of ERROR_CLASSES."""

    def __init__(self, error_class: str, detail: str = "") -> None:
        assert error_class in ERROR_CLASSES, error_class
        self.error_class = error_class
        self.detail = detail
        meaning = ERROR_CLASSES[error_class][0]
        super().__init__(f"{meaning}: {detail}" if detail else meaning)

    @property
    def transient(self) -> bool:
        return ERROR_CLASSES[self.error_class][1]
