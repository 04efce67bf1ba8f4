"""The whole schema. Importing this package registers every table on `Base.metadata`."""

from ..base import Base
from .accounts import ROLES, Role, User
from .configs import ConfigBlob, ConfigSnapshot
from .inventory import (
    BACKUP_STATUSES,
    CREDENTIAL_KINDS,
    Credential,
    Device,
    SSHHostKey,
    Tag,
    credential_tags,
    device_tags,
)
from .jobs import (
    JOB_RUN_STATUSES,
    RESULT_STATUSES,
    WORK_ITEM_STATES,
    Collector,
    Job,
    JobRun,
    JobRunResult,
    ResultStatus,
    RunStatus,
    WorkItem,
    WorkItemState,
)
from .sync import OPERATIONS, OUTBOX_STATUSES, AppliedEdit, EditOperation, OutboxEdit, OutboxStatus
from .system import CHANNEL_KINDS, AuditEvent, NotificationChannel, Setting
from .vault import MemberKey, VaultEntry, VaultGrant

__all__ = [
    "BACKUP_STATUSES",
    "CHANNEL_KINDS",
    "CREDENTIAL_KINDS",
    "JOB_RUN_STATUSES",
    "OPERATIONS",
    "OUTBOX_STATUSES",
    "RESULT_STATUSES",
    "ROLES",
    "WORK_ITEM_STATES",
    "AppliedEdit",
    "AuditEvent",
    "Base",
    "Collector",
    "ConfigBlob",
    "ConfigSnapshot",
    "Credential",
    "Device",
    "EditOperation",
    "Job",
    "JobRun",
    "JobRunResult",
    "MemberKey",
    "NotificationChannel",
    "OutboxEdit",
    "OutboxStatus",
    "ResultStatus",
    "Role",
    "RunStatus",
    "SSHHostKey",
    "Setting",
    "Tag",
    "User",
    "VaultEntry",
    "VaultGrant",
    "WorkItem",
    "WorkItemState",
    "credential_tags",
    "device_tags",
]
