from __future__ import annotations

from controlplane.errors import MlcpError


class CheckpointError(MlcpError):
    """A checkpoint setting or stored checkpoint that the job cannot use."""
