"""One writer per target across processes: of several runs computing a missing target, one
computes and writes it, the others wait for it and read it (`tasks.lock_targets`, on by default;
off, each computes and the last write wins)."""

import json
import multiprocessing
import os
import subprocess
import sys
import textwrap

import pytest

from prefect_classic.engine.caching import target_lock_manager

CHILD = textwrap.dedent(
    """
    import json, os, sys
    from prefect_classic import Flow, Task
    from prefect_classic.engine.results import LocalResult

    class Compute(Task):
        def run(self):
            print("COMPUTING", flush=True)
            if sys.argv[2] == "hold":
                assert sys.stdin.readline().strip() == "GO"
            return f"made by {os.getpid()}"

    with Flow("one-writer") as flow:
        out = Compute(target="shared.bin", checkpoint=True, result=LocalResult(dir=sys.argv[1]))()
    print("STARTING", flush=True)
    state = flow.run().result[out]
    print(json.dumps([type(state).__name__, state.result]), flush=True)
    """
)


def spawn(tmp_path, child_env, mode, extra=None):
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    return subprocess.Popen(
        [sys.executable, str(script), str(tmp_path / "results"), mode],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(extra),
    )


def wait_for(proc, line):
    for got in proc.stdout:
        if got.strip() == line:
            return
    raise AssertionError(f"child ended before {line!r}: {proc.stderr.read()}")


def outcome(proc):
    out, err = proc.communicate(timeout=90)
    assert proc.returncode == 0, err
    lines = out.strip().splitlines()
    return json.loads(lines[-1]), "COMPUTING" in lines


@pytest.mark.parametrize("locked", [True, False])
def test_a_second_process_waits_for_the_writer_then_reads_its_target(
    tmp_path, home, child_env, locked
):
    extra = None if locked else {"PREFECT__TASKS__LOCK_TARGETS": "false"}
    writer = spawn(tmp_path, child_env, "hold", extra)
    reader = None
    try:
        wait_for(writer, "COMPUTING")  # the writer holds the target's lock while it computes
        reader = spawn(tmp_path, child_env, "free", extra)
        wait_for(reader, "STARTING")
        if locked:
            with pytest.raises(subprocess.TimeoutExpired):
                reader.wait(
                    timeout=1.0
                )  # blocked on the target (it would finish at once otherwise)
        else:
            (name, value), computed = outcome(reader)
            assert computed and name == "Success"  # no lock: it computes and writes its own value
        writer.stdin.write("GO\n")
        writer.stdin.flush()
        (w_name, w_value), _ = outcome(writer)
        if locked:
            (name, value), computed = outcome(reader)
            assert not computed and name == "Cached" and value == w_value
        assert w_name == "Success"
    finally:
        for proc in (writer, reader):
            if proc is not None and proc.poll() is None:
                proc.kill()


# --- the stress test: 6 processes x 5 rounds on one target -----------------------------------------
PROCESSES, ROUNDS = 6, 5
PAYLOAD = 256 * 1024


def _racer(folder, log, barrier, results):
    from prefect_classic import Flow, Parameter, Task
    from prefect_classic.engine.results import LocalResult

    class Expensive(Task):
        def run(self, round):
            with open(log, "a") as f:
                f.write(f"{round} {os.getpid()}\n")
            tag = f"{round}:{os.getpid()}"
            return tag, tag.encode() * (PAYLOAD // len(tag))

    with Flow("stress") as flow:
        out = Expensive(
            target="round-{round}.bin", checkpoint=True, result=LocalResult(dir=folder)
        )(round=Parameter("round"))
    for number in range(ROUNDS):
        barrier.wait()
        state = flow.run(round=number).result[out]
        tag, payload = state.result
        whole = payload == tag.encode() * (PAYLOAD // len(tag))
        results.put((number, os.getpid(), type(state).__name__, tag, whole))


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="uses the fork start method")
def test_six_processes_five_rounds_one_target_compute_once_per_round(tmp_path, home):
    ctx = multiprocessing.get_context("fork")
    barrier, results = ctx.Barrier(PROCESSES, timeout=120), ctx.Queue()
    log = str(tmp_path / "computations.log")
    racers = [
        ctx.Process(target=_racer, args=(str(tmp_path / "results"), log, barrier, results))
        for _ in range(PROCESSES)
    ]
    for racer in racers:
        racer.start()
    reports = [results.get(timeout=300) for _ in range(PROCESSES * ROUNDS)]
    for racer in racers:
        racer.join(60)
        assert racer.exitcode == 0
    with open(log) as f:
        computations = [line.split() for line in f.read().splitlines()]
    for number in range(ROUNDS):
        made = [pid for round_, pid in computations if int(round_) == number]
        assert len(made) == 1, f"round {number} was computed {len(made)} times"
        seen = [r for r in reports if r[0] == number]
        assert len(seen) == PROCESSES
        assert {tag for _, _, _, tag, _ in seen} == {
            f"{number}:{made[0]}"
        }  # everyone got the one value
        assert all(whole for *_, whole in seen)  # no torn reads
        assert sorted(name for _, _, name, _, _ in seen) == ["Cached"] * (PROCESSES - 1) + [
            "Success"
        ]


def test_target_locks_live_in_one_bounded_folder(home):
    manager = target_lock_manager()
    assert manager.folder.endswith(os.path.join(".prefect", "locks"))
    assert manager.stripes <= 256
