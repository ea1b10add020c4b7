"""Why a promotion or rollback did not happen."""

from __future__ import annotations

from controlplane.errors import EXIT_ERRORS, MlcpError


class Refused(MlcpError):
    """A gate said no (no candidate, too early, too much divergence): exit 1, as a failed check."""

    exit_code = EXIT_ERRORS


class EvidenceError(MlcpError):
    """The divergence could not be read (Prometheus unreachable, a report for another model)."""


class GitError(MlcpError):
    """The repository is not in a state to commit the edit (the spec has local changes, ...)."""


class EndpointError(MlcpError):
    """The endpoint's traffic could not be moved (no credentials, unknown endpoint, timeout)."""
