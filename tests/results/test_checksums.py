"""Every value a storage Result writes carries a checksum that is checked on read: damage is
reported as `ResultCorruptError` (and a task whose target is damaged runs again), never served.
What we write stays readable by Prefect 1, whose readers call the serializer's plain
`deserialize` on the file's bytes; what Prefect 1 wrote (no checksum) stays readable by us."""

import json
import logging
import os
import pickle
from pathlib import Path

import cloudpickle
import pendulum
import pytest

from prefect_classic import Flow, task
from prefect_classic.engine.result import checksum
from prefect_classic.engine.result.base import Result, ResultCorruptError
from prefect_classic.engine.results import LocalResult
from prefect_classic.engine.results.local_result import checksum_path
from prefect_classic.engine.serializers import (
    CompressedSerializer,
    DateTimeSerializer,
    JSONSerializer,
    PickleSerializer,
    Serializer,
)

VALUE = {"rows": list(range(50)), "name": "ünïcode"}
WHEN = pendulum.datetime(2024, 2, 29, 12, 30, tz="UTC")

#: (serializer, a value it serializes, how a Prefect 1 reader loads the stored bytes)
IN_BAND = [
    (PickleSerializer(), VALUE, pickle.loads),
    (JSONSerializer(), VALUE, json.loads),
]
OUT_OF_BAND = [
    (DateTimeSerializer(), WHEN),
    (CompressedSerializer(PickleSerializer(), format="gzip"), VALUE),
]


