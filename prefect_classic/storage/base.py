"""`Storage`: where a flow is kept so that a Prefect agent can load it (Prefect 1's API).

prefect_classic runs flows from their Python files in this process, so storage matters only
for code written for a Prefect backend: every storage class constructs, serializes with
Prefect 1's schema and records flows with `add_flow`. `Local` and `Module` storage also load
flows back (`get_flow`). The remote ones (S3, GCS, Azure, Docker, Webhook and the git hosts)
raise `BackendOnlyError` when asked to upload or download, naming what to do instead.
"""

import logging
import warnings
from abc import ABCMeta, abstractmethod
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, NoReturn, Optional

from prefect_classic.configuration import config
from prefect_classic.exceptions import BackendOnlyError
from prefect_classic.utilities.logging import get_logger

if TYPE_CHECKING:
    from prefect_classic.core.flow import Flow

__all__ = ["Storage", "result_check", "timestamped_key"]

RUN_HERE = (
    "prefect_classic runs flows from their Python files in this process: run "
    "`prefect-classic run FILE.py` or call `flow.run()` (or use `Local` / `Module` storage "
    "to keep flows on this machine)"
)


class Storage(metaclass=ABCMeta):
    """The base class of flow storage. Its arguments are accepted by every storage class.

    Args:
        - result (Result, optional): the default Result of flows kept in this storage (a flow
            without a Result takes it when registered)
        - secrets (List[str], optional): names of secrets an agent would load into
            `prefect.context` for each flow run
        - labels (List[str], optional): labels an agent would need to run these flows
        - add_default_labels (bool, optional): add the storage's own default labels (Local
            storage: the host name); default `config.flows.defaults.storage.add_default_labels`
        - stored_as_script (bool, optional): the flow is kept as a `.py` file rather than
            pickled (default False)
    """

    def __init__(
        self,
        result: Any = None,
        secrets: Optional[List[str]] = None,
        labels: Optional[Iterable[str]] = None,
        add_default_labels: Optional[bool] = None,
        stored_as_script: bool = False,
    ) -> None:
        self.result = result
        self.secrets = list(secrets) if secrets else []
        self.stored_as_script = stored_as_script
        self.flows: Dict[str, str] = {}
        self._flows: Dict[str, Flow] = {}
        self._labels = list(labels) if labels else []
        if add_default_labels is None:
            add_default_labels = config.flows.defaults.storage.add_default_labels
        self.add_default_labels = add_default_labels

    @property
    def labels(self) -> List[str]:
        """The storage's labels, plus its default labels when `add_default_labels` is set."""
        if not self.add_default_labels:
            return self._labels
        return list(set(self._labels) | set(self.default_labels))

    @property
    def default_labels(self) -> List[str]:
        """Labels this kind of storage adds by default (none for most)."""
        return []

    def __repr__(self) -> str:
        return f"<Storage: {type(self).__name__}>"

    @property
    def name(self) -> str:
        """The storage's name (its class name unless a subclass says otherwise)."""
        return type(self).__name__

    @property
    def logger(self) -> logging.Logger:
        """The `prefect.<StorageClass>` logger."""
        return get_logger(type(self).__name__)

    def __contains__(self, obj: Any) -> bool:
        """Whether a flow of this name (a string) was added; anything else is never contained."""
        return isinstance(obj, str) and obj in self.flows

    def get_flow(self, flow_name: str) -> "Flow":
        """Load a flow kept in this storage.

        Args:
            - flow_name (str): the flow's name

        Returns:
            - Flow: the flow
        """
        raise NotImplementedError()

    @abstractmethod
    def add_flow(self, flow: "Flow") -> str:
        """Add a flow to this storage.

        Args:
            - flow (Flow): the flow

        Returns:
            - str: where the flow is (or will be) kept
        """

    def build(self) -> "Storage":
        """Check the added flows (see `run_basic_healthchecks`) and make them loadable.

        Returns:
            - Storage: this storage
        """
        self.run_basic_healthchecks()
        return self

    def serialize(self) -> dict:
        """This storage in Prefect 1's JSON shape (`StorageSchema`).

        Returns:
            - dict: the serialized storage
        """
        from prefect_classic.serialization.storage import StorageSchema

        return StorageSchema().dump(self)

    def run_basic_healthchecks(self) -> None:
        """Warn about added flows whose retried or cached tasks could not get their inputs back
        (a task with retries or `cache_for` whose upstream tasks have no Result)."""
        result_check(self._flows.values(), quiet=True)

    # --- helpers for subclasses -----------------------------------------------------------------
    def _check_new_name(self, flow: "Flow") -> None:
        if flow.name in self:
            raise ValueError(
                f'Name conflict: Flow with the name "{flow.name}" is already present in this storage.'
            )

    def _check_contained(self, flow_name: str) -> None:
        if flow_name not in self.flows:
            raise ValueError("Flow is not contained in this Storage")

    def _remote_only(self, operation: str, what: str) -> NoReturn:
        raise BackendOnlyError(
            f"`{type(self).__name__}.{operation}()` {what}, which prefect_classic does "
            f"not do; {RUN_HERE}."
        )


def result_check(flows: Iterable["Flow"], quiet: bool = False) -> None:
    """Warn about tasks that retry or cache while an upstream task they read has no Result
    (only for flows without a flow-level Result).

    Args:
        - flows (Iterable[Flow]): the flows to check
        - quiet (bool, optional): don't print "Result check: OK" at the end
    """
    for flow in flows:
        if flow.result is not None:
            continue
        for task in flow.tasks:
            if task.max_retries > 0 and _unreadable_upstream(flow, task):
                warnings.warn(
                    f"Task {task} has retry settings but some upstream dependencies do not "
                    "have result types.",
                    stacklevel=2,
                )
            if task.cache_for is not None:
                if task.result is None:
                    warnings.warn(
                        f"Task {task} has cache settings but does not have a result type.",
                        stacklevel=2,
                    )
                if _unreadable_upstream(flow, task):
                    warnings.warn(
                        f"Task {task} has cache settings but some upstream dependencies do "
                        "not have result types.",
                        stacklevel=2,
                    )
    if not quiet:
        print("Result check: OK")


def _unreadable_upstream(flow: "Flow", task: Any) -> bool:
    return any(e.upstream_task.result is None for e in flow.edges_to(task) if e.key is not None)


def timestamped_key(flow: "Flow") -> str:
    """The default object key of a flow in a bucket: `<flow-name>/<utc-timestamp>`, slugified.

    Args:
        - flow (Flow): the flow

    Returns:
        - str: the key
    """
    import pendulum

    from prefect_classic.utilities.storage import slugify

    return f"{slugify(flow.name)}/{slugify(pendulum.now('utc').isoformat())}"
