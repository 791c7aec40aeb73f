"""Parameters: flow inputs supplied at run time."""

import datetime
from typing import Any, Iterable, Optional

import pendulum

from prefect_classic.core._arg_checks import check_parameter_default
from prefect_classic.core.task import NoDefault, Task
from prefect_classic.utilities.context import context

__all__ = ["DateTimeParameter", "Parameter", "no_default"]

no_default = NoDefault.value


class Parameter(Task):
    """A flow input: its value comes from `flow.run(parameters={name: value})` or its default.

    Args:
        - name (str): the parameter's name (unique within a flow; also its slug)
        - default (Any, optional): the value when none is given (JSON-compatible)
        - required (bool, optional): whether a value must be given (default: when there is no
            default)
        - tags ([str], optional): tags

    Raises:
        - ValueError: when `name` is empty
        - TypeError: when `default` cannot be stored as JSON (a set, an object...)
    """

    def __init__(
        self,
        name: str,
        default: Any = no_default,
        required: Optional[bool] = None,
        tags: Optional[Iterable[str]] = None,
    ):
        if not name or not isinstance(name, str):
            raise ValueError("A Parameter needs a non-empty string name.")
        if required is not None and required is not True and required is not False:
            raise TypeError(
                f"Parameter {name!r}: `required` must be True or False (received {required!r})."
            )
        if required is None:
            required = default is no_default
        if default is no_default:
            default = None
        check_parameter_default(name, default, datetimes=isinstance(self, DateTimeParameter))
        self.required = required
        self.default = default
        from prefect_classic.engine.results.prefect_result import PrefectResult

        super().__init__(name=name, slug=name, tags=tags, checkpoint=True, result=PrefectResult())

    def __repr__(self) -> str:
        return f"<Parameter: {self.name}>"

    def __call__(self, flow: Any = None) -> "Parameter":  # type: ignore[override]
        """Calling a Parameter adds it to the flow and returns it (it takes no arguments)."""
        return super().bind(flow=flow)  # type: ignore[return-value]

    def copy(self, name: str, **task_args: Any) -> "Parameter":  # type: ignore[override]
        """Return a copy under a new name (parameter names are their slugs).

        Args:
            - name (str): the new name
            - **task_args (Any): other attributes to change

        Returns:
            - Parameter: the copy
        """
        return super().copy(name=name, slug=name, **task_args)  # type: ignore[return-value]

    def serialize(self) -> dict:
        """Return this parameter's metadata (name, JSON default, `required`, tags) as Prefect 1's
        JSON-compatible dict."""
        from prefect_classic.serialization.task import ParameterSchema

        return ParameterSchema().dump(self)

    def run(self) -> Any:
        """Return the value from context `parameters`, or the default.

        Raises:
            - FAIL: when the parameter is required and no value was given
        """
        params = context.get("parameters") or {}
        if self.name in params:
            return params[self.name]
        if self.required:
            from prefect_classic.engine import signals

            raise signals.FAIL(f'Parameter "{self.name}" was required but not provided.')
        return self.default


class DateTimeParameter(Parameter):
    """A Parameter whose value is parsed into a `pendulum.DateTime` (ISO 8601 strings accepted).

    Args:
        - name (str): the parameter's name
        - default (Any, optional): the default (a datetime or ISO string)
        - required (bool, optional): whether a value must be given
        - tags ([str], optional): tags
    """

    def __init__(
        self,
        name: str,
        default: Any = no_default,
        required: Optional[bool] = None,
        tags: Optional[Iterable[str]] = None,
    ):
        super().__init__(name=name, default=default, required=required, tags=tags)

    def run(self) -> Any:
        """Return the value parsed as a `pendulum.DateTime` (None stays None)."""
        value = super().run()
        if value is None or isinstance(value, pendulum.DateTime):
            return value
        if isinstance(value, datetime.datetime):
            return pendulum.instance(value)
        return pendulum.parse(value)
