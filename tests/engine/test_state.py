"""The State hierarchy: classes, predicates, repr, equality and result loading."""

import datetime

import pendulum
import pytest

from prefect_classic import context
from prefect_classic.engine import state as st
from prefect_classic.engine.result.base import NoResult, Result
from prefect_classic.engine.results import LocalResult
from prefect_classic.engine.state import (
    Cached,
    Cancelled,
    Cancelling,
    ClientFailed,
    Failed,
    Finished,
    Looped,
    Mapped,
    MetaState,
    Paused,
    Pending,
    Queued,
    Resume,
    Retrying,
    Running,
    Scheduled,
    Skipped,
    State,
    Submitted,
    Success,
    TimedOut,
    TriggerFailed,
    ValidationFailed,
    _MetaState,
)

ALL_STATES = [
    State,
    Pending,
    Scheduled,
    Paused,
    Resume,
    Retrying,
    Submitted,
    Queued,
    ClientFailed,
    MetaState,
    Running,
    Cancelling,
    Finished,
    Success,
    Cached,
    Mapped,
    Looped,
    Failed,
    TimedOut,
    TriggerFailed,
    ValidationFailed,
    Skipped,
    Cancelled,
]

PARENT = {
    Pending: State,
    Scheduled: Pending,
    Paused: Scheduled,
    Resume: Scheduled,
    Retrying: Scheduled,
    Submitted: MetaState,
    MetaState: State,
    Queued: MetaState,
    ClientFailed: MetaState,
    Running: State,
    Cancelling: Running,
    Finished: State,
    Success: Finished,
    Cached: Success,
    Mapped: Success,
    Skipped: Success,
    Looped: Finished,
    Failed: Finished,
    Cancelled: Finished,
    TimedOut: Failed,
    TriggerFailed: Failed,
    ValidationFailed: Failed,
}


def test_every_state_is_exported():
    assert {getattr(st, name) for name in st.__all__} == set(ALL_STATES)


def test_meta_state_base_is_private_with_a_public_alias():
    # Prefect 1 calls the base `_MetaState`, and hides it from `State.children()`
    assert MetaState is _MetaState
    assert "_MetaState" not in State.children(names_only=True)
    assert "MetaState" not in State.children(names_only=True)


@pytest.mark.parametrize("cls, parent", PARENT.items(), ids=lambda c: getattr(c, "__name__", ""))
def test_hierarchy_matches_prefect1(cls, parent):
    assert cls.__bases__ == (parent,)


@pytest.mark.parametrize("cls", ALL_STATES, ids=lambda c: c.__name__)
def test_defaults_and_colors(cls):
    s = cls()
    assert s.message is None
    assert s.result is None and s._result is NoResult
    assert s.context == {} and s.cached_inputs == {}
    assert isinstance(cls.color, str) and cls.color.startswith("#")


PREDICATES = {
    "is_pending": Pending,
    "is_scheduled": (Scheduled, Queued),
    "is_retrying": Retrying,
    "is_submitted": Submitted,
    "is_queued": Queued,
    "is_running": Running,
    "is_finished": Finished,
    "is_successful": Success,
    "is_cached": Cached,
    "is_mapped": Mapped,
    "is_skipped": Skipped,
    "is_looped": Looped,
    "is_failed": Failed,
    "is_meta_state": MetaState,
}


@pytest.mark.parametrize("predicate, owner", PREDICATES.items())
@pytest.mark.parametrize("cls", ALL_STATES, ids=lambda c: c.__name__)
def test_predicates_follow_the_class_tree(cls, predicate, owner):
    assert getattr(cls(), predicate)() is issubclass(cls, owner)


def test_the_predicates_are_exactly_prefect1s():
    # Prefect 1 has no is_paused()/is_cancelling(): code that walks every is_* method of a state
    # (as Prefect 1's own tests do) must see only these
    assert {name for name in dir(State) if name.startswith("is_")} == set(PREDICATES)


def test_notable_predicate_consequences():
    assert Skipped().is_successful() and Skipped().is_finished()
    assert Mapped().is_successful() and Cached().is_successful()
    assert TriggerFailed().is_failed() and not TriggerFailed().is_successful()
    assert Retrying().is_pending() and Retrying().is_scheduled() and not Retrying().is_failed()
    assert not Looped().is_successful() and Looped().is_finished()
    assert not Cancelled().is_failed()


def test_repr_shows_class_and_message():
    assert repr(Success("all good")) == '<Success: "all good">'
    assert repr(Failed()) == "<Failed>"
    assert repr(TriggerFailed(message=ValueError("x"))) == '<TriggerFailed: "x">'


