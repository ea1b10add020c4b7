"""The one error type of the runtime monitor; commands turn it into exit code 2."""

from __future__ import annotations


class MonitorError(Exception):
    """Bad input to the monitor: a missing file or column, a wrong column type, a bad profile."""
