"""Instructions per task run, counted by valgrind's callgrind: a deterministic gauge of the engine's
per-task cost, for comparing two commits on a noisy machine (wall times there vary by ±30%).

```
python benchmarks/instructions.py [--level INFO|WARNING] [--scenario independent|chain|cache]
                                  [--n 300] [--tree PATH ...] [--cycles]
```
Each `--tree` is a checkout (or `git archive` of a commit) whose `prefect_classic` is measured;
the default is this one. The flow is built and run twice untimed, then run twice inside
`functools.reduce`, and callgrind counts only the instructions executed inside that call
(`--toggle-collect=functools_reduce`): imports, set-up and warm-up are left out. With
`--cycles`, callgrind also simulates the caches and branch predictor, and an estimate of cycles
is printed: instructions + 10 per first-level cache miss + 100 per last-level miss + 15 per
mispredicted branch (a rough model, but it catches code that runs as many instructions more
slowly). Needs `valgrind` on the PATH; it is not part of `scripts/bench`.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from typing import Any, List, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))

#: what runs under valgrind: argv = level, scenario, n
WORKER = """
import datetime, functools, io, logging, sys
from prefect_classic import Flow, Task
level, scenario, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
logging.getLogger("prefect").setLevel(level)
for handler in logging.getLogger("prefect").handlers:
    if hasattr(handler, "stream"):
        handler.stream = io.StringIO()

class One(Task):
    def run(self, x=None):
        return 1

if scenario == "chain":
    with Flow("chain") as flow:
        previous = One(name="t0")()
        for i in range(1, n):
            previous = One(name=f"t{i}")(x=previous)
else:
    flow = Flow(scenario)
    cache_for = datetime.timedelta(hours=1) if scenario == "cache" else None
    for i in range(n):
        flow.add_task(One(name=f"t{i}", cache_for=cache_for))
flow.run()
flow.run()
functools.reduce(lambda total, _: flow.run(), [0, 1], 0)
"""


def instructions_per_task(
    tree: str, level: str, scenario: str, n: int, cycles: bool = False
) -> Tuple[float, Optional[float]]:
    """Run the worker under callgrind with `tree` first on the path; return instructions per task
    run (two measured flow runs of `n` tasks) and, with `cycles`, estimated cycles per task run."""
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "worker.py")
        with open(script, "w") as f:
            f.write(WORKER)
        # (a fixed hash seed: dict and set layouts, and so the instruction counts, repeat exactly)
        env = dict(os.environ, PYTHONPATH=os.path.abspath(tree), PYTHONHASHSEED="0")
        done = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                "--collect-atstart=no",
                "--toggle-collect=functools_reduce",
                *(["--cache-sim=yes", "--branch-sim=yes"] if cycles else []),
                f"--callgrind-out-file={os.path.join(tmp, 'out')}",
                sys.executable,
                script,
                level,
                scenario,
                str(n),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            check=True,
        )
        with open(os.path.join(tmp, "out")) as f:
            summary = next((line for line in f if line.startswith("summary:")), None)
    if summary is None:
        raise RuntimeError(f"no summary in callgrind's output:\n{done.stderr[-2000:]}")
    counts = [int(x) for x in summary.split()[1:]]
    runs = 2 * n
    if not cycles:
        return counts[0] / runs, None
    ir, _dr, _dw, i1, d1r, d1w, ilr, dlr, dlw, _bc, bcm, _bi, bim = counts
    estimate = ir + 10 * (i1 + d1r + d1w) + 100 * (ilr + dlr + dlw) + 15 * (bcm + bim)
    return ir / runs, estimate / runs


def main(argv: Any = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--level", default="INFO")
    parser.add_argument(
        "--scenario", default="independent", choices=["independent", "chain", "cache"]
    )
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--tree", action="append", default=[])
    parser.add_argument("--cycles", action="store_true")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed")
    trees: List[str] = args.tree or [os.path.dirname(HERE)]
    for tree in trees:
        count, estimate = instructions_per_task(
            tree, args.level.upper(), args.scenario, args.n, args.cycles
        )
        line = f"{tree}: {args.scenario} at {args.level.upper()}: {count / 1000:.1f}k instructions"
        if estimate is not None:
            line += f", about {estimate / 1000:.1f}k cycles"
        print(line + " per task run")


if __name__ == "__main__":
    main()
