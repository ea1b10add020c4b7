"""Routing key files: the writability probe apply runs before changing anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from controlplane.oncall.keys import check_writable, write_key


def test_the_probe_leaves_nothing_behind_not_even_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "alertmanager/secrets/pagerduty"
    check_writable(folder)
    assert list(tmp_path.iterdir()) == []  # checks change nothing
    assert write_key(folder / "ml-fraud-detector", "key-1")  # what the probe vouched for


def test_the_probe_fails_where_a_key_could_not_be_written(tmp_path: Path) -> None:
    (tmp_path / "secrets").write_text("a file, not a folder\n")
    with pytest.raises(OSError):
        check_writable(tmp_path / "secrets/pagerduty")
    with pytest.raises(OSError):
        write_key(tmp_path / "secrets/pagerduty/ml-fraud-detector", "key-1")
