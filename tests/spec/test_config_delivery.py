"""mlcp.yaml's pulumi section and platform owners, as the example writes them."""

from __future__ import annotations

from controlplane.compile import compile_sources
from controlplane.diagnostics import format_diagnostics
from controlplane.model import PulumiSettings
from tests.memory import edited, example_sources, line_and_col


def test_the_example_pulumi_section_and_platform_owners_are_read_as_written() -> None:
    specs, config = example_sources()
    compiled = compile_sources(specs, config).config
    assert compiled.pulumi == PulumiSettings(
        backend="s3://acme-ml-pulumi-state?region=eu-west-1",
        stack="prod",
        secrets_provider="awskms://alias/mlcp-pulumi?region=eu-west-1",
        secrets=(("mlcp:pagerdutyToken", "PAGERDUTY_TOKEN"),),
    )
    assert compiled.platform_owners == ("@acme/ml-platform",)


def test_without_the_sections_nothing_is_assumed() -> None:
    text = edited("mlcp.yaml", 'platform_owners: ["@acme/ml-platform"]\n', "")
    start, end = text.index("\npulumi:"), text.index("\n# CODEOWNERS")
    specs, config = example_sources(mlcp=text[:start] + text[end:])
    compiled = compile_sources(specs, config).config
    assert compiled.pulumi == PulumiSettings(None, None, None, ())
    assert compiled.platform_owners == ()


def test_an_owner_that_is_not_a_github_handle_is_located() -> None:
    text = edited("mlcp.yaml", '["@acme/ml-platform"]', '["ml-platform"]')
    specs, config = example_sources(mlcp=text)
    diagnostics = compile_sources(specs, config).diagnostics
    line, col = line_and_col(text, "platform_owners", at='"ml-platform"')
    shown = format_diagnostics(diagnostics, "text")
    assert shown.startswith(f"specs/mlcp.yaml:{line}:{col}: error"), shown
    assert "ml-platform" in shown


def test_a_secret_must_name_an_environment_variable() -> None:
    text = edited("mlcp.yaml", "PAGERDUTY_TOKEN", "pagerduty token")
    specs, config = example_sources(mlcp=text)
    shown = format_diagnostics(compile_sources(specs, config).diagnostics, "text")
    line, col = line_and_col(text, "pagerduty token")
    assert shown.startswith(f"specs/mlcp.yaml:{line}:{col}: error"), shown
