"""Triggers: decide from upstream states whether a task runs, with Prefect 1's messages."""

import pytest

from prefect_classic import context, triggers
from prefect_classic.core.edge import Edge
from prefect_classic.core.task import Task
from prefect_classic.engine import signals
from prefect_classic.engine.state import (
    Cached,
    Failed,
    Mapped,
    Paused,
    Pending,
    Retrying,
    Running,
    Skipped,
    Success,
    TimedOut,
    TriggerFailed,
)


def upstream(*states):
    """Upstream states keyed by distinct edges, as the task runner passes them."""
    return {Edge(Task(), Task()): s for s in states}


ALL_SUCCESSFUL = [Success(), Cached(), Skipped(), Mapped(map_states=[Success()])]


class TestAllSuccessful:
    def test_accepts_successes_including_skips_and_caches(self):
        assert triggers.all_successful(upstream(*ALL_SUCCESSFUL)) is True

    def test_accepts_no_upstream(self):
        assert triggers.all_successful({}) is True

    @pytest.mark.parametrize("bad", [Failed(), TriggerFailed(), TimedOut(), Pending(), Running()])
    def test_rejects_anything_else(self, bad):
        with pytest.raises(
            signals.TRIGGERFAIL,
            match='Trigger was "all_successful" but some of the upstream tasks failed.',
        ):
            triggers.all_successful(upstream(Success(), bad))


class TestAllFinished:
    def test_accepts_any_finished_mix(self):
        assert triggers.all_finished(upstream(Success(), Failed(), Skipped(), TriggerFailed()))

    def test_rejects_unfinished(self):
        with pytest.raises(
            signals.TRIGGERFAIL,
            match='"all_finished" but some of the upstream tasks were not finished',
        ):
            triggers.all_finished(upstream(Success(), Retrying()))

    def test_always_run_is_all_finished(self):
        assert triggers.always_run is triggers.all_finished


class TestAllFailed:
    def test_accepts_all_failures(self):
        assert triggers.all_failed(upstream(Failed(), TimedOut(), TriggerFailed()))

    def test_rejects_a_success(self):
        with pytest.raises(
            signals.TRIGGERFAIL, match='"all_failed" but some of the upstream tasks succeeded'
        ):
            triggers.all_failed(upstream(Failed(), Success()))

    def test_skips_count_as_successes(self):
        with pytest.raises(signals.TRIGGERFAIL):
            triggers.all_failed(upstream(Failed(), Skipped()))


class TestAny:
    def test_any_successful(self):
        assert triggers.any_successful(upstream(Failed(), Success()))
        assert triggers.any_successful({})
        with pytest.raises(
            signals.TRIGGERFAIL, match='"any_successful" but none of the upstream tasks succeeded'
        ):
            triggers.any_successful(upstream(Failed(), TriggerFailed()))

    def test_any_failed(self):
        assert triggers.any_failed(upstream(Failed(), Success()))
        assert triggers.any_failed({})
        with pytest.raises(
            signals.TRIGGERFAIL, match='"any_failed" but none of the upstream tasks failed'
        ):
            triggers.any_failed(upstream(Success(), Skipped()))


class TestManualOnly:
    def test_pauses_unless_resumed(self):
        with pytest.raises(signals.PAUSE, match='Trigger function is "manual_only"') as info:
            triggers.manual_only(upstream(Success()))
        assert isinstance(info.value.state, Paused)

    def test_runs_when_resumed(self):
        with context(resume=True):
            assert triggers.manual_only(upstream(Success())) is True


class TestNotAllSkipped:
    def test_accepts_when_some_ran(self):
        assert triggers.not_all_skipped(upstream(Skipped(), Success()))

    def test_skips_when_every_upstream_skipped(self):
        with pytest.raises(signals.SKIP, match="All upstreams were skipped") as info:
            triggers.not_all_skipped(upstream(Skipped(), Skipped()))
        assert info.value.state.is_skipped() and info.value.state.result is None

    def test_fails_when_an_upstream_failed(self):
        with pytest.raises(
            signals.TRIGGERFAIL, match='"not_all_skipped" but some of the upstream tasks failed'
        ):
            triggers.not_all_skipped(upstream(Skipped(), Failed()))

    def test_skips_when_there_is_no_upstream_at_all(self):
        with pytest.raises(signals.SKIP, match="All upstreams were skipped"):
            triggers.not_all_skipped({})


