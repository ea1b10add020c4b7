"""The offline preview: deterministic, normalized, tagged, and the same program as `pulumi up`.

The oracle for the tags is the SDK itself (which resource types take `tags`) and the
spec files (team, tier, the sha256 of their bytes); for the tree, infra/__main__.py
run under the same mocks.
"""

from __future__ import annotations

import inspect
import runpy
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import pulumi_aws
import pytest

from controlplane.infra import preview_offline
from controlplane.infra.artifacts import render_model
from controlplane.infra.preview import preview_model
from controlplane.infra.records import document, join_documents, read_document
from controlplane.infra.tags import MissingSpecSha
from tests.conftest import ROOT
from tests.infra.helpers import compiled, preview

# What each example's metadata says, as written.
OWNERS = {
    "fraud-detector": ("risk-ml", "critical"),
    "recommender": ("discovery-ml", "critical"),
    "demand-forecast": ("supply-chain-ml", "standard"),
}


@cache
def takes_tags(type_token: str) -> bool:
    """Whether the SDK's resource class of this type accepts `tags`."""
    module_path, _, name = type_token.split(":", 1)[1].rpartition(":")
    module = getattr(pulumi_aws, module_path.split("/")[0])
    cls = getattr(module, name)
    return "tags" in inspect.signature(cls._internal_init).parameters


def cloud(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in records if r["type"].startswith("aws:")]


def test_every_taggable_resource_carries_the_three_tags() -> None:
    # The spec's sha256 is kept on the model's component instead: tests/infra/test_provenance.py
    records = preview()
    tagged = [r for r in cloud(records) if takes_tags(r["type"])]
    assert len(tagged) > 30
    for record in tagged:
        tags = record["inputs"]["tags"]
        assert {"mlcp:model", "mlcp:team", "mlcp:tier"} <= set(tags), record["name"]
        if record["model"] is not None:
            team, tier = OWNERS[record["model"]]
            assert tags["mlcp:model"] == record["model"]
            assert (tags["mlcp:team"], tags["mlcp:tier"]) == (team, tier)
    untaggable = {r["type"] for r in cloud(records) if not takes_tags(r["type"])}
    assert "aws:sagemaker/endpoint:Endpoint" not in untaggable


def test_nothing_has_a_fixed_name_but_the_endpoints() -> None:
    named = {(r["type"], r["name"]) for r in cloud(preview()) if "name" in r["inputs"]}
    # An endpoint's name is what callers address and its alarms watch; only a new name
    # replaces an endpoint, so it never blocks a replacement.
    assert {t for t, _ in named} == {"aws:sagemaker/endpoint:Endpoint"}


def test_inputs_read_like_the_spec() -> None:
    text = document(preview())

    def walk(value: Any, key: str = "") -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                if (
                    key not in ("tags", "dimensions", "environment", "input")
                    and key != "container_properties"
                ):
                    assert k == k.lower() or ":" in k or k[0].isupper(), k
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif isinstance(value, float):
            assert not value.is_integer(), f"{key}: {value} should be an integer"

    for record in read_document(text):
        assert "replace_on" in record or record["type"].startswith("mlcp:")
        for key, value in record["inputs"].items():
            assert key == key.lower(), key
            walk(value, key)


def test_the_preview_is_deterministic_and_the_same_model_by_model() -> None:
    models, config = compiled()
    whole = preview_offline(models, config)
    assert document(whole) == document(preview_offline(tuple(reversed(models)), config))
    for model in models:
        alone = preview_model(model, config)
        assert alone == [r for r in whole if r["model"] == model.name]
        (artifact,) = render_model(model, config)
        assert read_document(artifact.content) == alone


def test_every_parent_is_a_declared_component() -> None:
    records = preview()
    components = {r["name"] for r in records if r["type"].startswith("mlcp:")}
    assert {r["parent"] for r in records} - {None} <= components


def test_a_model_without_its_spec_sha_is_refused() -> None:
    models, config = compiled()
    with pytest.raises(MissingSpecSha):
        preview_offline([replace(m, spec_sha256="") for m in models], config)


def test_the_pulumi_project_runs_the_same_program() -> None:
    """infra/__main__.py, run as `pulumi up` would (under the mocks), declares the preview's tree."""
    from controlplane.infra import preview as offline

    models, config = compiled()
    found: list[dict[str, Any]] = []

    def main() -> None:
        runpy.run_path(str(ROOT / "infra" / "__main__.py"), run_name="__main__")

    found = offline.run_program(config, main)
    assert document(found) == document(preview_offline(models, config))
    assert "runtime: python" in (ROOT / "infra" / "Pulumi.yaml").read_text(encoding="utf-8")


def test_joined_documents_are_the_document_of_every_record() -> None:
    models, config = compiled()
    whole = preview_offline(models, config)
    platform = [r for r in whole if r["model"] is None]
    parts = [document(platform), document([])]
    parts += [
        document([r for r in whole if r["model"] == m.name])
        for m in sorted(models, key=lambda m: m.name)
    ]
    assert join_documents(parts) == document(whole)
    assert join_documents([document([])]) == document([])
    with pytest.raises(ValueError, match="not a resources document"):
        join_documents(["{}"])


def test_the_build_writes_the_whole_preview(examples: Path, tmp_path: Path) -> None:
    from controlplane.build import build

    result = build([examples], tmp_path / "out", check=False, jobs=1)
    assert result.compilation.ok
    models, config = result.compilation.models, result.compilation.config
    written = (tmp_path / "out/infra/resources.json").read_text(encoding="utf-8")
    assert written == document(preview_offline(models, config))
