"""prefect_classic.utilities.executors: timeouts, heartbeats, tail recursion and the upstream
states of mapped children."""

import signal
import sys
import threading
import time

import cloudpickle
import pytest

import prefect_classic
from prefect_classic import Task, context
from prefect_classic.core.edge import Edge
from prefect_classic.engine.result.base import Result
from prefect_classic.engine.runner import Runner
from prefect_classic.engine.state import Failed, Mapped, Pending, Success
from prefect_classic.exceptions import TaskTimeoutSignal
from prefect_classic.executors import LocalExecutor
from prefect_classic.utilities.executors import (
    RecursiveCall,
    flatten_upstream_state,
    prepare_upstream_states_for_mapping,
    run_task_with_timeout,
    run_with_heartbeat,
    run_with_multiprocess_timeout,
    run_with_thread_timeout,
    tail_recursive,
)

# the spawned processes get this module's functions by value: with `--import-mode=importlib`
# and an installed (not editable) package, `tests` is not importable there
cloudpickle.register_pickle_by_value(sys.modules[__name__])


def _sleep_then(seconds, value):
    time.sleep(seconds)
    return value


def _fail():
    raise KeyError("from the child")


def _context_value():
    # (through the module: the context object itself refuses to be pickled)
    return prefect_classic.context.get("shipped")


class TestTimeouts:
    def test_the_alarm_interrupts_a_call_in_the_main_thread(self):
        started = time.monotonic()
        with pytest.raises(TaskTimeoutSignal):
            run_with_thread_timeout(threading.Event().wait, args=(30,), timeout=0.5)
        assert time.monotonic() - started < 10

    def test_a_call_within_its_time_returns_and_an_earlier_timer_is_given_back(self):
        fired = []
        previous = signal.signal(signal.SIGALRM, lambda *a: fired.append(True))
        try:
            signal.setitimer(signal.ITIMER_REAL, 60)
            assert run_with_thread_timeout(_sleep_then, args=(0, "done"), timeout=5) == "done"
            remaining, _ = signal.getitimer(signal.ITIMER_REAL)
            assert 50 < remaining <= 60
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        assert not fired

    def test_outside_the_main_thread_the_alarm_cannot_be_used(self):
        errors = []

        def call():
            try:
                run_with_thread_timeout(_sleep_then, args=(0, 1), timeout=1)
            except ValueError as exc:
                errors.append(exc)

        worker = threading.Thread(target=call)
        worker.start()
        worker.join()
        assert errors

    def test_a_spawned_process_returns_the_value_and_sees_the_context(self):
        with context(shipped="here"):
            assert run_with_multiprocess_timeout(_context_value, timeout=120) == "here"

    def test_a_spawned_process_past_its_time_is_stopped(self):
        with pytest.raises(TaskTimeoutSignal):
            run_with_multiprocess_timeout(_sleep_then, args=(60, 1), timeout=1)

    def test_an_error_in_the_spawned_process_is_raised_here(self):
        with pytest.raises(KeyError, match="from the child"):
            run_with_multiprocess_timeout(_fail, timeout=120)

    def test_a_task_without_timeout_runs_directly(self):
        class Add(Task):
            def run(self, x):
                return x + 1

        assert run_task_with_timeout(Add(), kwargs={"x": 1}) == 2


def test_a_failing_heartbeat_never_stops_the_run():
    class Runs(Runner):
        def _heartbeat(self):
            raise SyntaxError("misconfigured")

        @run_with_heartbeat
        def run(self):
            return Success()

    assert Runs().run().is_successful()


class TestTailRecursion:
    def test_recursive_calls_do_not_grow_the_stack(self):
        @tail_recursive
        def count_down(n):
            if n:
                raise RecursiveCall(count_down, n - 1)
            return "done"

        assert count_down(10_000) == "done"

    def test_a_call_to_a_plain_function_is_refused(self):
        def plain(n):
            return n

        @tail_recursive
        def bad(n):
            raise RecursiveCall(plain, n)

        with pytest.raises(RecursionError):
            bad(1)


class TestMappingHelpers:
    def test_each_child_gets_its_item_and_the_shared_upstream_states(self):
        items, shared = Edge(Task(), Task(), key="x", mapped=True), Edge(Task(), Task(), key="y")
        upstream = {items: Success(result=[1, 2, 3]), shared: Success(result="same")}
        children = prepare_upstream_states_for_mapping(
            Mapped(n_map_states=3), upstream, {}, LocalExecutor()
        )
        assert [c[items].result for c in children] == [1, 2, 3]
        assert all(c[shared] is upstream[shared] for c in children)
        assert all(type(c[items]) is Success for c in children)

    def test_the_shortest_mapped_input_wins_and_mapped_tasks_give_their_children(self):
        over_task = Task()
        from_task = Edge(over_task, Task(), key="x", mapped=True)
        from_list = Edge(Task(), Task(), key="y", mapped=True)
        grandchildren = [Success(result="a"), Success(result="b")]
        upstream = {from_task: Mapped(n_map_states=2), from_list: Success(result=[1, 2, 3])}
        children = prepare_upstream_states_for_mapping(
            Mapped(), upstream, {over_task: grandchildren}
        )
        assert len(children) == 2 and children[1][from_task] is grandchildren[1]

    @pytest.mark.parametrize("parent", [Pending(), Failed()])
    def test_a_parent_that_did_not_map_gets_no_children(self, parent):
        upstream = {Edge(Task(), Task(), key="x", mapped=True): Success(result=[1, 2])}
        assert prepare_upstream_states_for_mapping(parent, upstream, {}) == []

    def test_a_rerun_without_the_upstream_data_keeps_one_child_per_known_state(self):
        e = Edge(Task(), Task(), key="x", mapped=True)
        rerun = Mapped(map_states=[None, None])
        children = prepare_upstream_states_for_mapping(rerun, {e: Success()}, {})
        assert len(children) == 2

    def test_flattening_an_upstream_state(self):
        flat = flatten_upstream_state(Success(result=Result([[1], [2, 3]])))
        assert flat.result == [1, 2, 3]
        not_nested = Success(result=5)
        assert flatten_upstream_state(not_nested) is not_nested
