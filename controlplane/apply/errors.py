from __future__ import annotations

from controlplane.errors import MlcpError


class ApplyRefused(MlcpError):
    """`mlcp apply` will not start: nothing was changed (a dirty tree, a stale build, ...)."""


class ApplyLocked(ApplyRefused):
    """Another `mlcp apply` holds this checkout's lock."""


class PulumiMissing(ApplyRefused):
    """The Pulumi CLI, which the Automation API drives, is not installed or too old."""
