"""mlcp.yaml's pagerduty.routing_keys: the store is declared once, Alertmanager reads the
keys where that store puts them, and a key of the other store is a located error."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from controlplane.compile import compile_paths
from controlplane.diagnostics import format_text
from controlplane.model import KeyStore
from controlplane.render.monitoring import render as render_monitoring
from controlplane.render.monitoring.yamlio import loads
from tests.conftest import require_tool
from tests.render.monitoring_files import EXAMPLES, write

LEGACY = "  routing_key_dir: /etc/alertmanager/secrets/pagerduty\n"
SECRETS = (
    "  routing_keys:\n"
    "    store: aws-secretsmanager\n"
    "    prefix: acme/pagerduty/\n"
    "    mount: /mnt/secrets-store\n"
    "    kms_key_id: alias/routing-keys\n"
)


def with_pagerduty(examples: Path, block: str) -> Path:
    """The examples' mlcp.yaml with its routing_key_dir line replaced by `block`."""
    config = examples / "mlcp.yaml"
    text = config.read_text(encoding="utf-8")
    assert LEGACY in text
    config.write_text(text.replace(LEGACY, block), encoding="utf-8")
    return examples


def line_of(examples: Path, text: str) -> int:
    lines = (examples / "mlcp.yaml").read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if text in line)


def test_without_routing_keys_the_store_is_the_folder_as_before(examples: Path) -> None:
    config = compile_paths([examples]).config
    assert config.routing_key_store == KeyStore("file")
    assert config.pagerduty_routing_key_dir == "/etc/alertmanager/secrets/pagerduty"


def test_a_file_store_writes_to_its_dir(examples: Path) -> None:
    block = "  routing_keys: {store: file, dir: /srv/alertmanager/keys}\n"
    config = compile_paths([with_pagerduty(examples, block)]).config
    assert config.routing_key_store == KeyStore("file")
    assert config.pagerduty_routing_key_dir == "/srv/alertmanager/keys"


def test_secrets_manager_keys_are_read_from_the_mount(examples: Path, tmp_path: Path) -> None:
    compilation = compile_paths([with_pagerduty(examples, SECRETS)])
    assert compilation.ok, format_text(compilation.diagnostics)
    config = compilation.config
    assert config.routing_key_store == KeyStore(
        "aws-secretsmanager", "acme/pagerduty/", "alias/routing-keys"
    )
    models = [c.model for c in compilation.compiled]
    folder = write(render_monitoring(models, config), tmp_path / "out")
    alertmanager = loads((folder / "alertmanager.yml").read_text())
    files = {
        p["routing_key_file"]
        for r in alertmanager["receivers"]
        for p in r.get("pagerduty_configs", [])
    }
    # mount + "ml-" (the examples' service_prefix) + each model: where the CSI driver
    # puts the secret acme/pagerduty/ml-<model> under its objectAlias.
    assert files == {f"/mnt/secrets-store/ml-{name}" for name in EXAMPLES}
    amtool = require_tool("amtool")
    checked = subprocess.run(
        [amtool, "check-config", str(folder / "alertmanager.yml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_default_secret_prefix(examples: Path) -> None:
    block = "  routing_keys: {store: aws-secretsmanager, mount: /etc/alertmanager/keys}\n"
    config = compile_paths([with_pagerduty(examples, block)]).config
    assert config.routing_key_store == KeyStore("aws-secretsmanager", "mlcp/routing-keys/")
    assert config.pagerduty_routing_key_dir == "/etc/alertmanager/keys"


@pytest.mark.parametrize(
    ("block", "at", "col", "message"),
    [
        (
            "  routing_keys: {store: file, mount: /etc/alertmanager/keys}\n",
            "routing_keys",
            38,  # the value of mount:
            "pagerduty.routing_keys.mount is for store aws-secretsmanager, not file "
            "(remove it, or set store: aws-secretsmanager)",
        ),
        (
            "  routing_keys:\n    store: aws-secretsmanager\n    dir: /srv/keys\n    mount: /k\n",
            "dir: /srv/keys",
            10,
            "pagerduty.routing_keys.dir is for store file, not aws-secretsmanager "
            "(remove it, or set store: file)",
        ),
        (
            "  routing_keys:\n    store: aws-secretsmanager\n",
            "routing_keys",
            3,  # the key whose mapping lacks mount
            "store aws-secretsmanager needs mount: the folder where Alertmanager sees each "
            "secret as a file (add mount: /etc/alertmanager/keys (where the Secrets Store "
            "CSI driver, or your volume, puts the secrets))",
        ),
        (
            LEGACY + "  routing_keys: {store: file, dir: /srv/keys}\n",
            "routing_key_dir",
            20,
            "pagerduty.routing_key_dir and pagerduty.routing_keys both say where the keys go "
            "(remove routing_key_dir: write the folder as routing_keys.dir (store file) or "
            "routing_keys.mount (store aws-secretsmanager))",
        ),
    ],
)
def test_a_key_that_does_not_fit_the_store_is_located(
    examples: Path, monkeypatch: pytest.MonkeyPatch, block: str, at: str, col: int, message: str
) -> None:
    monkeypatch.chdir(examples.parent)
    compilation = compile_paths([Path("specs")])
    assert compilation.ok
    compilation = compile_paths([with_pagerduty(Path("specs"), block)])
    line = line_of(Path("specs"), at)
    (problem,) = [d for d in compilation.diagnostics if d.is_error]
    shown = f"{problem.file}:{problem.line}:{problem.col}: {problem.code}: {problem.message}"
    assert f"{shown} ({problem.hint})" == f"specs/mlcp.yaml:{line}:{col}: MLCP498: {message}"
    assert not compilation.ok


def test_a_secret_prefix_secrets_manager_cannot_name_is_refused(examples: Path) -> None:
    block = "  routing_keys: {store: aws-secretsmanager, prefix: 'keys for ml/', mount: /k}\n"
    compilation = compile_paths([with_pagerduty(examples, block)])
    (problem,) = [d for d in compilation.diagnostics if d.is_error]
    assert problem.code == "MLCP114"
    assert problem.message == (
        "pagerduty.routing_keys.prefix: 'keys for ml/' is not a valid secret name prefix"
    )
    assert problem.hint == "did you mean 'keys-for-ml/'?"
