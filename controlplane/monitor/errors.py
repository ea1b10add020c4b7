"""The one error type of the runtime monitor; ``cli.main`` turns it into exit code 2."""

from __future__ import annotations

from controlplane.errors import MlcpError


class MonitorError(MlcpError):
    """Bad input to the monitor: a missing file or column, a wrong column type, a bad profile."""
