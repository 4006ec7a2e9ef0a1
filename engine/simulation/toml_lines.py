"""Where a key stands in a TOML file, so a refusal of a profile can name its line.

``tomllib`` gives a position only for syntax errors. For the checks of the content, this reads the
file's lines once: table headers (``[a.b]``, ``[[a]]``, counted per array so the n-th ``[[a]]`` is
path ``("a", n)``) and ``key = value`` lines (also dotted keys). A key inside an inline table or a
multi-line value is found at the line of the key that holds it.
"""

from __future__ import annotations

import re

Path = tuple[str | int, ...]

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*$")
_KEY = re.compile(r"^\s*((?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*'))*)\s*=")


def _strip_comment(line: str) -> str:
    quote = None
    for i, char in enumerate(line):
        if quote:
            if char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        elif char == "#":
            return line[:i]
    return line


def _parts(dotted: str) -> list[str]:
    return [p.strip().strip("\"'") for p in re.findall(r"\"[^\"]*\"|'[^']*'|[^.]+", dotted)]


class KeyLines:
    """The 1-based line of each key path in a TOML text."""

    def __init__(self, text: str):
        self.lines: dict[Path, int] = {}
        arrays: dict[Path, int] = {}  # array-of-tables path -> index of its last element
        current: Path = ()
        depth = 0  # open brackets of a multi-line value: its lines hold no keys of the table
        for number, raw in enumerate(text.splitlines(), start=1):
            line = _strip_comment(raw)
            if depth == 0 and (header := _HEADER.match(line)):
                parts = _parts(header.group(2))
                if header.group(1) == "[[":
                    path = (*self._resolve(parts[:-1], arrays), parts[-1])
                    index = arrays.get(path, -1) + 1
                    arrays[path] = index
                    path = (*path, index)
                else:
                    path = self._resolve(parts, arrays)
                current = path
                self.lines.setdefault(current, number)
                continue
            if depth == 0 and (key := _KEY.match(line)):
                self.lines.setdefault((*current, *_parts(key.group(1))), number)
            depth = max(0, depth + line.count("[") + line.count("{") - line.count("]") - line.count("}"))

    @staticmethod
    def _resolve(parts: list[str], arrays: dict[Path, int]) -> Path:
        """A header path with the current index of every array of tables it passes through."""
        path: Path = ()
        for part in parts:
            path = (*path, part)
            if path in arrays:
                path = (*path, arrays[path])
        return path

    def line(self, path: Path) -> int | None:
        """The line of ``path``, or of the nearest key above it that the file names."""
        for end in range(len(path), 0, -1):
            found = self.lines.get(tuple(path[:end]))
            if found is not None:
                return found
        return None
