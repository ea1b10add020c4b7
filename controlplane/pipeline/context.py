"""What every stage reads: its pipeline folder, params.yaml, the model's spec."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from controlplane.compile import find_model
from controlplane.errors import EXIT_ERRORS, MlcpError
from controlplane.model import Model

PARAMS = "params.yaml"


class PipelineError(MlcpError):
    """A stage cannot run: a missing input, a bad params.yaml, a broken entry point (exit 2)."""


class StageFailed(MlcpError):
    """A stage ran and refused what it found (bad data): exit 1, so DVC stops the pipeline."""

    exit_code = EXIT_ERRORS


@dataclass
class Stage:
    """One stage's view of the pipeline folder (DVC runs stages in it)."""

    model_name: str
    specs: Path
    folder: Path = field(default_factory=Path)

    @cached_property
    def params(self) -> dict[str, Any]:
        path = self.folder / PARAMS
        try:
            data = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise PipelineError(
                f"{path}: no such file (run the stage in its pipeline folder)"
            ) from None
        except YAMLError as error:
            raise PipelineError(f"{path}: not valid YAML: {error}") from None
        if not isinstance(data, dict) or data.get("model") != self.model_name:
            raise PipelineError(f"{path}: not the params of model {self.model_name!r}")
        return data

    def param(self, dotted: str) -> Any:
        value: Any = self.params
        for key in dotted.split("."):
            if not isinstance(value, dict) or key not in value:
                raise PipelineError(f"{self.folder / PARAMS}: no {dotted}")
            value = value[key]
        return value

    @cached_property
    def model(self) -> Model:
        return find_model(self.specs, self.model_name).model

    @property
    def project_root(self) -> Path:
        """The folder holding the specs folder: where the training code is imported from."""
        return (self.folder / self.specs).resolve().parent

    def path(self, relative: str) -> Path:
        return self.folder / relative

    def require(self, relative: str) -> Path:
        path = self.path(relative)
        if not path.exists():
            raise PipelineError(f"{path}: no such file (did the stage before this one run?)")
        return path

    def write_json(self, relative: str, data: Any) -> Path:
        path = self.path(relative)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        return path

    def read_json(self, relative: str) -> Any:
        return json.loads(self.require(relative).read_text(encoding="utf-8"))
