"""StateSchema: every state class in Prefect 1's JSON shape, results as metadata only."""

import json

import pendulum
import pytest
from marshmallow import ValidationError

from prefect_classic.engine import state as states
from prefect_classic.engine.result.base import NoResult, Result
from prefect_classic.engine.results import LocalResult, PrefectResult, S3Result
from prefect_classic.engine.serializers import JSONSerializer
from prefect_classic.serialization.state import StateSchema, get_safe

# every state class but the base State and the abstract MetaState, which (as in Prefect 1) have
# no schema
ALL_STATE_CLASSES = sorted(
    (c for c in states.State.children() if c is not states.MetaState), key=lambda c: c.__name__
)


def via_json(data):
    return json.loads(json.dumps(data))


def round_trip(state):
    return states.State.deserialize(via_json(state.serialize()))


@pytest.mark.parametrize("cls", ALL_STATE_CLASSES, ids=lambda c: c.__name__)
def test_every_state_class_round_trips_with_its_type_message_and_context(cls):
    original = cls(message="hello", context={"task_run_count": 2, "tags": ["a"]})
    loaded = round_trip(original)
    assert type(loaded) is cls
    assert loaded.message == "hello"
    assert loaded.context == {"task_run_count": 2, "tags": ["a"]}
    assert loaded.serialize() == original.serialize()
    assert original.serialize()["type"] == cls.__name__


@pytest.mark.parametrize("cls", [states.State, states.MetaState], ids=lambda c: c.__name__)
def test_the_base_and_meta_state_classes_are_not_serializable(cls):
    with pytest.raises(ValidationError, match=cls.__name__):
        cls("x").serialize()


def test_dump_has_prefect1_keys_and_version():
    data = states.Success("done").serialize()
    assert data["type"] == "Success"
    assert data["message"] == "done"
    assert data["_result"]["type"] == "NoResultType"
    assert {"context", "cached_inputs", "__version__"} <= set(data)


def test_result_with_location_is_written_as_metadata_never_the_value(tmp_path):
    result = LocalResult(dir=str(tmp_path), location="out.bin", value="top-secret-value")
    data = states.Success(result=result).serialize()
    assert "top-secret-value" not in json.dumps(data)
    assert data["_result"]["type"] == "LocalResult"
    assert data["_result"]["location"] == "out.bin"
    assert data["_result"]["dir"] == str(tmp_path)
    assert data["_result"]["serializer"]["type"] == "PickleSerializer"


def test_result_without_location_is_written_as_its_type_never_its_value():
    data = states.Success(result=S3Result(bucket="b", value=[1, 2, 3])).serialize()
    assert (data["_result"]["type"], data["_result"]["bucket"], data["_result"]["location"]) == (
        "S3Result",
        "b",
        None,
    )
    assert "value" not in data["_result"]
    raw = states.Success(result={"password": "hunter2"}).serialize()
    assert raw["_result"]["type"] == "Result"
    assert "hunter2" not in json.dumps(raw)


def test_prefect_result_value_is_written_as_json_location_and_read_back():
    data = states.Success(result=PrefectResult(value={"a": [1, 2]})).serialize()
    assert data["_result"]["type"] == "PrefectResult"
    assert json.loads(data["_result"]["location"]) == {"a": [1, 2]}
    loaded = states.State.deserialize(via_json(data))
    assert loaded.result is None
    assert loaded.load_result().result == {"a": [1, 2]}


def test_loaded_local_result_has_location_and_no_value_and_reads_the_file(tmp_path):
    written = LocalResult(dir=str(tmp_path), location="v.pkl").write(41)
    loaded = round_trip(states.Success(result=written))
    assert isinstance(loaded._result, LocalResult)
    assert loaded._result.location == written.location
    assert loaded._result.value is None
    assert loaded.load_result().result == 41


def test_get_safe_picks_the_states_result_for_its_metadata():
    located = LocalResult(dir="/nowhere", validate_dir=False, location="x")
    assert get_safe(states.Success(result=located), {"attr": "_result"}) is located
    plain = states.Success(result=5)
    assert get_safe(plain, {"attr": "_result"}) is plain._result
    assert get_safe(states.Success(), {"attr": "cached_inputs", "value": {"k": 1}}) == {"k": 1}


