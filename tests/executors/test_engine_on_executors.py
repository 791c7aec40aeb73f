"""Engine behaviours that must not depend on the executor: every test runs on the five executors
of `conftest.EXECUTOR_NAMES` (LocalExecutor, LocalDaskExecutor threads/processes, DaskExecutor on
in-process and multi-process LocalClusters).

Side effects that must be seen across processes (how many times a task body ran, what a resource
cleaned up) go through files in `tmp_path`.
"""

import datetime
import os
import sys
import time
from pathlib import Path
from typing import Any

import cloudpickle

import prefect_classic
from prefect_classic import Flow, Parameter, case, resource_manager, task, unmapped
from prefect_classic.engine import signals
from prefect_classic.engine.results.local_result import LocalResult
from prefect_classic.engine.state import (
    Cached,
    Failed,
    Mapped,
    Skipped,
    Success,
    TimedOut,
    TriggerFailed,
)
from prefect_classic.triggers import all_failed, always_run

# worker processes cannot import test modules (pytest's importlib mode): ship them by value
cloudpickle.register_pickle_by_value(sys.modules[__name__])


def bump(path: Path) -> int:
    """Append one line to `path` and return how many lines it has (a cross-process counter)."""
    with open(path, "a") as f:
        f.write("x\n")
    return len(path.read_text().splitlines())


