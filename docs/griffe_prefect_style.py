"""A griffe extension for the API reference: reads Prefect-style docstring sections.

Prefect 1 (and prefect_classic) docstrings write section items as a bulleted list:

    Args:
        - name (str): the name
            more about it

Google-style parsing wants the same items without the `- `. This extension removes the bullet
from the items of Args/Returns/Raises/Yields/Attributes sections before griffe parses them, so
the reference shows proper parameter tables. It only changes what the docs render.
"""
import re
from typing import Any

import griffe

SECTION = re.compile(r"^(\s*)(Args|Arguments|Returns|Raises|Yields|Attributes|Keyword Args):\s*$")
BULLET = re.compile(r"^(\s*)- ")


def debullet(text: str) -> str:
    """Drop the `- ` that starts each item of the recognised sections; an item whose names run
    over several lines (`- a, b,` / `c: text`) is joined into one line first."""
    out: list = []
    section_indent = None
    joining = False
    for line in text.splitlines():
        header = SECTION.match(line)
        if header:
            section_indent = len(header.group(1))
        elif section_indent is not None and line.strip() and len(line) - len(line.lstrip()) <= section_indent:
            section_indent = None  # dedented back to the section's level: the section ended
        if section_indent is not None and not header:
            if joining:
                out[-1] = f"{out[-1]} {line.strip()}"
                joining = ":" not in line and line.rstrip().endswith(",")
                continue
            if BULLET.match(line):
                line = BULLET.sub(r"\1", line, count=1)
                joining = ":" not in line and line.rstrip().endswith(",")
        out.append(line)
    return "\n".join(out)


class PrefectStyleDocstrings(griffe.Extension):
    """Rewrite each object's docstring from the bulleted Prefect style to Google style."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = debullet(obj.docstring.value)
