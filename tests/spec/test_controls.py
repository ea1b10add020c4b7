"""Control characters in a spec's path, keys or values are refused with a located MLCP107;
a description may still be written on several lines."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.spec.clirun import run_mlcp

SPEC = "fraud-detector.yaml"


def _project(tmp_path: Path, folder: str = "specs") -> Path:
    specs = tmp_path / folder
    specs.mkdir(parents=True)
    shutil.copyfile(ROOT / "specs" / SPEC, specs / SPEC)
    shutil.copyfile(ROOT / "specs" / "mlcp.yaml", specs / "mlcp.yaml")
    return specs


@pytest.mark.parametrize(
    ("folder", "shown", "first"),
    [
        ("specs/team\n*\t@attacker", "team\\n*\\t@attacker", "000A"),
        ("specs/a\x1b[2Jb", "a\\x1b[2Jb", "001B"),
        ("specs/line\u2028sep", "line\\u2028sep", "2028"),
        # Trojan Source (CVE-2021-42574): a right-to-left override shows `risk\u202elmay.`
        # in review as `riskyaml.`, text read in an order other than the one stored.
        ("specs/risk\u202elmay.", "risk\\u202elmay.", "202E"),
        ("specs/a\u2066b\u2069", "a\\u2066b\\u2069", "2066"),
    ],
)
def test_a_folder_name_with_a_control_character_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, folder: str, shown: str, first: str
) -> None:
    specs = _project(tmp_path)
    (specs / SPEC).rename(_mkdir(tmp_path / folder) / SPEC)
    monkeypatch.chdir(tmp_path)
    result = run_mlcp(["validate", "specs"])
    assert result.code == 1
    lines = result.stdout.splitlines()
    # One diagnostic on its own line, the file named with the characters spelled out.
    assert lines[0].startswith(f"specs/{shown}/{SPEC}:1:1: error MLCP107: the path ")
    assert lines[0].endswith(f" holds a control character (U+{first})")
    assert lines[1].startswith("    hint: rename the file")
    assert lines[2] == "0 valid specs; 1 error, 0 warnings"


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True)
    return path


def test_a_control_character_in_mlcp_yaml_is_located_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    specs = _project(tmp_path)
    config = specs / "mlcp.yaml"
    text = config.read_text(encoding="utf-8")
    written = "  base_url: https://github.com/acme/models/blob/main/build/runbooks\n"
    assert text.count(written) == 1
    config.write_text(text.replace(written, '  base_url: "runbooks\\n#x"\n'), encoding="utf-8")
    line = text.splitlines().index(written.rstrip("\n")) + 1
    monkeypatch.chdir(tmp_path)
    result = run_mlcp(["validate", "specs"])
    assert result.code == 1
    assert (
        f"specs/mlcp.yaml:{line}:13: error MLCP107: runbooks.base_url: 'runbooks\\n#x'"
        " holds a control character (U+000A)"
    ) in result.stdout.splitlines()


def test_a_description_may_hold_line_breaks_and_tabs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    specs = _project(tmp_path)
    spec = specs / SPEC
    text = spec.read_text(encoding="utf-8")
    written = "  description: Scores card transactions for manual review.\n"
    assert text.count(written) == 1
    broken = '  description: "Scores card transactions\\n\\tfor manual review."\n'
    spec.write_text(text.replace(written, broken), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run_mlcp(["validate", "specs"])
    assert "MLCP107" not in result.stdout
    assert result.code == 0, result.stdout


def test_a_description_may_not_reorder_what_a_reviewer_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Prose may break lines, but a bidirectional override makes the plan comment and
    the runbook show text in an order other than the one stored."""
    specs = _project(tmp_path)
    spec = specs / SPEC
    text = spec.read_text(encoding="utf-8")
    written = "  description: Scores card transactions for manual review.\n"
    spec.write_text(text.replace(written, '  description: "Scores \\u202Eweiver"\n'), "utf-8")
    monkeypatch.chdir(tmp_path)
    result = run_mlcp(["validate", "specs"])
    assert result.code == 1
    assert (
        "metadata.description: 'Scores \\u202eweiver' holds a control character (U+202E)"
    ) in result.stdout
