"""`prefect-classic migrate` rewrites a backend-era file's imports (storage, run configs and
secrets keep working) and warns, with file and line, about the lines that behave differently."""

import os
import shutil

from click.testing import CliRunner

from prefect_classic.cli import cli

BACKEND_ERA_SCRIPT = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures", "backend_era_script.py"
)


def test_migrate_warns_about_register_with_file_and_line(tmp_path):
    target = tmp_path / "etl.py"
    shutil.copy(BACKEND_ERA_SCRIPT, target)
    lines = target.read_text().splitlines()
    register_line = next(i for i, line in enumerate(lines, 1) if line.startswith("flow.register("))
    result = CliRunner().invoke(cli, ["migrate", str(target)])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if line.startswith("warning: ")]
    assert warnings == [
        f"warning: {target}:{register_line}:1: backend-era: `flow.register(...)` registers "
        "nothing: prefect_classic has no Prefect Cloud/Server backend, so it logs a warning and "
        "returns None; run the flow with `prefect-classic run FILE.py` or `flow.run()`."
    ]
    assert "+from prefect_classic.storage import GitHub" in result.output.splitlines()
