"""Fixtures for the run-report tests: the command line in a child process, and a headless
Chromium (Debian's `chromium` package) to open the HTML report as a browser does."""

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Callable, Dict, Optional, Sequence

import pytest

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


@pytest.fixture
def run_cli(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess]:
    """`run_cli(args, env=None)`: `prefect-classic ARGS` with no user config, finished."""

    def run(
        args: Sequence[str], env: Optional[Dict[str, str]] = None
    ) -> subprocess.CompletedProcess:
        base = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT")}
        base["PREFECT__USER_CONFIG_PATH"] = str(tmp_path / "no-config.toml")
        base["PREFECT__HOME_DIR"] = str(tmp_path / "home")
        base.update(env or {})
        return subprocess.run(
            [sys.executable, "-m", "prefect_classic.cli", *args],
            env=base,
            capture_output=True,
            text=True,
            timeout=180,
        )

    return run


@pytest.fixture
def flow_file(tmp_path: Path) -> Callable[[str], str]:
    """Write a flow module into tmp_path and return its path."""

    def write(source: str, name: str = "flow_file.py") -> str:
        path = tmp_path / name
        path.write_text(textwrap.dedent(source))
        return str(path)

    return write


class Browser:
    """Headless Chromium: the DOM of a page after its scripts ran, and screenshots."""

    def __init__(self, binary: str, profile: Path):
        self.binary = binary
        self.profile = profile

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        command = [
            self.binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-extensions",
            "--disable-background-networking",
            f"--user-data-dir={self.profile}",
            *args,
        ]
        return subprocess.run(command, capture_output=True, text=True, timeout=120)

    def dom(self, url: str) -> str:
        """The page's DOM (serialized) once it has loaded and its scripts have run."""
        proc = self._run("--virtual-time-budget=5000", "--dump-dom", url)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    def screenshot(self, url: str, path: Path, size: str = "1300,1600") -> Path:
        """A PNG of the page at `size` (width,height)."""
        proc = self._run(f"--window-size={size}", "--hide-scrollbars", f"--screenshot={path}", url)
        assert proc.returncode == 0 and path.exists(), proc.stderr
        return path


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Browser:
    """Debian's Chromium in headless mode; the test is skipped (with the reason) only where none is
    installed (`.ci/run` installs it with apt-get where apt-get exists)."""
    binary = next((found for name in BROWSERS if (found := shutil.which(name))), None)
    if binary is None:
        pytest.skip(
            "no Chromium on this machine: `apt-get install chromium` (Debian) to run the browser tests"
        )
    return Browser(binary, tmp_path_factory.mktemp("chromium-profile"))