def test_cached_inputs_keep_readable_results_and_drop_the_rest():
    retrying = states.Retrying(
        cached_inputs={
            "x": PrefectResult(value=3),
            "y": LocalResult(dir="/d", validate_dir=False, location="y.pkl"),
            "z": Result(value="not stored anywhere"),
        }
    )
    data = retrying.serialize()
    assert set(data["cached_inputs"]) == {"x", "y"}
    assert "not stored anywhere" not in json.dumps(data)
    loaded = states.State.deserialize(via_json(data))
    assert loaded.cached_inputs["y"].location == "y.pkl"
    x = loaded.cached_inputs["x"]
    assert x.value is None
    assert x.read(x.location).value == 3


def test_scheduled_fields_round_trip_as_instants_even_in_a_repeated_dst_hour():
    start = pendulum.datetime(2021, 11, 7, 1, 30, tz="America/New_York")  # 1:30 happens twice
    loaded = round_trip(states.Retrying(start_time=start, run_count=3))
    assert loaded.start_time.timestamp() == start.timestamp()
    assert loaded.run_count == 3
    assert loaded.start_time.timezone_name == "UTC"


def test_looped_cached_and_queued_fields_round_trip():
    looped = round_trip(states.Looped(loop_count=4))
    assert looped.loop_count == 4
    expires = pendulum.datetime(2030, 1, 1, 12, tz="UTC")
    cached = round_trip(
        states.Cached(
            cached_parameters={"p": 1}, cached_result_expiration=expires, hashed_inputs={"x": "abc"}
        )
    )
    assert (cached.cached_parameters, cached.cached_result_expiration, cached.hashed_inputs) == (
        {"p": 1},
        expires,
        {"x": "abc"},
    )
    queued = round_trip(states.Queued(state=states.Running("inner"), start_time=expires))
    assert isinstance(queued.state, states.Running) and queued.state.message == "inner"
    assert queued.start_time == expires


def test_mapped_writes_the_number_of_children_and_loads_them_unknown():
    inner = states.Mapped(map_states=[states.Success("a"), states.Failed("b")])
    outer = states.Mapped(message="m", map_states=[inner, None, states.Skipped("c")])
    data = outer.serialize()
    assert (data["type"], data["n_map_states"]) == ("Mapped", 3)
    assert "map_states" not in data and "_result" not in data
    loaded = round_trip(outer)
    assert (loaded.message, loaded.n_map_states, loaded.map_states) == ("m", 3, [None, None, None])
    assert loaded._result is NoResult
    assert states.Mapped(n_map_states=20).serialize()["n_map_states"] == 20


def test_exception_messages_are_written_as_text():
    data = states.Failed(message=ValueError("boom")).serialize()
    assert data["message"] == "boom"


# --- Prefect 1 fixtures (written from the documented JSON shape) ---------------------------

PREFECT1_SUCCESS = """
{"type": "Success", "message": "Task run succeeded.", "context": {"tags": []},
 "cached_inputs": {},
 "_result": {"type": "LocalResult", "location": "2021/3/4/abc.prefect_result",
             "dir": "/home/user/.prefect/results", "__version__": "1.4.1"},
 "__version__": "1.4.1"}
"""

PREFECT1_RETRYING = """
{"type": "Retrying", "message": "Retrying Task (after attempt 1 of 3)", "context": {},
 "cached_inputs": {"x": {"type": "PrefectResult", "location": "42", "__version__": "1.4.1"}},
 "_result": {"type": "NoResultType", "__version__": "1.4.1"},
 "start_time": "2021-03-04T12:00:05.123456+00:00", "run_count": 1, "__version__": "1.4.1"}
"""

PREFECT1_MAPPED = """
{"type": "Mapped", "message": "Ready to proceed with mapping.", "context": {},
 "cached_inputs": {}, "n_map_states": 3, "__version__": "1.4.1"}
"""

