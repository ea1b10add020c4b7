"""The one root of every error a person can fix, and the exit code each one means.

Core functions raise these; they never print and never exit. ``cli.main`` is
the only place that turns one into a line on stderr and an exit code, so every
command fails the same way.
"""

from __future__ import annotations

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


class MlcpError(Exception):
    """A failure that one clear line explains: no traceback, the class's exit code."""

    exit_code = EXIT_USAGE


class UsageError(MlcpError):
    """A path that does not exist, or the like: exit 2, not a diagnostic."""


class UnknownModel(MlcpError):
    """No valid spec under the folder declares the model asked for (a usage error: exit 2)."""
