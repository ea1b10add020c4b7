"""A batch job as a team would write one: score rows 0..N-1, checkpointing as it goes.

Run as a script by the tests, which kill it part-way. The score of row i is
i * i + 1, so a test can check every output by hand.
"""

from __future__ import annotations

import sys
import time

from controlplane import batch


def main(rows: int, pause: float) -> None:
    with batch.resume() as run:
        print(f"resuming at row {run.position}", flush=True)
        for row in range(run.position, rows):
            time.sleep(pause)  # the work a real model does per row
            run.row_done({"row": row, "score": row * row + 1})


if __name__ == "__main__":
    main(int(sys.argv[1]), float(sys.argv[2]))
