"""The output tree: a file is written only when it differs, --check writes nothing, stale
files an earlier build made are removed, and the manifest is made from digests."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

import controlplane
from controlplane.render import Artifact
from controlplane.write import (
    MANIFEST,
    FileEntry,
    WriteError,
    finish,
    manifest_text,
    put,
    put_owned,
)


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
    with pytest.raises(WriteError, match=r"'\.\./escape\.yml' is not a plain relative path"):
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


def _previous(*files: tuple[str, bytes]) -> dict[str, FileEntry]:
    """The files of an earlier build's manifest, as it recorded them."""
    return {path: _made(path, content) for path, content in files}


def _listed(path: str) -> FileEntry:
    """An entry of this build that finish only reads the path of (nothing on disk)."""
    return FileEntry(path, "m", "0" * 64, 0, "unchanged")


def _entry(out: Path, path: str, content: bytes, *, check: bool = False) -> FileEntry:
    return put(out, path, content, "m", check=check)


def test_finish_removes_what_an_earlier_build_made_and_this_one_did_not(tmp_path: Path) -> None:
    (tmp_path / "gone.yml").write_bytes(b"old\n")
    (tmp_path / "keep.txt").write_bytes(b"a person's file\n")
    entries = [_entry(tmp_path, "new.yml", b"n\n")]
    result = finish(
        tmp_path,
        entries,
        "{}\n",
        _previous(("gone.yml", b"old\n"), ("already-gone.yml", b"")),
        check=False,
    )
    assert result.removed == ["gone.yml"]
    assert result.written == ["new.yml", MANIFEST]
    assert result.missing == ["new.yml", MANIFEST]
    assert not (tmp_path / "gone.yml").exists()
    assert (tmp_path / "keep.txt").exists(), "only files a build listed are removed"
    assert (tmp_path / MANIFEST).read_text(encoding="utf-8") == "{}\n"


def test_finish_with_check_changes_nothing(tmp_path: Path) -> None:
    (tmp_path / "gone.yml").write_bytes(b"old\n")
    entries = [_entry(tmp_path, "new.yml", b"n\n", check=True)]
    result = finish(tmp_path, entries, "{}\n", _previous(("gone.yml", b"old\n")), check=True)
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
    result = finish(tmp_path, entries, "{}\n", {}, check=False)
    assert result.unchanged == [MANIFEST]
    manifest_time = (tmp_path / MANIFEST).stat().st_mtime_ns
    assert manifest_time >= (tmp_path / "new.yml").stat().st_mtime_ns


# --- nothing is written or removed through a link, or outside the output folder ---------------


def test_a_committed_link_at_the_temporary_name_is_not_written_through(tmp_path: Path) -> None:
    """The old temporary name (`NAME.tmp`, beside the file) as a link to a file outside:
    the build writes its file and leaves the link's target as it was."""
    outside = tmp_path / "mlcp.yaml"
    outside.write_bytes(b"precious\n")
    out = tmp_path / "build"
    (out / "runbooks").mkdir(parents=True)
    (out / "runbooks/fraud-detector.md.tmp").symlink_to(outside)
    put(out, "runbooks/fraud-detector.md", b"# runbook\n", "m", check=False)
    assert outside.read_bytes() == b"precious\n"
    assert (out / "runbooks/fraud-detector.md").read_bytes() == b"# runbook\n"
    assert not (out / "runbooks/fraud-detector.md").is_symlink()


