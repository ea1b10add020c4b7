"""The preview's runtime savings change no record, leave the SDK as they found it, and
survive a fork (a build's workers are forked after the parent previewed)."""

from __future__ import annotations

import contextlib
import multiprocessing

import pulumi.runtime.resource as sdk_resource
import pytest

from controlplane.infra import runtime
from controlplane.infra.preview import preview_model
from controlplane.infra.records import document
from tests.infra.helpers import compiled


def test_records_are_the_same_with_the_sdk_stack_traces(monkeypatch: pytest.MonkeyPatch) -> None:
    models, config = compiled()
    saving = [document(preview_model(m, config)) for m in models]
    monkeypatch.setattr(runtime, "no_source_positions", contextlib.nullcontext)
    assert saving == [document(preview_model(m, config)) for m in models]


def test_the_sdk_stack_trace_is_restored_after_a_preview() -> None:
    models, config = compiled()
    original = sdk_resource._get_stack_trace
    preview_model(models[0], config)
    assert sdk_resource._get_stack_trace is original
    with pytest.raises(RuntimeError), runtime.no_source_positions():
        raise RuntimeError("a preview that fails")
    assert sdk_resource._get_stack_trace is original


def _preview_text(model_index: int) -> str:
    models, config = compiled()
    return document(preview_model(models[model_index], config))


def test_a_process_forked_after_a_preview_previews_alike() -> None:
    here = _preview_text(0)  # the parent's executor now has threads the child will not
    parent_executor = runtime.executor()
    with multiprocessing.get_context("fork").Pool(1) as pool:
        assert pool.apply(_preview_text, (0,)) == here
    assert runtime.executor() is parent_executor


def test_a_pulumi_without_the_stack_trace_hook_still_previews(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delattr(sdk_resource, "_get_stack_trace")
    with runtime.no_source_positions():
        pass
    assert not hasattr(sdk_resource, "_get_stack_trace")
