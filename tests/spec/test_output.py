"""build.out names a folder a build may own: inside the project, apart from the specs."""

from __future__ import annotations

import pytest

from controlplane.compile import compile_sources
from controlplane.diagnostics import format_diagnostics
from controlplane.sources import Source
from controlplane.spec.output import output_problem
from tests.memory import EXAMPLE_TEXTS


@pytest.mark.parametrize("out", ["build", "build/", "./build", "out/generated", "specs-build"])
def test_a_folder_beside_the_specs_is_accepted(out: str) -> None:
    assert output_problem(out, "specs") is None


@pytest.mark.parametrize(
    ("out", "why"),
    [
        ("", "is the project root"),
        ("./", "is the project root"),
        ("build/..", "goes up with '..'"),
        ("build/../../x", "goes up with '..'"),
        ("/srv/build", "is absolute"),
        ("./specs/", "holds the specs folder specs/"),
        ("config", "holds the specs folder config/specs/"),
        ("specs/generated", "lies inside the specs folder specs/"),
    ],
)
def test_a_folder_a_build_may_not_own_is_refused(out: str, why: str) -> None:
    specs = "config/specs" if out == "config" else "specs"
    problem = output_problem(out, specs)
    assert problem is not None
    assert problem.startswith(f"build.out {out!r} {why}")


def test_the_default_output_is_refused_when_the_specs_folder_is_named_build() -> None:
    config = Source("build/mlcp.yaml", "apiVersion: mlcp/v1\nkind: Config\n")
    spec = Source("build/fraud-detector.yaml", EXAMPLE_TEXTS["fraud-detector.yaml"])
    shown = format_diagnostics(compile_sources([spec], config).diagnostics, "text")
    assert shown.splitlines()[:1] == [
        "build/mlcp.yaml:1:1: error MLCP499: build.out 'build' holds the specs folder build/"
    ]
