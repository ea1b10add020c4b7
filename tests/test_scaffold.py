"""`mlcp new` writes a new file of its own: never through a link left at its name."""

from __future__ import annotations

from pathlib import Path

import pytest

from controlplane.scaffold import ScaffoldError, write_starter


def test_a_link_at_the_new_spec_name_is_not_written_through(tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"  # the link dangles: its target does not exist yet
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "churn.yaml").symlink_to(outside)
    with pytest.raises(ScaffoldError, match="already exists"):
        write_starter(specs, "churn", "ranking", "batch", "standard", "ml")
    assert not outside.exists()
    assert (specs / "churn.yaml").is_symlink()
