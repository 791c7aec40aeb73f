"""The one place that formats templates: targets, result locations and task run names.

Templates are `str.format` strings (or callables) rendered with context values (`date`, `today`,
`flow_name`, `task_name`, `task_full_name`, `map_index`, `parameters`, `task_run_count`, ...)
plus the task's inputs by name. A template that asks for something that is not there raises a
`TemplateError` naming what is missing and what is available.
"""

import _string
import string
from typing import Any, Callable, Dict, Iterable, Set, Union

__all__ = ["TemplateError", "format_template", "template_fields"]

_FORMATTER = string.Formatter()


class TemplateError(KeyError):
    """A template names a key (or an item or attribute of a value) that is not available."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def template_fields(template: str) -> Set[str]:
    """The top-level field names a `str.format` template uses.

    Args:
        - template (str): the template

    Returns:
        - set: names such as `{"date", "task_name"}` (for `"{date:%A}/{task_name}.txt"`)
    """
    names = set()
    for _, field, _, _ in _FORMATTER.parse(template):
        if field is None:
            continue
        root = field.split(".", 1)[0].split("[", 1)[0]
        if root:
            names.add(root)
    return names


def _listing(keys: Iterable[Any]) -> str:
    shown = sorted(str(k) for k in keys)
    return ", ".join(shown) if shown else "(none)"


def _explain(template: str, kwargs: Dict[str, Any], error: Exception) -> str:
    """Say why `template` cannot be rendered with `kwargs`: the first field that fails."""
    for _, field, _, _ in _FORMATTER.parse(template):
        if field is None:
            continue
        root, path = _string.formatter_field_name_split(field)
        if isinstance(root, int) or root == "":
            return f"Template {template!r} uses a positional field {{{field}}}; use names instead."
        if root not in kwargs:
            return (
                f"Template {template!r} uses the key {root!r}, which is not available. "
                f"Available keys: {_listing(kwargs)}"
            )
        value = kwargs[root]
        shown = root
        for is_attr, name in path:
            try:
                value = getattr(value, name) if is_attr else value[name]
            except (KeyError, IndexError, TypeError):
                available = (
                    f" Available in {shown}: {_listing(value)}" if isinstance(value, dict) else ""
                )
                return f"Template {template!r} uses {{{field}}}, but {name!r} is not in {shown}.{available}"
            except AttributeError:
                return f"Template {template!r} uses {{{field}}}, but {shown} has no attribute {name!r}."
            shown = f"{shown}.{name}" if is_attr else f"{shown}[{name}]"
    return f"Template {template!r} could not be formatted: {type(error).__name__}: {error}"


def format_template(template: Union[str, Callable[..., str]], **kwargs: Any) -> str:
    """Render a `str.format` template (or call a template callable) with `kwargs`.

    Args:
        - template (Union[str, Callable]): e.g. `"{date:%A}/{task_name}.txt"`, or a callable taking
            the same values as keyword arguments and returning the string
        - **kwargs (Any): the values: context keys and the task's inputs

    Returns:
        - str: the rendered string

    Raises:
        - TemplateError: when the template names a key that is not in `kwargs` (the message names
            the key and lists the available ones), looks up an item or attribute a value does not
            have (e.g. `{parameters[x]}` without a parameter `x`), uses a positional field, or
            has a format spec that does not fit the value
    """
    if not isinstance(template, str):
        return template(**kwargs)
    try:
        return template.format(**kwargs)
    except (KeyError, IndexError, AttributeError, TypeError, ValueError) as exc:
        raise TemplateError(_explain(template, kwargs, exc)) from None
