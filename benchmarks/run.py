"""Run every benchmark with one command (what `scripts/bench` calls): the engine table first,
then each other `benchmarks/bench_*.py` script with its own output.

Each scenario runs in a fresh Python process (so peak RSS is the scenario's own), once with the
`prefect` logger at the default INFO level and once at WARNING; the best of `--repeat` runs is
shown. Per-task overhead is the flow run's wall time divided by its task runs (the tasks do
trivial work). Prefect 1.4.1's times on the same machine are printed alongside.

```
python benchmarks/run.py [--repeat 5] [--skip-large] [--json] [--engine-only]
```
"""

import argparse
import glob
import json
import os
import subprocess
import sys
from typing import Any, Dict, List, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))

# (label, scenario, n, Prefect 1.4.1 seconds on this machine, target µs per task run)
CASES: List[Tuple[str, str, int, Optional[float], float]] = [
    ("400 independent tasks", "independent", 400, 2.1, 100.0),
    ("200-task chain", "chain", 200, 1.1, 100.0),
    ("map 2,000 + reduce", "map", 2000, 10.7, 100.0),
    ("map 100,000 + reduce", "map", 100_000, None, 100.0),
    ("cache-hit rerun, 200 tasks", "cache", 200, 1.1, 20.0),
]
LARGE = 10_000


def run_case(scenario: str, n: int, level: str) -> Dict[str, Any]:
    """Run one scenario in a fresh process and return its JSON figures."""
    cmd = [
        sys.executable,
        os.path.join(HERE, "bench_engine.py"),
        scenario,
        "--n",
        str(n),
        "--log-level",
        level,
    ]
    out = subprocess.run(
        cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def best_of(scenario: str, n: int, level: str, repeat: int) -> Dict[str, Any]:
    """The fastest of `repeat` runs (peak RSS: the largest seen)."""
    runs = [run_case(scenario, n, level) for _ in range(repeat)]
    best = min(runs, key=lambda r: r["seconds"])
    best["peak_rss_mb"] = max(r["peak_rss_mb"] for r in runs)
    return best


def main(argv: Any = None) -> None:
    parser = argparse.ArgumentParser(description="Engine benchmarks")
    parser.add_argument("--repeat", type=int, default=5, help="runs per small case (best is shown)")
    parser.add_argument("--skip-large", action="store_true", help="skip the 100,000-children map")
    parser.add_argument("--json", action="store_true", help="print the raw figures as JSON too")
    parser.add_argument(
        "--engine-only", action="store_true", help="skip the other bench_*.py scripts"
    )
    args = parser.parse_args(argv)
    print_engine_table(args)
    if not args.engine_only:
        run_other_benchmarks()


def run_other_benchmarks() -> None:
    """Run each `bench_*.py` script besides the engine's, with its default arguments."""
    for path in sorted(glob.glob(os.path.join(HERE, "bench_*.py"))):
        if os.path.basename(path) == "bench_engine.py":
            continue
        print(f"\n== {os.path.basename(path)} ==", flush=True)
        done = subprocess.run([sys.executable, path], check=False)
        if done.returncode:
            print(f"({os.path.basename(path)} exited with status {done.returncode})", flush=True)


def print_engine_table(args: argparse.Namespace) -> None:
    """Run the engine scenarios and print their table."""

    rows: List[Dict[str, Any]] = []
    for label, scenario, n, prefect1, target in CASES:
        if args.skip_large and n >= LARGE:
            continue
        repeat = 1 if n >= LARGE else args.repeat
        info = best_of(scenario, n, "INFO", repeat)
        warning = best_of(scenario, n, "WARNING", repeat)
        rows.append(
            {
                "label": label,
                "prefect1": prefect1,
                "target": target,
                "info": info,
                "warning": warning,
            }
        )

    header = (
        f"{'benchmark':<28} {'task runs':>9} {'Prefect 1.4.1':>13} {'ours INFO':>10} {'ours WARN':>10} "
        f"{'µs/task INFO':>12} {'µs/task WARN':>12} {'target':>8} {'peak RSS':>9} {'speed-up':>9}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        info, warning = row["info"], row["warning"]
        prefect1 = row["prefect1"]
        p1 = f"{prefect1:.2f} s" if prefect1 is not None else "—"
        speedup = f"{prefect1 / info['seconds']:.0f}x" if prefect1 is not None else "—"
        met = "ok" if warning["us_per_task"] <= row["target"] else "MISSED"
        print(
            f"{row['label']:<28} {info['task_runs']:>9} {p1:>13} {info['seconds']:>8.3f} s {warning['seconds']:>8.3f} s "
            f"{info['us_per_task']:>12.1f} {warning['us_per_task']:>12.1f} {'≤' + format(row['target'], '.0f'):>5} {met:<2} "
            f"{max(info['peak_rss_mb'], warning['peak_rss_mb']):>6.1f} MB {speedup:>9}"
        )
    print(
        "\nµs/task = flow-run wall time / task runs (trivial tasks; LocalExecutor). Target checked at WARNING;"
        "\nat INFO every task run also emits Prefect 1's two INFO lines. Speed-up = Prefect 1.4.1 / ours at INFO."
    )
    if args.json:
        print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
