"""The README: its sample runs as a script and through `prefect-classic run` (once, thanks to its
`if __name__ == "__main__":` guard), and its target includes the parameter, so another `-p n=…`
computes a new total instead of returning the one stored for another n."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _readme_sample() -> str:
    text = (ROOT / "README.md").read_text()
    return re.search(r"```python\n(.*?)```", text, re.S).group(1)


def _total(stdout: str):
    row = next(line for line in stdout.splitlines() if line.startswith("total "))
    return row.split()[1:]


def test_the_readme_starts_with_the_two_setup_commands_then_a_pip_install_line():
    text = (ROOT / "README.md").read_text()
    first_block = re.search(r"```bash\n(.*?)```", text, re.S).group(1).splitlines()
    assert [line.split()[0] for line in first_block] == ["scripts/demo", "scripts/test"]
    second_block = re.findall(r"```bash\n(.*?)```", text, re.S)[1]
    assert "python3 -m pip install .  " in second_block and "git+" in second_block


def test_the_readme_sample_runs_once_per_command_and_its_target_follows_the_parameter(
    tmp_path, example_env
):
    sample = tmp_path / "etl.py"
    sample.write_text(_readme_sample())
    env = {**example_env, "HOME": str(tmp_path)}  # the sample's results go under ~/.prefect/results

    def cli(*args):
        proc = subprocess.run(
            [sys.executable, "-m", "prefect_classic.cli", "run", str(sample), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert (
            proc.stderr.count("Beginning Flow run for 'etl'") == 1
        )  # the guarded flow.run() did not run
        return proc

    assert _total(cli("-p", "n=3").stdout) == ["Success", "5"]  # 0 + 1 + 4
    assert _total(cli("-p", "n=4").stdout) == [
        "Success",
        "14",
    ]  # a new n: not the stored total of n=3
    assert _total(cli("-p", "n=3").stdout) == ["Cached", "5"]  # the target of n=3 is found
    results = sorted(p.name for p in (tmp_path / ".prefect" / "results").rglob("total-*.txt"))
    assert results == ["total-3.txt", "total-4.txt"]

    script = subprocess.run(
        [sys.executable, str(sample)], env=env, capture_output=True, text=True, timeout=120
    )
    assert script.returncode == 0, script.stderr
    assert script.stderr.count("Beginning Flow run for 'etl'") == 1
    assert any((tmp_path / ".prefect" / "results").rglob("total-5.txt"))
