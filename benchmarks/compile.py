"""Compile speed: `mlcp validate` and `mlcp build` on N synthetic specs, as whole processes.

Usage: python benchmarks/compile.py [--specs 1000] [--runs 3]

Each synthetic spec is one of the three examples under a new name, with a
varied feature list and thresholds, so that every rule runs on distinct
input. Timings are wall-clock for the whole process (cold: a new
interpreter each run, as CI and a developer run it). The import share is
measured by timing `python -c "import controlplane.cli"` on its own.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ("fraud-detector", "demand-forecast", "recommender")


def make_specs(target: Path, count: int) -> None:
    shutil.copy(ROOT / "specs" / "mlcp.yaml", target / "mlcp.yaml")
    texts = {name: (ROOT / "specs" / f"{name}.yaml").read_text() for name in EXAMPLES}
    for i in range(count):
        base = EXAMPLES[i % len(EXAMPLES)]
        name = f"{base}-{i:05d}"
        text = texts[base].replace(f"name: {base}", f"name: {name}", 1)
        text = text.replace("numeric: [", f"numeric: [extra_{i % 97}, ", 1)
        text = text.replace("warn: 0.1,", f"warn: 0.1{i % 9},", 1)
        (target / f"{name}.yaml").write_text(text)


def timed(argv: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(
            f"{' '.join(argv)} failed ({done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
        )
    return elapsed


def loader_ratio(folder: Path, sample: int) -> tuple[float, float]:
    """In-process: seconds to load `sample` specs with libyaml's parser, and with the pure one."""
    from controlplane.spec import load

    files = sorted(folder.glob("*-*.yaml"))[:sample]

    def run() -> float:
        start = time.perf_counter()
        for path in files:
            load.load_document(path, path.name)
        return time.perf_counter() - start

    fast = run()
    saved, load.CParser = load.CParser, None
    try:
        slow = run()
    finally:
        load.CParser = saved
    return fast, slow


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--specs", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    mlcp = [sys.executable, "-m", "controlplane"]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "specs").mkdir()
        make_specs(work / "specs", args.specs)
        imports = [
            timed([sys.executable, "-c", "import controlplane.cli"], work) for _ in range(args.runs)
        ]
        validate = [timed([*mlcp, "validate", "specs"], work) for _ in range(args.runs)]
        build = []
        for _ in range(args.runs):
            shutil.rmtree(work / "out", ignore_errors=True)
            build.append(timed([*mlcp, "build", "specs", "--out", "out"], work))
        baseline = [timed([sys.executable, "-c", "pass"], work) for _ in range(args.runs)]
        fast, slow = loader_ratio(work / "specs", 200)
    imp, val, bld, base = (statistics.median(x) for x in (imports, validate, build, baseline))
    print(f"specs: {args.specs}, runs: {args.runs} (medians, wall clock, whole process)")
    print(f"python -c pass (interpreter start):  {base:6.3f} s")
    print(f"import controlplane.cli:             {imp:6.3f} s")
    print(
        f"mlcp validate:                       {val:6.3f} s  ({val / args.specs * 1000:.2f} ms/spec)"
    )
    print(
        f"mlcp build (empty out):              {bld:6.3f} s  ({bld / args.specs * 1000:.2f} ms/spec)"
    )
    print(f"validate + build:                    {val + bld:6.3f} s  (goal for 1,000 specs: < 5 s)")
    print(f"import share of validate:            {imp / val:6.1%}")
    print(
        f"loader, 200 specs in-process:        {fast:6.3f} s libyaml events vs {slow:6.3f} s "
        f"pure-Python parser (baseline): {slow / fast:.0f}x"
    )


if __name__ == "__main__":
    main()
