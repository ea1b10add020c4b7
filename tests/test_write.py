"""The output tree: a file is written only when it differs, --check writes nothing, stale
files an earlier build made are removed, and the manifest is made from digests."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

import controlplane
from controlplane.write import MANIFEST, FileEntry, finish, manifest_text, put


def test_put_writes_a_new_file_and_says_it_was_missing(tmp_path: Path) -> None:
    entry = put(tmp_path, "a/b.yml", b"x: 1\n", "m", check=False)
    assert (tmp_path / "a/b.yml").read_bytes() == b"x: 1\n"
    assert entry == FileEntry("a/b.yml", "m", hashlib.sha256(b"x: 1\n").hexdigest(), 5, "missing")


def test_put_leaves_an_identical_file_alone(tmp_path: Path) -> None:
    target = tmp_path / "f.json"
    target.write_bytes(b"{}\n")
    before = target.stat().st_mtime_ns
    assert put(tmp_path, "f.json", b"{}\n", None, check=False).status == "unchanged"
    assert target.stat().st_mtime_ns == before


def test_put_replaces_a_different_file(tmp_path: Path) -> None:
    (tmp_path / "f.json").write_bytes(b"old\n")
    assert put(tmp_path, "f.json", b"new\n", None, check=False).status == "written"
    assert (tmp_path / "f.json").read_bytes() == b"new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"], "no temporary file is left"


def test_put_with_check_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "f.json").write_bytes(b"old\n")
    assert put(tmp_path, "f.json", b"new\n", None, check=True).status == "written"
    assert put(tmp_path, "g.json", b"new\n", None, check=True).status == "missing"
    assert (tmp_path / "f.json").read_bytes() == b"old\n"
    assert not (tmp_path / "g.json").exists()


def test_put_refuses_a_path_outside_the_output_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(ValueError, match="outside"):
        put(out, "../escape.yml", b"", None, check=False)
    assert not (tmp_path / "escape.yml").exists()


def test_the_manifest_is_made_from_entries() -> None:
    entries = [
        FileEntry("b.yml", "m", "00" * 32, 3),
        FileEntry("a.json", None, "11" * 32, 2),
    ]
    inputs = {"m": {"sha256": "22" * 32, "stats": {"rules": 4}}}
    data = json.loads(manifest_text(entries, inputs))
    assert data == {
        "generator": f"mlcp {controlplane.__version__}",
        "files": {
            "a.json": {"model": None, "sha256": "11" * 32, "size": 2},
            "b.yml": {"model": "m", "sha256": "00" * 32, "size": 3},
        },
        "inputs": {"m": {"sha256": "22" * 32, "stats": {"rules": 4}}},
    }


def _entry(out: Path, path: str, content: bytes, *, check: bool = False) -> FileEntry:
    return put(out, path, content, "m", check=check)


def test_finish_removes_what_an_earlier_build_made_and_this_one_did_not(tmp_path: Path) -> None:
    (tmp_path / "gone.yml").write_bytes(b"old\n")
    (tmp_path / "keep.txt").write_bytes(b"a person's file\n")
    entries = [_entry(tmp_path, "new.yml", b"n\n")]
    result = finish(tmp_path, entries, "{}\n", ["gone.yml", "already-gone.yml"], check=False)
    assert result.removed == ["gone.yml"]
    assert result.written == ["new.yml", MANIFEST]
    assert result.missing == ["new.yml", MANIFEST]
    assert not (tmp_path / "gone.yml").exists()
    assert (tmp_path / "keep.txt").exists(), "only files a build listed are removed"
    assert (tmp_path / MANIFEST).read_text(encoding="utf-8") == "{}\n"


def test_finish_with_check_changes_nothing(tmp_path: Path) -> None:
    (tmp_path / "gone.yml").write_bytes(b"old\n")
    entries = [_entry(tmp_path, "new.yml", b"n\n", check=True)]
    result = finish(tmp_path, entries, "{}\n", ["gone.yml"], check=True)
    assert result.removed == ["gone.yml"]
    assert result.written == ["new.yml", MANIFEST]
    assert result.missing == ["new.yml", MANIFEST]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gone.yml"]


def test_finish_makes_the_manifest_newer_than_files_it_wrote(tmp_path: Path) -> None:
    """The build cache trusts a file older than the manifest without reading it."""
    (tmp_path / MANIFEST).write_text("{}\n", encoding="utf-8")
    old = (tmp_path / MANIFEST).stat().st_mtime_ns - 10**9
    os.utime(tmp_path / MANIFEST, ns=(old, old))
    entries = [_entry(tmp_path, "new.yml", b"n\n")]
    result = finish(tmp_path, entries, "{}\n", [], check=False)
    assert result.unchanged == [MANIFEST]
    manifest_time = (tmp_path / MANIFEST).stat().st_mtime_ns
    assert manifest_time >= (tmp_path / "new.yml").stat().st_mtime_ns
