"""The compiler: spec sources in, normalized models and every diagnostic out.

``compile_sources`` is the compiler: it takes named texts, wherever they came
from (disk, a git object, memory). ``compile_paths`` is the thin layer that
finds and reads them on disk.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, Protocol, TypeVar

from controlplane.diagnostics import Diagnostic, format_text, has_errors, sort_diagnostics
from controlplane.domain import TIERS
from controlplane.errors import UnknownModel
from controlplane.model import Config, Model
from controlplane.perf import no_cyclic_gc
from controlplane.sources import Source, display, load_source, read_tree
from controlplane.spec.check import check_spec
from controlplane.spec.config import ConfigSpec
from controlplane.spec.controls import control_characters
from controlplane.spec.edit import Edit, SpecEditError, edit_text
from controlplane.spec.layers import Layered, layer
from controlplane.spec.load import Document, Location
from controlplane.spec.normalize import to_config, to_model
from controlplane.spec.output import check_build_out
from controlplane.spec.parse import check_header, validate
from controlplane.spec.routing_keys import check_routing_keys
from controlplane.spec.tier_defaults import check_tier_defaults, in_defaults
from controlplane.spec.v1 import ModelSpec

__all__ = [
    "Checked",
    "Compilation",
    "Compiled",
    "Each",
    "Outcome",
    "check_paths",
    "check_sources",
    "compile_sources",
]


class Passed(Protocol):
    """What every compiled spec offers: its model, the file its diagnostics name and
    where its name is written."""

    @property
    def model(self) -> Model: ...

    @property
    def shown(self) -> str: ...

    @property
    def name_at(self) -> Location: ...


@dataclass(frozen=True)
class Checked:
    """What a build keeps of a spec that passed: its model, the file its diagnostics name
    and where its name is written (for the checks across files). Small enough to send
    from the process that compiled it."""

    model: Model
    shown: str
    name_at: Location


@dataclass(frozen=True)
class Compiled:
    """One spec that passed: its model, the v1 spec and where each value came from."""

    model: Model
    spec: ModelSpec
    layered: Layered

    @property
    def shown(self) -> str:
        """The spec's file as its diagnostics name it."""
        return self.layered.doc.file

    @property
    def name_at(self) -> Location:
        return self.layered.doc.locate(("metadata", "name"))

    @property
    def checked(self) -> Checked:
        return Checked(self.model, self.shown, self.name_at)


P = TypeVar("P", bound=Passed)
# A spec's outcome: what passed (None if it did not) and its diagnostics.
Outcome = tuple[P | None, list[Diagnostic]]


@dataclass
class Compilation(Generic[P]):
    config: Config
    compiled: tuple[P, ...] = ()
    diagnostics: list[Diagnostic] = field(default_factory=list)
    config_doc: Document | None = None
    root: Path | None = None  # the project root on disk; None for sources from elsewhere

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
        return sum(c.shown not in failed for c in self.compiled)

    @property
    def output_dir(self) -> Path:
        """mlcp.yaml's build.out, which is relative to the project root, not to the working folder."""
        out = Path(self.config.output_dir)
        if self.root is None or out.is_absolute():
            return out
        return Path(display(self.root / out))


def load_config(source: Source | None) -> tuple[ConfigSpec, Document | None, list[Diagnostic]]:
    default = ConfigSpec(apiVersion="mlcp/v1", kind="Config")
    if source is None:
        return default, None, []
    loaded = load_source(source)
    if isinstance(loaded, Diagnostic):
        return default, None, [loaded]
    problems = check_header(loaded, "Config")
    if problems:
        return default, loaded, problems
    spec, problems = validate(ConfigSpec, loaded, loaded.data)
    problems = control_characters(loaded) + problems
    if spec is not None:
        problems += check_build_out(spec.build.out, loaded, source.path)
        problems += check_routing_keys(spec.pagerduty, loaded)
    return spec or default, loaded, problems


def _compile_one(
    source: Source, config: ConfigSpec, config_doc: Document | None
) -> tuple[Compiled | None, list[Diagnostic]]:
    loaded = load_source(source)
    if isinstance(loaded, Diagnostic):
        return None, [loaded]
    problems = check_header(loaded, "Model")
    if problems:
        return None, problems
    controls = control_characters(loaded)
    metadata = loaded.data.get("metadata")
    tier = metadata.get("tier") if isinstance(metadata, dict) else None
    defaults = config.defaults.get(tier, {}) if tier in TIERS else {}
    layered = layer(loaded, defaults, config_doc, str(tier))
    spec, problems = validate(ModelSpec, layered.doc, layered.data)
    if spec is not None:
        problems += check_spec(spec, layered.doc, config)
    problems = controls + [_name_default(d, config_doc, str(tier)) for d in problems]
    if spec is None:
        return None, problems
    if has_errors(problems):
        return None, problems
    model = to_model(
        spec, source.path, config, spec_sha256=hashlib.sha256(source.raw()).hexdigest()
    )
    return Compiled(model, spec, layered), problems


def _name_default(diagnostic: Diagnostic, config_doc: Document | None, tier: str) -> Diagnostic:
    if config_doc is None or diagnostic.file != config_doc.file:
        return diagnostic
    return in_defaults(diagnostic, tier)


