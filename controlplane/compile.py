"""The compiler: spec files in, normalized models and every diagnostic out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from controlplane.diagnostics import Diagnostic, has_errors, sort_diagnostics
from controlplane.model import Config, Model
from controlplane.perf import no_cyclic_gc
from controlplane.spec import rules_data, rules_ops, rules_policy  # noqa: F401 - registers rules
from controlplane.spec.check import check_spec
from controlplane.spec.config import ConfigSpec
from controlplane.spec.layers import Layered, layer
from controlplane.spec.load import Document, load_document
from controlplane.spec.normalize import to_config, to_model
from controlplane.spec.parse import check_header, validate
from controlplane.spec.v1 import ModelSpec

CONFIG_NAME = "mlcp.yaml"
TIERS = ("critical", "standard", "experimental")


class UsageError(Exception):
    """A path that does not exist, or the like: exit 2, not a diagnostic."""


class UnknownModel(Exception):
    """No valid spec under the folder declares the model asked for."""


@dataclass(frozen=True)
class Compiled:
    """One spec that passed: its model, the v1 spec and where each value came from."""

    model: Model
    spec: ModelSpec
    layered: Layered


@dataclass
class Compilation:
    config: Config
    compiled: tuple[Compiled, ...] = ()
    diagnostics: list[Diagnostic] = field(default_factory=list)
    config_doc: Document | None = None

    @property
    def models(self) -> tuple[Model, ...]:
        return tuple(c.model for c in self.compiled)

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)

    @property
    def valid_count(self) -> int:
        """Specs that compiled with no error, cross-file errors included."""
        failed = {d.file for d in self.diagnostics if d.is_error}
        return sum(c.model.source not in failed for c in self.compiled)


def _display(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def discover(paths: Sequence[Path]) -> tuple[list[Path], Path | None]:
    """Spec files under the given files and folders (sorted), and the mlcp.yaml that governs them."""
    files: list[Path] = []
    config: Path | None = None
    for path in paths:
        if path.is_dir():
            config = config or (path / CONFIG_NAME if (path / CONFIG_NAME).is_file() else None)
            found = [*path.rglob("*.yaml"), *path.rglob("*.yml")]
            files += [f for f in found if f.name != CONFIG_NAME and f.is_file()]
        elif path.is_file():
            sibling = path.parent / CONFIG_NAME
            config = config or (sibling if sibling.is_file() else None)
            if path.name != CONFIG_NAME:
                files.append(path)
        else:
            raise UsageError(f"no such file or folder: {path}")
    return sorted(set(files)), config


def load_config(path: Path | None) -> tuple[ConfigSpec, Document | None, list[Diagnostic]]:
    default = ConfigSpec(apiVersion="mlcp/v1", kind="Config")
    if path is None:
        return default, None, []
    loaded = load_document(path, _display(path))
    if isinstance(loaded, Diagnostic):
        return default, None, [loaded]
    problems = check_header(loaded, "Config")
    if problems:
        return default, loaded, problems
    spec, problems = validate(ConfigSpec, loaded, loaded.data)
    return spec or default, loaded, problems


def _compile_one(
    path: Path, config: ConfigSpec, config_doc: Document | None
) -> tuple[Compiled | None, list[Diagnostic]]:
    loaded = load_document(path, _display(path))
    if isinstance(loaded, Diagnostic):
        return None, [loaded]
    problems = check_header(loaded, "Model")
    if problems:
        return None, problems
    metadata = loaded.data.get("metadata")
    tier = metadata.get("tier") if isinstance(metadata, dict) else None
    defaults = config.defaults.get(tier, {}) if tier in TIERS else {}
    layered = layer(loaded, defaults, config_doc, str(tier))
    spec, problems = validate(ModelSpec, layered.doc, layered.data)
    problems = [_name_default(d, config_doc, str(tier)) for d in problems]
    if spec is None:
        return None, problems
    problems += check_spec(spec, layered.doc, config)
    if has_errors(problems):
        return None, problems
    model = to_model(spec, loaded.file, config)
    return Compiled(model, spec, layered), problems


def _name_default(diagnostic: Diagnostic, config_doc: Document | None, tier: str) -> Diagnostic:
    """A problem found in a tier default says so: it sits in mlcp.yaml, not in the spec."""
    if config_doc is None or diagnostic.file != config_doc.file:
        return diagnostic
    return replace(diagnostic, message=f"{diagnostic.message} (in defaults.{tier})")


def _cross_file(compiled: list[Compiled]) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    first: dict[str, Compiled] = {}
    # A spec whose file is named after its model keeps the name; the others are told.
    for item in sorted(compiled, key=lambda c: Path(c.model.source).stem != c.model.name):
        name, loc = item.model.name, item.layered.doc.locate(("metadata", "name"))
        if name in first:
            other = first[name].model.source
            out.append(
                Diagnostic(
                    loc.file,
                    loc.line,
                    loc.col,
                    "MLCP401",
                    "error",
                    f"model name {name!r} is already used by {other}",
                    "names are unique: they name endpoints, alerts and paths",
                )
            )
        else:
            first[name] = item
        stem = Path(item.model.source).stem
        if stem != name:
            out.append(
                Diagnostic(
                    loc.file,
                    loc.line,
                    loc.col,
                    "MLCP402",
                    "warning",
                    f"metadata.name {name!r} differs from the file name {stem!r}",
                    f"rename the file to {name}.yaml so reviewers find it",
                )
            )
    return out


def compile_paths(paths: Sequence[Path | str], config_path: Path | None = None) -> Compilation:
    """Load, validate, check and normalize every spec under the given paths."""
    with no_cyclic_gc():
        return _compile_paths(paths, config_path)


def _compile_paths(paths: Sequence[Path | str], config_path: Path | None) -> Compilation:
    files, found_config = discover([Path(p) for p in paths])
    config_spec, config_doc, diagnostics = load_config(config_path or found_config)
    result = Compilation(config=to_config(config_spec, config_doc.file if config_doc else None))
    result.config_doc = config_doc
    if not files:
        where = _display(Path(paths[0])) if paths else "."
        diagnostics.append(
            Diagnostic(
                where,
                1,
                1,
                "MLCP403",
                "error",
                "no model specs found",
                "add a spec with `mlcp new NAME --task classification --mode realtime`",
            )
        )
    compiled: list[Compiled] = []
    for path in files:
        item, problems = _compile_one(path, config_spec, config_doc)
        diagnostics += problems
        if item is not None:
            compiled.append(item)
    diagnostics += _cross_file(compiled)
    result.compiled = tuple(sorted(compiled, key=lambda c: c.model.name))
    result.diagnostics = sort_diagnostics(diagnostics)
    return result


def find_model(specs: Path, name: str) -> Compiled:
    """The compiled spec of the model called ``name`` under ``specs``."""
    result = compile_paths([specs])
    for compiled in result.compiled:
        if compiled.model.name == name:
            return compiled
    known = ", ".join(c.model.name for c in result.compiled) or "none compiled"
    hint = "" if result.ok else "; the specs have errors: run `mlcp validate`"
    raise UnknownModel(f"no valid model named {name!r} under {specs} (known: {known}){hint}")