def test_a_linked_folder_in_the_output_is_refused(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "build"
    out.mkdir()
    (out / "runbooks").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(WriteError) as refused:
        put(out, "runbooks/fraud-detector.md", b"# runbook\n", "m", check=False)
    assert str(refused.value) == (
        f"refusing to write {out}/runbooks/fraud-detector.md: {out}/runbooks is a symbolic link"
    )
    assert list(elsewhere.iterdir()) == []


def test_a_linked_folder_that_stays_inside_the_output_is_refused_too(tmp_path: Path) -> None:
    out = tmp_path / "build"
    (out / "real").mkdir(parents=True)
    (out / "runbooks").symlink_to(out / "real", target_is_directory=True)
    with pytest.raises(WriteError, match="is a symbolic link"):
        put(out, "runbooks/fraud-detector.md", b"# runbook\n", "m", check=True)
    assert list((out / "real").iterdir()) == []


def test_a_generated_file_that_is_a_link_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "Makefile"
    outside.write_bytes(b"all:\n")
    out = tmp_path / "build"
    out.mkdir()
    (out / "alertmanager.yml").symlink_to(outside)
    with pytest.raises(WriteError, match=r"alertmanager\.yml is a symbolic link"):
        put(out, "alertmanager.yml", b"route: {}\n", None, check=False)
    assert outside.read_bytes() == b"all:\n"


@pytest.mark.parametrize("relative", ["a/../../x.yml", "/etc/x.yml", "a\nb.yml", "a\\b.yml", ""])
def test_put_refuses_a_name_that_is_not_a_plain_relative_path(
    tmp_path: Path, relative: str
) -> None:
    with pytest.raises(WriteError):
        put(tmp_path / "out", relative, b"", None, check=False)
    assert not (tmp_path / "out").exists()


def _sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _made(path: str, content: bytes) -> FileEntry:
    return FileEntry(path, "m", _sha(content), len(content))


def test_finish_removes_only_files_still_as_the_manifest_recorded_them(tmp_path: Path) -> None:
    out = tmp_path / "build"
    out.mkdir()
    (out / "gone.yml").write_bytes(b"old\n")
    (out / "edited.yml").write_bytes(b"edited by hand\n")
    (out / "a-folder").mkdir()
    previous = [_made("gone.yml", b"old\n"), _made("edited.yml", b"old\n"), _made("a-folder", b"")]
    made_now = [_listed("now.yml")]  # removal is only in folders the build writes to
    result = finish(out, made_now, "{}\n", {e.path: e for e in previous}, check=False)
    assert result.removed == ["gone.yml"]
    assert result.kept == ["a-folder", "edited.yml"]
    assert not (out / "gone.yml").exists()
    assert (out / "edited.yml").read_bytes() == b"edited by hand\n"
    assert (out / "a-folder").is_dir()


def test_finish_removes_nothing_outside_the_folders_this_build_writes(tmp_path: Path) -> None:
    """A manifest in an output folder that holds other files (build.out: .github) lists
    one of them with its true digest: only folders the build writes to are cleaned."""
    (tmp_path / "workflows").mkdir()
    (tmp_path / "workflows/apply.yml").write_bytes(b"on: push\n")
    (tmp_path / "monitoring").mkdir()
    (tmp_path / "monitoring/old.yml").write_bytes(b"old\n")
    previous = [_made("workflows/apply.yml", b"on: push\n"), _made("monitoring/old.yml", b"old\n")]
    recorded = {e.path: e for e in previous}
    result = finish(tmp_path, [_listed("monitoring/new.yml")], "{}\n", recorded, check=False)
    assert (result.removed, result.kept) == (["monitoring/old.yml"], [])
    assert (tmp_path / "workflows/apply.yml").read_bytes() == b"on: push\n"


def test_finish_ignores_manifest_paths_outside_the_output_or_through_links(tmp_path: Path) -> None:
    """A crafted manifest names files outside the output folder, with the right digests."""
    project = tmp_path
    makefile, workflow = project / "Makefile", project / ".github/workflows/apply.yml"
    workflow.parent.mkdir(parents=True)
    makefile.write_bytes(b"all:\n")
    workflow.write_bytes(b"on: push\n")
    out = project / "build"
    out.mkdir()
    (out / ".github").symlink_to(project / ".github", target_is_directory=True)
    (out / "Makefile").symlink_to(makefile)
    previous = [
        _made("../Makefile", b"all:\n"),
        _made(str(makefile), b"all:\n"),
        _made(".github/workflows/apply.yml", b"on: push\n"),
        _made("Makefile", b"all:\n"),
        _made("x\x1b.yml", b""),
    ]
    made_now = [_listed("now.yml"), _listed(".github/now.yml")]
    result = finish(out, made_now, "{}\n", {e.path: e for e in previous}, check=False)
    assert result.removed == []
    assert result.kept == [".github/workflows/apply.yml", "Makefile"]  # under out/, links
    assert makefile.read_bytes() == b"all:\n"
    assert workflow.read_bytes() == b"on: push\n"
    assert (out / "Makefile").is_symlink()


def test_codeowners_is_not_written_through_a_linked_github_folder(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    root = tmp_path / "project"
    root.mkdir()
    (root / ".github").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(WriteError, match=r"\.github is a symbolic link"):
        put_owned(root, Artifact(".github/CODEOWNERS", "* @acme/ml-platform\n"), check=False)
    assert list(elsewhere.iterdir()) == []


def test_a_file_where_a_folder_belongs_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "runbooks").write_bytes(b"not a folder\n")
    with pytest.raises(WriteError, match=r"^cannot write .*runbooks/m\.md: "):
        put(tmp_path, "runbooks/m.md", b"# m\n", "m", check=False)
