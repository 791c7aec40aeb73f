"""A flow on an existing Dask cluster:
`python examples/dask_address_flow.py --address tcp://127.0.0.1:8786`
(or set DASK_SCHEDULER_ADDRESS).

Start a cluster first, e.g. `dask scheduler` and `dask worker tcp://127.0.0.1:8786` in two shells.
The executor connects to the scheduler for the flow run and leaves the cluster running.
Exits 0 when the flow run succeeds and 1 otherwise (also when no address is given).
"""

import argparse
import os
import socket
import sys
from typing import List, Optional

from prefect_classic import Flow, Parameter, task
from prefect_classic.executors import DaskExecutor


@task
def words(text: str) -> List[str]:
    return text.split()


@task
def shout(word: str) -> str:
    return f"{word.upper()} (from {socket.gethostname()}:{os.getpid()})"


@task
def report(lines: List[str]) -> str:
    return "\n".join(lines)


with Flow("dask-address") as flow:
    text = Parameter("text", default="hello from a dask cluster")
    result = report(shout.map(words(text)))


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--address",
        default=os.environ.get("DASK_SCHEDULER_ADDRESS"),
        help="the Dask scheduler's address (default: $DASK_SCHEDULER_ADDRESS)",
    )
    parser.add_argument("--text", default="hello from a dask cluster")
    args = parser.parse_args(argv)
    if not args.address:
        print("No scheduler address: pass --address or set DASK_SCHEDULER_ADDRESS", file=sys.stderr)
        return 1
    state = flow.run(parameters={"text": args.text}, executor=DaskExecutor(address=args.address))
    if not state.is_successful():
        print(f"Flow run failed: {state.message}")
        return 1
    print(state.result[result].result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
