"""prefect_classic: the Prefect Core 1.x workflow engine, maintained and fast.

`import prefect_classic as prefect` — or turn on the `prefect` import shim
(`prefect_classic.compat.install()`) and keep `import prefect` unchanged.

As in Prefect 1, the sub-packages are attributes of the package (`prefect.schedules.Schedule`,
`prefect.engine.state.Success`, ...); the heavier ones load on first access.
"""

import importlib
from typing import Any

__version__ = "1.4.1.post1"

import prefect_classic.utilities.logging  # noqa: E402,F401  (configures the `prefect` logger)
from prefect_classic.configuration import config  # noqa: E402
from prefect_classic.utilities.context import context  # noqa: E402

# isort: split
import prefect_classic.triggers  # noqa: E402,F401
from prefect_classic.client import Client  # noqa: E402  (constructs; API calls need a backend)
from prefect_classic.core import Flow, Parameter, Task  # noqa: E402
from prefect_classic.tasks.control_flow import case  # noqa: E402
from prefect_classic.tasks.core.resource_manager import resource_manager  # noqa: E402
from prefect_classic.utilities.edges import flatten, mapped, unmapped  # noqa: E402
from prefect_classic.utilities.tasks import apply_map, tags, task  # noqa: E402

# isort: split
# the sub-packages below load after the public names above are bound
import prefect_classic.compat  # noqa: E402,F401  (out-of-scope Prefect 1 paths raise a helpful ImportError)
import prefect_classic.engine  # noqa: E402,F401
import prefect_classic.tasks  # noqa: E402,F401

__all__ = [
    "Client",
    "Flow",
    "Parameter",
    "Task",
    "apply_map",
    "case",
    "config",
    "context",
    "flatten",
    "mapped",
    "resource_manager",
    "tags",
    "task",
    "unmapped",
    "__version__",
]

#: sub-packages that are attributes of the package but load on first access (import cost, cycles)
_LAZY_SUBMODULES = frozenset(
    {
        "artifacts",
        "backend",
        "cache_policies",
        "client",
        "executors",
        "run_configs",
        "schedules",
        "serialization",
        "storage",
        "transactions",
    }
)


def __getattr__(name: str) -> Any:
    if name in _LAZY_SUBMODULES:
        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ImportError as exc:  # not part of prefect_classic (yet): a missing attribute
            raise AttributeError(f"module {__name__!r} has no attribute {name!r} ({exc})") from None
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
