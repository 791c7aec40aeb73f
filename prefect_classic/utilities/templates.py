"""The one place that formats templates: targets, result locations and task run names."""
import string
from typing import Any, Callable, Union

__all__ = ["TemplateError", "format_template", "template_fields"]

_FORMATTER = string.Formatter()


class TemplateError(KeyError):
    """A template names a key that is not available."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def template_fields(template: str) -> set:
    """The top-level field names a `str.format` template uses.

    Args:
        - template (str): the template

    Returns:
        - set: names such as `{"date", "task_name"}`
    """
    names = set()
    for _, field, _, _ in _FORMATTER.parse(template):
        if field is None:
            continue
        root = field.split(".", 1)[0].split("[", 1)[0]
        if root:
            names.add(root)
    return names


def format_template(template: Union[str, Callable[..., str]], **kwargs: Any) -> str:
    """Render a `str.format` template (or call a template callable) with `kwargs`.

    Args:
        - template (Union[str, Callable]): e.g. `"{date:%A}/{task_name}.txt"`, or a callable taking
            the same values as keyword arguments and returning the string
        - **kwargs (Any): the values: context keys and the task's inputs

    Returns:
        - str: the rendered string

    Raises:
        - TemplateError: when the template names a key that is not in `kwargs`; the message names
            the key and lists the available ones
    """
    if not isinstance(template, str):
        return template(**kwargs)
    try:
        return template.format(**kwargs)
    except KeyError as exc:
        key = exc.args[0] if exc.args else "?"
        raise TemplateError(
            f"Template {template!r} uses the key {key!r}, which is not available. "
            f"Available keys: {', '.join(sorted(kwargs))}"
        ) from None
    except IndexError as exc:
        raise TemplateError(f"Template {template!r} uses a positional field: {exc}") from None
