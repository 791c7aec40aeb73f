"""GraphQL helpers kept from Prefect 1: building query strings from Python structures, argument
formatting, the `GraphQLResult` container and payload compression.

prefect_classic talks to no GraphQL API; these are pure functions that Prefect 1 code (and
tests of code written for a backend) import and call.
"""

import base64
import gzip
import json
import textwrap
import uuid
from collections.abc import KeysView, ValuesView
from typing import Any

from box import Box

__all__ = [
    "EnumValue",
    "GQLObject",
    "GraphQLResult",
    "LiteralSetValue",
    "compress",
    "decompress",
    "format_graphql_request_error",
    "lowercase_first_letter",
    "multiline_indent",
    "parse_graphql",
    "parse_graphql_arguments",
    "with_args",
]

_INDENT = "    "
_SEQUENCES = (tuple, list, set, KeysView, ValuesView)


def lowercase_first_letter(s: str) -> str:
    """Return `s` with its first character lower-cased.

    Args:
        - s (str): the string

    Returns:
        - str: the string, first letter lower-cased (an empty string stays empty)
    """
    return s[:1].lower() + s[1:]


def multiline_indent(string: str, spaces: int) -> str:
    """Indent every line of `string` but the first by `spaces` spaces.

    Args:
        - string (str): the text
        - spaces (int): how many spaces

    Returns:
        - str: the indented text
    """
    return string.replace("\n", "\n" + " " * spaces)


class GraphQLResult(Box):
    """The data of a GraphQL response: a python-box `Box`, so nested keys read as attributes
    (`result.data.flow_run[0].id`). Its repr is the JSON document when it serializes."""

    def __repr__(self) -> str:
        try:
            return json.dumps(self, indent=4)
        except TypeError:
            return repr(self.to_dict())


class EnumValue:
    """A string rendered bare (no quotes) in GraphQL arguments, as enum values are.

    Args:
        - value (str): the enum value
    """

    def __init__(self, value: str):
        self.value = value

    def __str__(self) -> str:
        return self.value

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.value!r})"

    def __hash__(self) -> int:
        # hashed together with the type so that it never collides with the plain string
        return hash((type(self), self.value))

    def __eq__(self, other: Any) -> Any:
        if isinstance(other, EnumValue):
            return self.value == other.value
        return NotImplemented


def LiteralSetValue(value: list) -> str:  # noqa: N802  (Prefect 1's name)
    """Render strings as a GraphQL literal set, `{a, b, c}`, without quotes.

    Args:
        - value (list): the members

    Returns:
        - str: the literal set
    """
    return "{" + ", ".join(value) + "}"


class GQLObject:
    """A named GraphQL field for building queries; calling it with arguments returns a copy that
    renders as `name(arguments)`.

    Args:
        - name (str, optional): the field name (default: the class name, first letter lower-cased)
    """

    def __init__(self, name: str = None, _arguments: Any = None):  # type: ignore[assignment]
        self.__name = name or lowercase_first_letter(type(self).__name__)
        self.__arguments = _arguments

    def __call__(self, arguments: Any) -> "GQLObject":
        return type(self)(name=self.__name, _arguments=arguments)

    def __repr__(self) -> str:
        return f'<GQL: "{self.__name}">'

    def __str__(self) -> str:
        return with_args(self.__name, self.__arguments) if self.__arguments else self.__name


def _render(document: Any) -> str:
    """Render a query fragment. Every line after the first of each rendered item is pushed one
    level in; `parse_graphql` then pulls closing braces back out by one level."""
    if isinstance(document, _SEQUENCES):
        return "\n".join(_render(item) for item in document)
    if isinstance(document, dict):
        blocks = [
            key if value is True or value is Ellipsis else f"{key} {{\n{_render(value)}\n}}"
            for key, value in document.items()
        ]
        return _render(blocks)
    if isinstance(document, type) and issubclass(document, GQLObject):
        raise TypeError(
            f'It looks like you included a `GQLObject` class ("{document.__name__}") in your '
            "document. Did you mean to use an instance of that type?"
        )
    return str(document).replace("\n", "\n" + _INDENT)


def parse_graphql(document: Any) -> str:
    """Compile nested Python structures into a GraphQL query string.

    Dicts become `key { ... }` blocks; lists, tuples, sets and dict views list their items one
    per line; a dict value of `True` or `...` keeps just the key as a field; `GQLObject`s and
    anything else render through `str()`.

    Args:
        - document (Any): the query structure

    Returns:
        - str: the query, dedented and stripped

    Raises:
        - TypeError: if a `GQLObject` class (not an instance) appears in the document
    """
    rendered = _render(document).replace(_INDENT + "}", "}")
    return textwrap.dedent(rendered).strip()


def _format_argument(value: Any) -> str:
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{key}: {_format_argument(v)}" for key, v in value.items()) + " }"
    if isinstance(value, _SEQUENCES):
        return "[" + ", ".join(_format_argument(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value)
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, uuid.UUID):
        return json.dumps(str(value))
    return str(value)


def parse_graphql_arguments(arguments: Any) -> str:
    """Format GraphQL arguments: dict keys unquoted, strings JSON-quoted, `true`/`false`/`null`.

    The outer braces of a dict (and the quotes of a bare string) are dropped, so the result goes
    between a field's parentheses.

    Args:
        - arguments (Any): the arguments, usually a dict

    Returns:
        - str: the formatted arguments
    """
    formatted = _format_argument(arguments)
    if isinstance(arguments, dict):
        return formatted[2:-2]
    if isinstance(arguments, str):
        return formatted[1:-1]
    return formatted


def with_args(field: Any, arguments: Any) -> str:
    """Render a field with arguments, `field(arguments)`.

    Args:
        - field (Any): the field (string or `GQLObject`)
        - arguments (Any): the arguments (see `parse_graphql_arguments`)

    Returns:
        - str: the field with its arguments
    """
    return f"{parse_graphql(field)}({parse_graphql_arguments(arguments)})"


def format_graphql_request_error(response: Any) -> str:
    """Summarize the errors of a failed GraphQL HTTP response, with the query and variables sent.

    Args:
        - response (requests.Response): the response (its `request.body` holds the query)

    Returns:
        - str: a readable summary
    """
    sent = json.loads(response.request.body or "{}")
    query = parse_graphql(sent.get("query", {})) or "null"
    variables = parse_graphql(sent.get("variables", {})) or "null"
    messages = []
    for error in response.json().get("errors", []):
        code = error.get("extensions", {}).get("code", "UNKNOWN_ERROR")
        text = error.get("message", "No error message supplied.")
        messages.append(multiline_indent(textwrap.fill(f"{code}: {text}", 80), 4))
    header = (
        "The following error messages were provided by the GraphQL server:\n"
        if messages
        else "The server did not provide any error messages."
    )
    body = multiline_indent("\n".join(messages), 12)
    return textwrap.dedent(
        f"""
        {header}
            {body}

        The GraphQL query was:

            {multiline_indent(query, 12)}

        The passed variables were:

            {multiline_indent(variables, 12)}
        """
    )


def compress(input: Any) -> str:  # noqa: A002  (Prefect 1's argument name)
    """JSON-encode, gzip and base64-encode a value.

    Args:
        - input (Any): a JSON-serializable value

    Returns:
        - str: the compressed text
    """
    return base64.b64encode(gzip.compress(json.dumps(input).encode())).decode()


def decompress(string: str) -> Any:
    """Reverse `compress`.

    Args:
        - string (str): text made by `compress`

    Returns:
        - Any: the value
    """
    return json.loads(gzip.decompress(base64.b64decode(string)).decode())
