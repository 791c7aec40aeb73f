"""A mapped flow on Dask: `python examples/dask_mapped_flow.py [--n 20]`.

`DaskExecutor()` starts a temporary `distributed.LocalCluster` for the flow run (worker processes
on this machine) and closes it afterwards. Each mapped child is its own Dask future; the log lines
of the workers show up here, in the flow runner's output. Exits 0 when the flow run succeeds and
1 otherwise.
"""

import argparse
import os
import sys
from typing import List, Optional

import prefect_classic
from prefect_classic import Flow, Parameter, task
from prefect_classic.executors import DaskExecutor


@task
def numbers(n: int) -> List[int]:
    return list(range(1, n + 1))


@task
def square(x: int) -> int:
    prefect_classic.context.logger.info(f"squaring {x} in process {os.getpid()}")
    return x * x


@task
def total(values: List[int]) -> int:
    return sum(values)


with Flow("dask-mapped") as flow:
    n = Parameter("n", default=10)
    result = total(square.map(numbers(n)))


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10, help="how many numbers to square")
    args = parser.parse_args(argv)
    state = flow.run(parameters={"n": args.n}, executor=DaskExecutor())
    if not state.is_successful():
        print(f"Flow run failed: {state.message}")
        return 1
    print(f"sum of squares 1..{args.n} = {state.result[result].result}")
    return 0


if __name__ == "__main__":  # worker processes import this file too: run only as a script
    sys.exit(main())
