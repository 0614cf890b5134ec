"""Safe YAML reading that keeps line numbers and refuses what a policy file never needs.

Refused: duplicate keys (PyYAML silently keeps the last one), files over MAX_BYTES,
more than MAX_ALIASES alias uses (an 'alias bomb' expands exponentially), and any
non-plain YAML tags.
"""
from __future__ import annotations

from pathlib import Path

import yaml

from model.errors import InstanceError

MAX_BYTES = 5_000_000
MAX_ALIASES = 100
MAX_NODES = 200_000
_SCALARS = yaml.SafeLoader("")  # resolves plain scalars: int, float, bool, null, str


class Located(dict):
    """A mapping that remembers the line of each key (1-based) in `lines`."""

    lines: dict[str, int]
    line: int | None = None


def read_yaml(path: Path) -> Located:
    """Read a YAML mapping from `path`, with per-key line numbers."""
    name = str(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InstanceError(name, "", "file not found") from None
    except OSError as exc:
        raise InstanceError(name, "", f"cannot read the file ({exc.strerror})") from None
    if size > MAX_BYTES:
        raise InstanceError(name, "", f"file is {size:,} bytes; instance files are limited to "
                            f"{MAX_BYTES:,} bytes", hint="put large tables in a CSV file beside it")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InstanceError(name, "", "file is not UTF-8 text") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise InstanceError(name, "", f"YAML syntax error: {problem}", line=line,
                            hint="check indentation and that every 'key: value' has a space after the colon") from None
    if node is None:
        raise InstanceError(name, "", "file is empty")
    counter = {"aliases": 0, "nodes": 0}
    data = _construct(node, name, "", counter, set())
    if not isinstance(data, Located):
        raise InstanceError(name, "", "the top level must be a mapping of 'key: value' lines", line=1)
    return data


def _construct(node, file: str, path: str, counter: dict, seen: set):
    counter["nodes"] += 1
    if counter["nodes"] > MAX_NODES:
        raise InstanceError(file, path, f"more than {MAX_NODES:,} YAML nodes", hint="is an alias expanding too far?")
    if id(node) in seen:
        counter["aliases"] += 1
        if counter["aliases"] > MAX_ALIASES:
            raise InstanceError(file, path, f"more than {MAX_ALIASES} YAML alias uses",
                                line=node.start_mark.line + 1, hint="write the values out instead of '*alias'")
    seen = seen | {id(node)}
    if isinstance(node, yaml.MappingNode):
        out = Located()
        out.lines, out.line = {}, node.start_mark.line + 1
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise InstanceError(file, path, "YAML merge keys ('<<') are not supported",
                                    line=key_node.start_mark.line + 1, hint="use 'extends:' to reuse another file")
            key = _scalar(key_node, file, path)
            if not isinstance(key, (str, int, float, bool)):
                raise InstanceError(file, path, "keys must be plain text", line=key_node.start_mark.line + 1)
            key = str(key)
            child = f"{path}.{key}" if path else key
            if key in out:
                raise InstanceError(file, child, f"duplicate key (first at line {out.lines[key]})",
                                    line=key_node.start_mark.line + 1, hint="remove one of the two")
            out.lines[key] = key_node.start_mark.line + 1
            out[key] = _construct(value_node, file, child, counter, seen)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(v, file, f"{path}[{i}]", counter, seen) for i, v in enumerate(node.value)]
    return _scalar(node, file, path)


def _scalar(node, file: str, path: str):
    if not isinstance(node, yaml.ScalarNode):
        raise InstanceError(file, path, "expected a plain value here", line=node.start_mark.line + 1)
    if node.tag.startswith("tag:yaml.org,2002:") and node.tag.split(":")[-1] in (
            "str", "int", "float", "bool", "null"):
        return _SCALARS.construct_object(node)
    raise InstanceError(file, path, f"YAML tag {node.tag!r} is not allowed", line=node.start_mark.line + 1)
