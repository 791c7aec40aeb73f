"""Shared fixtures: a clean output cache and run context for every test, and a log helper."""
import logging
from typing import Iterator, List

import pytest

from prefect_classic.utilities import context as context_module


@pytest.fixture(autouse=True)
def clear_output_caches() -> Iterator[None]:
    """Empty the process-wide output caches (`context.caches`) before and after each test.

    The dict is cleared in place: every thread's base context layer holds the same object.
    """
    context_module.CACHES.clear()
    yield
    context_module.CACHES.clear()


class PrefectLogs:
    """Records of the `prefect` logger tree captured during a test."""

    def __init__(self, caplog: pytest.LogCaptureFixture):
        self._caplog = caplog

    @property
    def records(self) -> List[logging.LogRecord]:
        """Every captured record from a `prefect.*` logger."""
        return [r for r in self._caplog.records if r.name == "prefect" or r.name.startswith("prefect.")]

    @property
    def messages(self) -> List[str]:
        """The formatted messages of the captured records."""
        return [r.getMessage() for r in self.records]

    def contains(self, text: str) -> bool:
        """Whether some captured message contains `text`."""
        return any(text in m for m in self.messages)


@pytest.fixture
def prefect_logs(caplog: pytest.LogCaptureFixture) -> PrefectLogs:
    """Capture the `prefect` loggers at DEBUG level for the test."""
    caplog.set_level(logging.DEBUG, logger="prefect")
    return PrefectLogs(caplog)
