"""The YAML loader: `mlcp validate` of N specs against another checkout, and the YAML 1.2 path.

Usage: python benchmarks/loader.py --before PATH [--specs 1000] [--runs 11]

PATH is a checkout of the code to compare with (for example
`git worktree add /tmp/base HEAD~3`). The two trees run `mlcp validate` on
the same synthetic specs (benchmarks/compile.py's) as whole processes,
alternately, so that a busy machine slows both alike; the medians of wall
clock and of CPU time (user + system, which other load disturbs less) are
printed side by side. Then, in-process, the cost of loading one spec that
libyaml refuses as it stands: an example after a round trip through ruamel's
round-trip dumper, which writes its `s3://` source unquoted in a flow
mapping, on libyaml with the colon standing in and on ruamel's pure YAML 1.2
parser alone.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.compile import make_specs, timed  # noqa: E402
from controlplane.spec import load  # noqa: E402
from controlplane.spec.load import Document, load_source  # noqa: E402


def validate_once(tree: Path, work: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one `mlcp validate specs` run with `tree` on the path."""
    run = timed(
        [sys.executable, "-m", "controlplane", "validate", "specs"],
        work,
        dict(os.environ, PYTHONPATH=str(tree)),
        # 1: diagnostics. An older checkout may not know a field the examples have since
        # gained; it still reads and checks every file.
        accept=(0, 1),
    )
    return run.wall, run.cpu


def side_by_side(trees: dict[str, Path], specs: int, runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "specs").mkdir()
        make_specs(work / "specs", specs)
        walls: dict[str, list[float]] = {name: [] for name in trees}
        cpus: dict[str, list[float]] = {name: [] for name in trees}
        for run in range(runs):
            order = list(trees) if run % 2 == 0 else list(reversed(trees))
            for name in order:
                wall, cpu = validate_once(trees[name], work)
                walls[name].append(wall)
                cpus[name].append(cpu)
    print(f"mlcp validate, {specs} specs, {runs} alternated runs (medians, whole process)")
    for name in trees:
        wall, cpu = statistics.median(walls[name]), statistics.median(cpus[name])
        print(f"  {name:7} wall {wall:6.3f} s   cpu {cpu:6.3f} s")
    ratio_wall = statistics.median(walls["after"]) / statistics.median(walls["before"])
    ratio_cpu = statistics.median(cpus["after"]) / statistics.median(cpus["before"])
    print(f"  after/before: wall {ratio_wall:.3f}, cpu {ratio_cpu:.3f}")


def per_spec_ms(raw: bytes, repeat: int = 50) -> float:
    best = float("inf")
    for _ in range(5):
        start = time.process_time()
        for _ in range(repeat):
            assert isinstance(load_source(raw, "spec.yaml"), Document)
        best = min(best, time.process_time() - start)
    return best / repeat * 1000


def yaml_1_2_path() -> None:
    written = (ROOT / "specs" / "fraud-detector.yaml").read_text(encoding="utf-8")
    yaml, out = YAML(typ="rt"), io.StringIO()
    yaml.dump(yaml.load(written), out)
    rewritten = out.getvalue().encode()
    fast = per_spec_ms(written.encode())
    standing_in = per_spec_ms(rewritten)
    saved, load.CParser = load.CParser, None
    try:
        pure = per_spec_ms(rewritten)
    finally:
        load.CParser = saved
    print("loading fraud-detector.yaml in-process (best of 5, CPU)")
    print(f"  as written, libyaml:                                 {fast:6.2f} ms")
    print(f"  after ruamel's round trip, libyaml + colon stand-in: {standing_in:6.2f} ms")
    print(f"  after ruamel's round trip, YAML 1.2 parser alone:    {pure:6.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True, help="checkout to compare with")
    parser.add_argument("--specs", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    side_by_side({"before": args.before.resolve(), "after": ROOT}, args.specs, args.runs)
    yaml_1_2_path()


if __name__ == "__main__":
    main()