def test_result_property_wraps_values_in_a_result():
    s = Success(result=5)
    assert s.result == 5 and isinstance(s._result, Result) and s._result.value == 5
    r = Result(value=3, location="loc")
    s2 = Success(result=r)
    assert s2._result is r and s2.result == 3
    s2.result = 7
    assert s2.result == 7


class TestEquality:
    def test_same_type_and_data_are_equal(self):
        assert State() == State()
        assert Success(result=1) == Success(result=1)
        assert Pending(cached_inputs={"x": 1}) == Pending(cached_inputs={"x": 1})

    def test_different_types_are_not_equal(self):
        assert State() != Success()
        assert Success() != Cached()

    def test_results_and_cached_inputs_matter(self):
        assert Success(result=1) != Success(result=2)
        assert Pending(cached_inputs={"x": 1}) != Pending(cached_inputs={"x": 2})
        assert Pending(cached_inputs={"x": 1}) != Pending(cached_inputs={"y": 1})

    def test_message_and_context_are_ignored(self):
        assert State(result=1, message="x") == State(result=1, message="y")
        a, b = State(result=1), State(result=1)
        a.context["key"] = "value"
        assert a == b

    def test_nested_states_compare_by_value(self):
        assert State(result=Success(result=1)) == State(result=Success(result=1))
        assert State(result=Success(result=1)) != State(result=Success(result=2))

    def test_subclass_attributes_matter(self):
        t = pendulum.now("utc")
        assert Scheduled(start_time=t) == Scheduled(start_time=t)
        assert Scheduled(start_time=t) != Scheduled(start_time=t.add(seconds=1))
        assert Looped(loop_count=1) != Looped(loop_count=2)

    def test_states_are_hashable_even_with_mutable_data(self):
        assert len({State(result=[1]), Pending(cached_inputs={"a": 1}), Success()}) == 3


class TestScheduled:
    def test_start_time_defaults_to_now_utc(self):
        before = pendulum.now("utc")
        s = Scheduled()
        assert before <= s.start_time <= pendulum.now("utc")
        assert s.start_time.timezone_name == "UTC"

    def test_start_time_is_kept_and_made_pendulum(self):
        dt = datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
        s = Scheduled(start_time=dt)
        assert isinstance(s.start_time, pendulum.DateTime) and s.start_time == dt

    def test_paused_has_no_start_time_unless_given(self):
        assert Paused().start_time is None
        later = pendulum.now("utc").add(hours=1)
        assert Paused(start_time=later).start_time == later

    def test_scheduled_states_keep_the_task_run_count_of_the_run_they_were_made_in(self):
        with context(task_run_count=3):
            assert Scheduled().context == {"task_run_count": 3}
            assert Retrying().context["task_run_count"] == 3
            assert Success().context == {}

    def test_queued_has_a_start_time_and_wraps_a_state(self):
        inner = Running()
        q = Queued(state=inner)
        assert q.state is inner and q.start_time is not None


class TestRetrying:
    def test_run_count_defaults_to_one(self):
        assert Retrying().run_count == 1

    def test_run_count_defaults_from_context(self):
        with context(task_run_count=4):
            assert Retrying().run_count == 4

    def test_explicit_run_count_wins(self):
        with context(task_run_count=4):
            assert Retrying(run_count=2).run_count == 2


def test_cached_fields():
    exp = pendulum.now("utc").add(hours=1)
    c = Cached(
        result=3,
        cached_inputs={"x": Result(1)},
        cached_parameters={"p": 2},
        cached_result_expiration=exp,
        hashed_inputs={"x": "abc"},
    )
    assert c.result == 3
    assert c.cached_inputs == {"x": Result(1)}
    assert c.cached_parameters == {"p": 2}
    assert c.cached_result_expiration == exp
    assert c.hashed_inputs == {"x": "abc"}
    assert Cached().cached_result_expiration is None and Cached().cached_parameters is None


def test_mapped_map_states_and_count():
    children = [Success(result=1), Failed()]
    m = Mapped(map_states=children)
    assert m.map_states is children and m.n_map_states == 2
    assert Mapped().map_states == [] and Mapped().n_map_states == 0
    explicit = Mapped(n_map_states=5)
    assert explicit.n_map_states == 5
    explicit.n_map_states = 1
    assert explicit.n_map_states == 1