class TestDistinctStates:
    def test_one_state_reached_through_two_edges_counts_once(self):
        """A task bound to one upstream task twice (x=t, y=t) sees that state once."""
        up, down, failed = Task(), Task(), Failed()
        states = {
            Edge(up, down, key="x"): failed,
            Edge(up, down, key="y"): failed,
            Edge(Task(), down): Success(),
        }
        assert triggers.some_failed(at_most=1)(states)
        with pytest.raises(signals.TRIGGERFAIL, match="1 of 2 upstream tasks were failed"):
            triggers.some_failed(at_least=2)(states)


class TestMappedUpstreams:
    def test_mapped_children_are_flattened(self):
        mixed = Mapped(map_states=[Success(), Failed()])
        with pytest.raises(signals.TRIGGERFAIL):
            triggers.all_successful(upstream(mixed))
        assert triggers.any_failed(upstream(mixed))
        assert triggers.any_successful(upstream(mixed))

    def test_mapped_without_children_counts_as_itself(self):
        assert triggers.all_successful(upstream(Mapped()))

    def test_children_count_individually(self):
        trig = triggers.some_successful(at_least=3)
        assert trig(upstream(Mapped(map_states=[Success(), Success()]), Success()))
        with pytest.raises(signals.TRIGGERFAIL):
            trig(upstream(Mapped(map_states=[Success(), Failed()]), Success()))


class TestSomeSuccessful:
    def test_counts(self):
        states = upstream(Success(), Success(), Failed(), Failed())
        assert triggers.some_successful(at_least=2)(states)
        assert triggers.some_successful(at_most=2)(states)
        assert triggers.some_successful(at_least=1, at_most=3)(states)
        with pytest.raises(
            signals.TRIGGERFAIL,
            match=r'"some_successful" but thresholds were not met \(2 of 4 upstream tasks were successful',
        ):
            triggers.some_successful(at_least=3)(states)
        with pytest.raises(signals.TRIGGERFAIL, match="wanted at least None, at most 1"):
            triggers.some_successful(at_most=1)(states)

    def test_fractions_scale_with_the_upstream_count(self):
        states = upstream(Success(), Success(), Success(), Failed())
        assert triggers.some_successful(at_least=0.75)(states)
        assert triggers.some_successful(at_least=0.5, at_most=0.99)(states)
        # 1 and above are counts, even as floats
        with pytest.raises(signals.TRIGGERFAIL):
            triggers.some_successful(at_most=1.0)(states)
        with pytest.raises(signals.TRIGGERFAIL):
            triggers.some_successful(at_least=0.9)(states)
        with pytest.raises(signals.TRIGGERFAIL):
            triggers.some_successful(at_most=0.5)(states)

    def test_no_bounds_always_passes(self):
        assert triggers.some_successful()(upstream(Failed()))

    def test_trigger_is_named(self):
        assert triggers.some_successful().__name__ == "some_successful"
        assert triggers.some_failed().__qualname__ == "some_failed.<locals>._some_failed"

    def test_no_upstream_tasks_always_passes(self):
        assert triggers.some_successful(at_least=3)({})
        assert triggers.some_failed(at_least=3)({})


class TestSomeFailed:
    def test_counts_and_fractions(self):
        states = upstream(Failed(), TimedOut(), Success(), Skipped())
        assert triggers.some_failed(at_least=2)(states)
        assert triggers.some_failed(at_least=0.5, at_most=0.5)(states)
        with pytest.raises(signals.TRIGGERFAIL, match="2 of 4 upstream tasks were failed"):
            triggers.some_failed(at_most=1)(states)
        with pytest.raises(signals.TRIGGERFAIL):
            triggers.some_failed(at_least=0.75)(states)


def test_every_trigger_is_exported():
    assert set(triggers.__all__) == {
        "all_failed",
        "all_finished",
        "all_successful",
        "always_run",
        "any_failed",
        "any_successful",
        "manual_only",
        "not_all_skipped",
        "some_failed",
        "some_successful",
    }