def flip(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


class TestTheFrames:
    @pytest.mark.parametrize("serializer, value, prefect1_loads", IN_BAND)
    def test_prefect1_readers_load_framed_bytes(self, serializer, value, prefect1_loads):
        stored, separate = checksum.seal(serializer, serializer.serialize(value))
        assert separate is None
        assert stored != serializer.serialize(value)
        assert prefect1_loads(stored) == value
        assert serializer.deserialize(stored) == value

    @pytest.mark.parametrize("serializer, value, prefect1_loads", IN_BAND)
    def test_every_single_bit_flip_is_caught_or_harmless(self, serializer, value, prefect1_loads):
        """A flip in the payload or in the checksum fails the check; a flip in the frame's magic
        makes the bytes look unframed, and the payload behind it is then intact."""
        stored, _ = checksum.seal(serializer, serializer.serialize(value))
        for index in range(len(stored)):
            for bit in range(8):
                damaged = stored[:index] + bytes([stored[index] ^ (1 << bit)]) + stored[index + 1 :]
                try:
                    found = serializer.deserialize(checksum.unwrap(damaged))
                except Exception:
                    continue
                assert found == value, (index, bit)

    @pytest.mark.parametrize("serializer, value, prefect1_loads", IN_BAND)
    def test_no_cut_short_copy_reads_as_a_value(self, serializer, value, prefect1_loads):
        stored, _ = checksum.seal(serializer, serializer.serialize(value))
        for end in range(len(stored)):
            with pytest.raises((pickle.UnpicklingError, EOFError, ValueError)):
                serializer.deserialize(checksum.unwrap(stored[:end]))

    def test_json_numbers_cut_short_are_caught(self):
        """`12345` cut to `123` is valid JSON: only the checksum tells."""
        serializer = JSONSerializer()
        stored, _ = checksum.seal(serializer, serializer.serialize(12345))
        with pytest.raises(ResultCorruptError, match="2 bytes where 5 were written"):
            checksum.unwrap(stored[:-3])

    @pytest.mark.parametrize("serializer, value", OUT_OF_BAND)
    def test_other_serializers_keep_their_bytes_and_get_a_separate_checksum(
        self, serializer, value
    ):
        payload = serializer.serialize(value)
        stored, separate = checksum.seal(serializer, payload)
        assert stored == payload
        assert separate.startswith("sha256:") and separate.endswith(f":{len(payload)}")
        assert serializer.deserialize(checksum.unwrap(stored, separate)) == value
        with pytest.raises(ResultCorruptError, match="SHA-256"):
            checksum.unwrap(flip(stored, len(stored) // 2), separate)
        with pytest.raises(ResultCorruptError, match="bytes where"):
            checksum.unwrap(stored[:-1], separate)

    def test_subclasses_keeping_the_reader_are_framed(self):
        class Protocol2Pickle(PickleSerializer):
            def serialize(self, value):
                return pickle.dumps(value, protocol=2)

        class Custom(Serializer):
            def serialize(self, value):
                return repr(value).encode()

            def deserialize(self, value):
                return eval(value)  # noqa: S307 - test value only

        assert checksum.in_band(Protocol2Pickle())
        assert not checksum.in_band(Custom())
        stored, _ = checksum.seal(Protocol2Pickle(), Protocol2Pickle().serialize(VALUE))
        assert pickle.loads(stored) == VALUE

    def test_bytes_without_a_checksum_are_read_as_they_are(self):
        legacy = cloudpickle.dumps(VALUE)
        assert checksum.unwrap(legacy) == legacy
        assert checksum.unwrap(legacy, lambda: None) == legacy

    def test_an_unreadable_separate_checksum_is_damage(self):
        with pytest.raises(ResultCorruptError, match="unreadable checksum"):
            checksum.unwrap(b"data", "md5:whatever")


class TestLocalResultChecksums:
    @pytest.mark.parametrize("serializer, value, prefect1_loads", IN_BAND)
    def test_prefect1_reads_our_files(self, tmp_path, serializer, value, prefect1_loads):
        LocalResult(dir=str(tmp_path), location="out", serializer=serializer).write(value)
        assert prefect1_loads((tmp_path / "out").read_bytes()) == value
        assert not os.path.exists(checksum_path(str(tmp_path / "out")))

    @pytest.mark.parametrize("serializer, value, prefect1_loads", IN_BAND)
    def test_we_read_prefect1_files(self, tmp_path, serializer, value, prefect1_loads):
        (tmp_path / "legacy").write_bytes(serializer.serialize(value))
        assert LocalResult(dir=str(tmp_path), serializer=serializer).read("legacy").value == value

    @pytest.mark.parametrize("serializer, value", OUT_OF_BAND)
    def test_other_serializers_write_plain_files_and_a_hidden_checksum(
        self, tmp_path, serializer, value
    ):
        result = LocalResult(dir=str(tmp_path), location="out", serializer=serializer)
        result.write(value)
        assert (tmp_path / "out").read_bytes() == serializer.serialize(value)
        assert (tmp_path / ".out.checksum").read_text().startswith("sha256:")
        assert result.read("out").value == value
        (tmp_path / ".out.checksum").unlink()  # e.g. a file copied without its checksum
        assert result.read("out").value == value

    @pytest.mark.parametrize("serializer, value", [(s, v) for s, v, _ in IN_BAND] + OUT_OF_BAND)
    def test_a_flipped_byte_is_an_error_naming_the_file(self, tmp_path, serializer, value):
        result = LocalResult(dir=str(tmp_path), location="out", serializer=serializer)
        path = tmp_path / "out"
        result.write(value)
        data = path.read_bytes()
        path.write_bytes(flip(data, len(data) - 2))
        with pytest.raises(ResultCorruptError, match=f"{path}.*damaged"):
            result.read("out")

    def test_a_hand_edited_file_must_lose_its_checksum_file(self, tmp_path):
        """A value replaced by hand no longer matches its checksum file: remove the latter."""
        result = LocalResult(dir=str(tmp_path), location="when", serializer=DateTimeSerializer())
        result.write(WHEN)
        (tmp_path / "when").write_bytes(DateTimeSerializer().serialize(WHEN.add(days=1)))
        with pytest.raises(ResultCorruptError):
            result.read("when")
        os.unlink(checksum_path(str(tmp_path / "when")))
        assert result.read("when").value == WHEN.add(days=1)

    def test_long_names_get_a_short_checksum_file_name(self, tmp_path):
        name = "x" * 250
        result = LocalResult(dir=str(tmp_path), location=name, serializer=DateTimeSerializer())
        result.write(WHEN)
        assert len(os.path.basename(checksum_path(str(tmp_path / name)))) < 255
        assert result.read(name).value == WHEN

    def test_a_result_whose_bytes_are_its_own_is_never_framed(self, tmp_path):
        class UpperResult(LocalResult):
            def serialize_to_bytes(self, value):
                return str(value).upper().encode()

            def deserialize_from_bytes(self, data):
                return data.decode()

        result = UpperResult(dir=str(tmp_path), location="out")
        result.write("abc")
        assert (tmp_path / "out").read_bytes() == b"ABC"
        assert result.read("out").value == "ABC"
        (tmp_path / "out").write_bytes(b"ABD")
        with pytest.raises(ResultCorruptError):
            result.read("out")

    @pytest.mark.parametrize("serializer, value, prefect1_loads", IN_BAND)
    def test_what_a_power_loss_can_leave_is_never_served(
        self, tmp_path, serializer, value, prefect1_loads
    ):
        """Framed files are renamed into place without `fsync`. After a power loss the file may
        be missing, old, empty, cut short or end in zeros (blocks allocated, data not written);
        none of these reads as a value other than the old or the new one."""
        old = {"old": True}
        path = tmp_path / "out"
        result = LocalResult(dir=str(tmp_path), location="out", serializer=serializer)
        result.write(value)
        new_bytes = path.read_bytes()
        result.write(old)
        old_bytes = path.read_bytes()
        leftovers = [old_bytes, b""]
        leftovers += [new_bytes[:end] for end in range(1, len(new_bytes))]
        leftovers += [
            new_bytes[:end] + bytes(len(new_bytes) - end) for end in range(0, len(new_bytes), 7)
        ]
        for data in leftovers:
            path.write_bytes(data)
            try:
                found = result.read("out").value
            except Exception:
                continue
            assert found in (old, value)


class TestDamagedTargets:
    """A task whose target exists but is damaged logs a warning naming it, runs again and
    replaces it."""

    @pytest.mark.parametrize("serializer, value", [(s, v) for s, v, _ in IN_BAND] + OUT_OF_BAND)
    def test_damage_means_a_warning_and_a_recompute(self, tmp_path, caplog, serializer, value):
        runs = []

        @task(
            target="out",
            checkpoint=True,
            result=LocalResult(dir=str(tmp_path), serializer=serializer),
        )
        def produce():
            runs.append(1)
            return value

        with Flow("damage") as flow:
            produce()
        assert flow.run().is_successful()
        path = tmp_path / "out"
        data = path.read_bytes()
        path.write_bytes(flip(data, len(data) - 3))
        caplog.set_level(logging.WARNING, logger="prefect")
        state = flow.run()
        assert state.is_successful()
        assert state.result[flow.get_tasks()[0]].result == value
        assert len(runs) == 2
        assert any(
            "damaged" in r.getMessage() and str(path) in r.getMessage() for r in caplog.records
        )
        assert LocalResult(dir=str(tmp_path), serializer=serializer).read("out").value == value
        assert flow.run().is_successful() and len(runs) == 2  # the replaced target serves again


class TestArguments:
    """`Result(serializer=..., location=...)` checks its arguments when it is built."""

    @pytest.mark.parametrize("cls", [Result, LocalResult])
    def test_serializer_must_be_a_serializer_instance(self, cls, tmp_path):
        kwargs = {"dir": str(tmp_path)} if cls is LocalResult else {}
        with pytest.raises(TypeError, match=r"`serializer` must be a Serializer.*'json'.*str"):
            cls(serializer="json", **kwargs)
        with pytest.raises(TypeError, match=r"instance.*PickleSerializer\(\)"):
            cls(serializer=PickleSerializer, **kwargs)

    def test_an_object_with_serialize_and_deserialize_is_accepted(self):
        class DuckSerializer:
            def serialize(self, value):
                return b""

            def deserialize(self, value):
                return None

        assert isinstance(Result(serializer=DuckSerializer()).serializer, DuckSerializer)

    @pytest.mark.parametrize("location", [5, b"bytes", ["a"]])
    def test_location_must_be_a_string_or_a_callable(self, location):
        with pytest.raises(
            TypeError, match=f"`location` must be a string.*{type(location).__name__}"
        ):
            Result(location=location)

    def test_good_arguments(self):
        assert Result(location="{x}.bin").location == "{x}.bin"
        assert Result(location=Path("out") / "{x}.bin").location == os.path.join("out", "{x}.bin")
        assert Result(location=lambda **kw: "x").location is None
        assert Result(serializer=JSONSerializer()).serializer == JSONSerializer()