PREFECT1_CACHED = """
{"type": "Cached", "message": null, "context": {}, "cached_inputs": {},
 "_result": {"type": "S3Result", "bucket": "my-bucket", "location": "a/b.pkl", "__version__": "0.15.13"},
 "cached_parameters": {"n": 3}, "cached_result_expiration": "2021-03-05T00:00:00+00:00",
 "__version__": "0.15.13"}
"""


def test_prefect1_success_with_local_result_loads():
    loaded = states.State.deserialize(json.loads(PREFECT1_SUCCESS))
    assert type(loaded) is states.Success
    assert loaded.message == "Task run succeeded."
    assert isinstance(loaded._result, LocalResult)
    assert loaded._result.dir == "/home/user/.prefect/results"
    assert loaded._result.location == "2021/3/4/abc.prefect_result"


def test_prefect1_retrying_with_start_time_and_run_count_loads():
    loaded = states.State.deserialize(json.loads(PREFECT1_RETRYING))
    assert type(loaded) is states.Retrying
    assert loaded.start_time == pendulum.datetime(2021, 3, 4, 12, 0, 5, 123456, tz="UTC")
    assert loaded.run_count == 1
    assert loaded._result is NoResult
    assert isinstance(loaded.cached_inputs["x"], PrefectResult)
    assert isinstance(loaded.cached_inputs["x"].serializer, JSONSerializer)


def test_prefect1_mapped_with_only_a_count_loads_with_unknown_children():
    loaded = states.State.deserialize(json.loads(PREFECT1_MAPPED))
    assert type(loaded) is states.Mapped
    assert loaded.map_states == [None, None, None]
    assert loaded.n_map_states == 3


def test_prefect1_cached_state_with_s3_result_loads():
    loaded = states.State.deserialize(json.loads(PREFECT1_CACHED))
    assert isinstance(loaded._result, S3Result)
    assert (loaded._result.bucket, loaded._result.location) == ("my-bucket", "a/b.pkl")
    assert loaded.cached_parameters == {"n": 3}
    assert loaded.cached_result_expiration == pendulum.datetime(2021, 3, 5, tz="UTC")


# --- errors -------------------------------------------------------------------------------


def test_unknown_state_type_is_a_validation_error_naming_it():
    with pytest.raises(ValidationError, match="Bogus"):
        StateSchema().load({"type": "Bogus", "message": "x"})


def test_missing_state_type_is_a_validation_error():
    with pytest.raises(ValidationError, match="type"):
        StateSchema().load({"message": "x"})


@pytest.mark.parametrize("version", ["1.5.0", "2.0", "99.1.1"])
def test_newer_version_is_a_validation_error(version):
    data = json.loads(PREFECT1_SUCCESS)
    data["__version__"] = version
    with pytest.raises(ValidationError, match="newer"):
        states.State.deserialize(data)


def test_newer_version_in_a_nested_result_is_a_validation_error():
    data = json.loads(PREFECT1_SUCCESS)
    data["_result"]["__version__"] = "3.0.0"
    with pytest.raises(ValidationError, match="newer"):
        states.State.deserialize(data)


def test_an_unknown_result_type_loads_as_a_base_result_with_its_location():
    data = json.loads(PREFECT1_SUCCESS)
    data["_result"]["type"] = "SafeResult"  # written by Prefect < 0.11
    loaded = states.State.deserialize(data)
    assert type(loaded._result) is Result
    assert loaded._result.location == "2021/3/4/abc.prefect_result"


def test_bad_field_values_are_validation_errors():
    with pytest.raises(ValidationError):
        states.State.deserialize({"type": "Retrying", "run_count": "many"})
    with pytest.raises(ValidationError):
        states.State.deserialize({"type": "Scheduled", "start_time": "not a date"})
    with pytest.raises(ValidationError, match="n_map_states"):
        states.State.deserialize({"type": "Mapped", "n_map_states": "x"})
    with pytest.raises(ValidationError):
        states.State.deserialize({"type": "Success", "context": "not a dict"})


def test_a_custom_state_subclass_cannot_be_serialized():
    class MyState(states.Success):
        pass

    with pytest.raises(ValidationError, match="MyState"):
        MyState().serialize()