def check_sources(sources: Sequence[Source], config: Source | None) -> list[Outcome[Checked]]:
    """Each spec compiled alone under mlcp.yaml, kept as a build needs it: what a build
    worker does with its share of the specs (the checks across files come after)."""
    config_spec, config_doc = _config_of(config)
    with no_cyclic_gc():
        return _check_here(list(sources), config, config_spec, config_doc)


@functools.lru_cache(maxsize=1)
def _config_of(source: Source | None) -> tuple[ConfigSpec, Document | None]:
    # A worker compiles many shares under the same mlcp.yaml: read it once. (Its
    # diagnostics are reported by the process that gathers the shares.)
    spec, doc, _ = load_config(source)
    return spec, doc


def _cross_file(compiled: Sequence[Passed]) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    first: dict[str, Passed] = {}
    # A spec whose file is named after its model keeps the name; the others are told.
    for item in sorted(compiled, key=lambda c: Path(c.model.source).stem != c.model.name):
        name, loc = item.model.name, item.name_at
        if name in first:
            other = first[name].shown
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


def compile_sources(
    sources: Sequence[Source], config: Source | None = None
) -> Compilation[Compiled]:
    """Load, validate, check and normalize every spec source, under one mlcp.yaml source."""
    with no_cyclic_gc():
        return _compile(
            sources, config, _in_process, found=len(sources), where=config.shown if config else "."
        )


# Compiles a list of sources under mlcp.yaml (its source and its loaded form), in order.
Each = Callable[[list[Source], Source | None, ConfigSpec, Document | None], list[Outcome[P]]]


def _in_process(
    sources: list[Source], _: Source | None, config: ConfigSpec, config_doc: Document | None
) -> list[Outcome[Compiled]]:
    return [_compile_one(source, config, config_doc) for source in sources]


def _compile(
    sources: Sequence[Source], config: Source | None, each: Each[P], *, found: int, where: str
) -> Compilation[P]:
    """``found`` counts the specs discovered, readable or not; ``where`` names their folder;
    ``each`` compiles the specs one by one (here, or spread over processes)."""
    config_spec, config_doc, diagnostics = load_config(config)
    result: Compilation[P] = Compilation(
        config=to_config(config_spec, config.path if config else None)
    )
    result.config_doc = config_doc
    diagnostics += check_tier_defaults(config_spec, config_doc)
    if not found:
        diagnostics.append(_no_specs(where))
    compiled: list[P] = []
    ordered = sorted(sources, key=lambda s: s.path)  # the same order from disk or git
    for item, problems in each(ordered, config, config_spec, config_doc):
        diagnostics += problems
        if item is not None:
            compiled.append(item)
    diagnostics += _cross_file(compiled)
    result.compiled = tuple(sorted(compiled, key=lambda c: c.model.name))
    result.diagnostics = sort_diagnostics(diagnostics)
    return result


def _no_specs(where: str) -> Diagnostic:
    return Diagnostic(
        where,
        1,
        1,
        "MLCP403",
        "error",
        "no model specs found",
        "add a spec with `mlcp new NAME --task classification --mode realtime`",
    )


def compile_paths(paths: Sequence[Path | str]) -> Compilation[Compiled]:
    """Find the specs under the given files and folders on disk, then compile them."""
    return _compile_paths(paths, _in_process)


def check_paths(
    paths: Sequence[Path | str], each: Each[Checked] | None = None
) -> Compilation[Checked]:
    """`compile_paths` for a build: the same diagnostics, each passing spec kept as
    `Checked`; ``each`` may compile the specs in other processes (see `check_sources`)."""
    return _compile_paths(paths, each or _check_here)


def _check_here(
    sources: list[Source], config: Source | None, spec: ConfigSpec, doc: Document | None
) -> list[Outcome[Checked]]:
    return [
        (None if c is None else c.checked, d) for c, d in _in_process(sources, config, spec, doc)
    ]


def _compile_paths(paths: Sequence[Path | str], each: Each[P]) -> Compilation[P]:
    with no_cyclic_gc():
        read = read_tree([Path(p) for p in paths])
        where = display(Path(paths[0])) if paths else "."
        result = _compile(read.specs, read.config, each, found=len(read.tree.files), where=where)
    result.diagnostics = sort_diagnostics([*read.problems, *result.diagnostics])
    result.root = read.tree.root
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


def edit_spec(
    source: Source, edits: Iterable[Edit], config: Source | None = None
) -> tuple[str, Compiled]:
    """The edited text of a spec and what it compiles to under ``config`` (mlcp.yaml).

    Raises `SpecEditError` with every diagnostic when the result does not validate.
    """
    text = source.text if isinstance(source.text, str) else source.text.decode("utf-8")
    edited = edit_text(text, edits)
    result = compile_sources([Source(source.path, edited, source.display)], config)
    if not result.ok or not result.compiled:
        problems = format_text([d for d in result.diagnostics if d.is_error])
        raise SpecEditError(f"the edited {source.shown} would not validate:\n{problems}")
    return edited, result.compiled[0]