def count(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0


@task
def inc(x: int) -> int:
    return x + 1


@task
def add(x: int, y: int) -> int:
    return x + y


@task
def total(xs: list) -> int:
    return sum(xs)


def test_dependent_and_independent_tasks_give_their_results(executor: Any) -> None:
    with Flow("graph") as flow:
        a = inc(1)
        b = add(a, 10)
        c = inc(100)
    state = flow.run(executor=executor)
    assert state.is_successful()
    assert [state.result[t].result for t in (a, b, c)] == [2, 12, 101]


def test_independent_tasks_run_at_the_same_time(
    executor: Any, executor_name: str, tmp_path: Path
) -> None:
    """Two tasks that each wait (at most 20 s) for the other to have started only both succeed
    when they run concurrently; LocalExecutor runs them one after the other."""

    @task
    def rendezvous(me: str, other: str, folder: str) -> str:
        Path(folder, me).touch()
        deadline = time.monotonic() + (20 if executor_name != "local" else 0.2)
        while not Path(folder, other).exists():
            if time.monotonic() > deadline:
                raise RuntimeError(f"{other} did not start while {me} was running")
            time.sleep(0.01)
        return me

    with Flow("parallel") as flow:
        a = rendezvous("a", "b", str(tmp_path))
        b = rendezvous("b", "a", str(tmp_path))
    state = flow.run(executor=executor)
    if executor_name == "local":
        assert state.result[a].is_failed()
    else:
        assert state.is_successful(), state.result
        assert (state.result[a].result, state.result[b].result) == ("a", "b")


def test_map_reduce_with_chained_maps_and_an_unmapped_argument(executor: Any) -> None:
    with Flow("map-reduce") as flow:
        first = inc.map([1, 2, 3, 4])
        second = add.map(first, unmapped(100))
        result = total(second)
    state = flow.run(executor=executor)
    assert state.is_successful()
    assert isinstance(state.result[second], Mapped)
    assert [s.result for s in state.result[second].map_states] == [102, 103, 104, 105]
    assert state.result[second].result == [102, 103, 104, 105]
    assert state.result[result].result == 414


def test_each_mapped_child_is_its_own_task_run_with_its_map_index(executor: Any) -> None:
    @task
    def where(x: int) -> tuple:
        ctx = prefect_classic.context
        return x, ctx.map_index, ctx.task_full_name

    with Flow("children") as flow:
        w = where.map([10, 20, 30])
    state = flow.run(executor=executor)
    assert [s.result for s in state.result[w].map_states] == [
        (10, 0, "where[0]"),
        (20, 1, "where[1]"),
        (30, 2, "where[2]"),
    ]


def test_a_retry_reuses_its_cached_inputs_instead_of_running_upstream_again(
    executor: Any, tmp_path: Path
) -> None:
    upstream_runs, attempts = tmp_path / "upstream", tmp_path / "attempts"

    @task
    def produce() -> int:
        bump(upstream_runs)
        return 7

    @task(max_retries=2, retry_delay=datetime.timedelta(seconds=0))
    def flaky(x: int) -> int:
        if bump(attempts) < 2:
            raise ValueError("first attempt fails")
        return x * 10

    with Flow("retry") as flow:
        f = flaky(produce())
    state = flow.run(executor=executor)
    assert state.is_successful()
    assert state.result[f].result == 70
    assert (count(upstream_runs), count(attempts)) == (1, 2)


def test_a_task_over_its_timeout_ends_timed_out(executor: Any) -> None:
    """The flow run does not wait for the task's own end (60 s): it ends TimedOut after 1 s
    (in a worker thread the task runs in a spawned process, as in Prefect 1; the margin covers
    starting that process on a busy machine)."""

    @task(timeout=1)
    def slow() -> str:
        time.sleep(60)
        return "too late"

    with Flow("timeout") as flow:
        s = slow()
        after = inc(1)
    started = time.monotonic()
    state = flow.run(executor=executor)
    assert isinstance(state.result[s], TimedOut)
    assert state.result[after].result == 2
    assert time.monotonic() - started < 40


def test_triggers_decide_which_downstream_tasks_run(executor: Any) -> None:
    @task
    def boom() -> None:
        raise ValueError("boom")

    @task(trigger=all_failed)
    def on_failure(x: Any) -> str:
        return "handled"

    @task(trigger=always_run)
    def finally_(x: Any) -> str:
        return "always"

    with Flow("triggers") as flow:
        b = boom()
        normal = inc(b)
        handler = on_failure(b)
        last = finally_(b)
    state = flow.run(executor=executor)
    assert isinstance(state.result[b], Failed)
    assert "boom" in state.result[b].message
    assert isinstance(state.result[normal], TriggerFailed)
    assert state.result[handler].result == "handled"
    assert state.result[last].result == "always"


def test_skip_signal_skips_the_task_and_its_downstream(executor: Any) -> None:
    @task
    def maybe(x: int) -> int:
        if x < 0:
            raise signals.SKIP("negative")
        return x

    with Flow("skip") as flow:
        m = maybe.map([1, -1, 2])
        down = inc.map(m)
    state = flow.run(executor=executor)
    assert state.is_successful()
    children = state.result[down].map_states
    assert [type(s) for s in children] == [Success, Skipped, Success]
    assert (children[0].result, children[2].result) == (2, 3)


def test_case_runs_only_the_branch_that_matches(executor: Any) -> None:
    @task
    def is_big(x: int) -> bool:
        return x > 10

    with Flow("case") as flow:
        p = Parameter("p")
        cond = is_big(p)
        with case(cond, True):
            big = add(p, 1000)
        with case(cond, False):
            small = add(p, 1)
    state = flow.run(parameters={"p": 5}, executor=executor)
    assert state.is_successful()
    assert isinstance(state.result[big], Skipped)
    assert state.result[small].result == 6


@resource_manager
class ScratchFile:
    """A resource whose cleanup leaves a trace on disk."""

    def __init__(self, folder: str):
        self.folder = folder

    def setup(self) -> str:
        path = os.path.join(self.folder, "scratch.txt")
        Path(path).write_text("setup\n")
        return path

    def cleanup(self, resource: str) -> None:
        with open(resource, "a") as f:
            f.write("cleanup\n")


def test_resource_manager_sets_up_shares_and_cleans_up_its_resource(
    executor: Any, tmp_path: Path
) -> None:
    @task
    def use(path: str, word: str) -> str:
        with open(path, "a") as f:
            f.write(word + "\n")
        return word

    with Flow("resource") as flow:
        with ScratchFile(str(tmp_path)) as scratch:
            used = use(scratch, "used")
    state = flow.run(executor=executor)
    assert state.is_successful()
    assert state.result[used].result == "used"
    assert (tmp_path / "scratch.txt").read_text().splitlines() == ["setup", "used", "cleanup"]


def test_cache_for_hits_across_two_flow_runs(executor: Any, tmp_path: Path) -> None:
    runs = tmp_path / "runs"

    @task(cache_for=datetime.timedelta(minutes=5))
    def expensive(x: int) -> int:
        bump(runs)
        return x * 2

    with Flow("cache") as flow:
        p = Parameter("p", default=4)
        e = expensive(p)
    first = flow.run(executor=executor)
    second = flow.run(executor=executor)
    assert first.result[e].result == second.result[e].result == 8
    assert isinstance(second.result[e], Cached)
    assert count(runs) == 1
    # the flow runner's process keeps one Cached state for the task
    assert len(prefect_classic.context.caches["expensive"]) == 1


def test_checkpoints_written_on_workers_are_visible_to_the_flow_runner(
    executor: Any, tmp_path: Path
) -> None:
    @task(checkpoint=True, result=LocalResult(dir=str(tmp_path)))
    def square(x: int) -> int:
        return x * x

    with Flow("checkpoint") as flow:
        sq = square.map([2, 3])
    state = flow.run(executor=executor, context={"checkpointing": True})
    for child, expected in zip(state.result[sq].map_states, [4, 9]):
        location = child._result.location
        assert location and tmp_path in Path(location).parents
        assert LocalResult(dir=str(tmp_path)).read(location).value == expected


def test_targets_written_on_workers_make_the_next_run_cached(executor: Any, tmp_path: Path) -> None:
    runs = tmp_path / "runs"

    @task(
        target="{task_name}-{map_index}.out",
        checkpoint=True,
        result=LocalResult(dir=str(tmp_path / "out")),
    )
    def cube(x: int) -> int:
        bump(runs)
        return x**3

    with Flow("targets") as flow:
        c = cube.map([1, 2])
    first = flow.run(executor=executor)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["cube-0.out", "cube-1.out"]
    second = flow.run(executor=executor)
    assert [type(s) for s in second.result[c].map_states] == [Cached, Cached]
    assert second.result[c].result == first.result[c].result == [1, 8]
    assert count(runs) == 2


def test_parameters_and_context_keys_reach_the_task_runs(executor: Any) -> None:
    @task
    def read_context(x: int) -> dict:
        ctx = prefect_classic.context
        keys = (
            "flow_name",
            "flow_run_id",
            "parameters",
            "today",
            "task_run_count",
            "map_index",
            "task_name",
            "checkpointing",
            "custom",
        )
        return {k: ctx.get(k) for k in keys}

    with Flow("context") as flow:
        p = Parameter("p", default=1)
        r = read_context.map([p, p])
    state = flow.run(
        parameters={"p": 2},
        executor=executor,
        context={"custom": "from the caller", "flow_run_id": "run-1"},
    )
    seen = [s.result for s in state.result[r].map_states]
    today = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    for index, values in enumerate(seen):
        assert values == {
            "flow_name": "context",
            "flow_run_id": "run-1",
            "parameters": {"p": 2},
            "today": today,
            "task_run_count": 1,
            "map_index": index,
            "task_name": "read_context",
            "checkpointing": values["checkpointing"],
            "custom": "from the caller",
        }


def test_worker_logs_appear_in_the_flow_runner_output_with_task_names(
    executor: Any, prefect_logs: Any
) -> None:
    @task
    def chatty(x: int) -> int:
        prefect_classic.context.logger.info(f"hello from child {x}, pid {os.getpid()}")
        return x

    with Flow("logs") as flow:
        chatty.map([1, 2])
    assert flow.run(executor=executor).is_successful()
    records = [r for r in prefect_logs.records if "hello from child" in r.getMessage()]
    assert sorted(r.getMessage().split(",")[0] for r in records) == [
        "hello from child 1",
        "hello from child 2",
    ]
    assert {r.name for r in records} == {"prefect.chatty"}
    assert prefect_logs.contains(
        "Task 'chatty[1]': Finished task run for task with final state: 'Success'"
    )