def test_meta_states_wrap_a_state():
    inner = Retrying()
    assert Submitted(state=inner).state is inner
    assert ClientFailed(state=inner).state is inner and ClientFailed().is_meta_state()


def test_children_and_parents():
    assert set(Failed.children()) == {TimedOut, TriggerFailed, ValidationFailed}
    assert "Failed" in Failed.children(include_self=True, names_only=True)
    assert Cached.parents(names_only=True) == ["Success", "Finished", "State"]
    assert Cached.parents(include_self=True)[-1] is Cached
    assert Success.children(include_self=True)[-1] is Success


class TestLoadResult:
    def test_load_result_reads_from_a_local_result_location(self, tmp_path):
        written = LocalResult(dir=str(tmp_path), location="value.pkl").write({"a": 1})
        state = Success(result=LocalResult(dir=str(tmp_path), location=written.location))
        assert state.result is None
        assert state.load_result() is state
        assert state.result == {"a": 1}

    def test_load_result_with_an_explicit_reader(self, tmp_path):
        LocalResult(dir=str(tmp_path), location="v.pkl").write(42)
        state = Success(result=Result(location="v.pkl"))
        state.load_result(LocalResult(dir=str(tmp_path)))
        assert state.result == 42

    def test_load_result_without_a_reader_raises(self):
        # a base Result stores nothing, so it cannot read a location
        with pytest.raises(NotImplementedError):
            Success(result=Result(location="somewhere")).load_result()

    def test_load_result_leaves_values_alone(self, tmp_path):
        state = Success(result=LocalResult(dir=str(tmp_path), location="missing.pkl"))
        state._result.value = "already here"
        assert state.load_result().result == "already here"

    def test_load_cached_results(self, tmp_path):
        LocalResult(dir=str(tmp_path), location="x.pkl").write(10)
        LocalResult(dir=str(tmp_path), location="y.pkl").write(20)
        state = Pending(
            cached_inputs={
                "x": LocalResult(dir=str(tmp_path), location="x.pkl"),
                "y": Result(location="y.pkl"),
                "z": Result(value=3),
            }
        )
        state.load_cached_results({"y": LocalResult(dir=str(tmp_path))})
        assert {k: v.value for k, v in state.cached_inputs.items()} == {"x": 10, "y": 20, "z": 3}


class TestPrefect1Details:
    def test_states_made_inside_a_task_run_carry_its_tags(self):
        with context(task_tags={"etl"}):
            assert Success().context == {"tags": ["etl"]}
            assert Success(context={"tags": ["mine"]}).context == {"tags": ["mine"]}

    def test_meta_states_never_nest(self):
        state = Queued(state=Pending())
        for _ in range(50):
            state = Submitted(state=Queued(state=state))
        assert type(state.state) is Pending

    def test_an_unpicklable_exception_result_travels_as_its_repr(self):
        import threading

        import cloudpickle

        class Unpicklable(Exception):
            def __init__(self):
                super().__init__("holds a lock")
                self.lock = threading.RLock()

        state = Failed(result=Unpicklable())
        copy = cloudpickle.loads(cloudpickle.dumps(state))
        assert isinstance(copy.result, str) and "could not be pickled" in copy.result
        assert isinstance(state.result, Unpicklable)  # the original is untouched

    def test_an_unpicklable_plain_result_still_fails_to_pickle(self):
        import threading

        import cloudpickle

        with pytest.raises(TypeError):
            cloudpickle.dumps(Success(result=threading.RLock()))

    def test_a_mapped_state_loads_its_children(self, tmp_path):
        LocalResult(dir=str(tmp_path), location="c.pkl").write("child")
        child = Success(result=Result(location="c.pkl"))
        parent = Mapped(map_states=[None, child])
        parent.load_result(LocalResult(dir=str(tmp_path)))
        assert parent.result == [None, "child"]

    def test_none_as_result_means_no_result(self):
        assert Success(result=None)._result is NoResult
        assert Success(result=Result(None))._result is not NoResult


def test_a_state_subclass_with_its_own_result_property_gets_the_constructor_s_result():
    class Doubled(Success):
        @property
        def result(self):
            return self._kept

        @result.setter
        def result(self, value):
            self._kept = "twice" if value is NoResult else value * 2

    assert Doubled(result=21).result == 42
    assert Doubled().result == "twice"


def test_states_keep_a_given_result_object_and_wrap_a_plain_value():
    kept = Result(value=3)
    assert Success(result=kept)._result is kept
    wrapped = Success(result=4)._result
    assert type(wrapped) is Result and wrapped.value == 4
    assert Pending()._result is NoResult
