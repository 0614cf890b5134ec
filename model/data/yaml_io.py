"""Safe YAML reading that keeps line numbers and refuses what a policy file never needs.

Refused: duplicate keys (PyYAML silently keeps the last one), files over MAX_BYTES,
more than MAX_ALIASES alias uses (an 'alias bomb' expands exponentially), any
non-plain YAML tags, and text with a lone surrogate (a double-quoted "\ud800": half a
character, which no output file can hold).
"""
from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import yaml

from model.errors import InstanceError

MAX_BYTES = 5_000_000
MAX_ALIASES = 100
MAX_NODES = 200_000
MAX_DEPTH = 50          # levels of nesting (instance files need fewer than 10)
_SCALARS = yaml.SafeLoader("")  # resolves plain scalars: int, float, bool, null, str
_SURROGATE = re.compile("[\ud800-\udfff]")    # what a double-quoted "\ud800" gives: half a character


class Located(dict):
    """A mapping that remembers the line of each key (1-based) in `lines`."""

    lines: dict[str, int]
    line: int | None = None
    files: dict[str, str]       # key -> the CSV table that gave it (set by `tables` where a row did)


def read_yaml(path: Path) -> Located:
    """Read a YAML mapping from `path`, with per-key line numbers."""
    name = str(path)
    raw = read_regular_file(path, MAX_BYTES, "instance files", hint="put large tables in a CSV file beside it")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise InstanceError(name, "", f"file is not UTF-8 text (byte {exc.start:,} cannot be read)", line=line,
                            hint="save the file as UTF-8") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except RecursionError:
        raise InstanceError(name, "", "the file nests lists or mappings too deeply to be read",
                            hint=f"instance files need only a few levels; at most {MAX_DEPTH} are accepted") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise InstanceError(name, "", f"YAML syntax error: {problem}", line=at,
                            hint="check indentation and that every 'key: value' has a space after the colon") from None
    if node is None:
        raise InstanceError(name, "", "file is empty")
    counter = {"aliases": 0, "nodes": 0}
    data = _construct(node, name, "", counter, set())
    if not isinstance(data, Located):
        raise InstanceError(name, "", "the top level must be a mapping of 'key: value' lines", line=1)
    return data


def _construct(node, file: str, path: str, counter: dict, seen: set, depth: int = 0):
    if depth > MAX_DEPTH:
        raise InstanceError(file, path, f"nested more than {MAX_DEPTH} levels deep", line=node.start_mark.line + 1,
                            hint="instance files need only a few levels: is a bracket or an indent wrong?")
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
            out[key] = _construct(value_node, file, child, counter, seen, depth + 1)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(v, file, f"{path}[{i}]", counter, seen, depth + 1) for i, v in enumerate(node.value)]
    return _scalar(node, file, path)


def _scalar(node, file: str, path: str):
    if not isinstance(node, yaml.ScalarNode):
        raise InstanceError(file, path, "expected a plain value here", line=node.start_mark.line + 1)
    if node.tag.startswith("tag:yaml.org,2002:") and node.tag.split(":")[-1] in (
            "str", "int", "float", "bool", "null"):
        value = _SCALARS.construct_object(node)
        half = _SURROGATE.search(value) if isinstance(value, str) else None
        if half is not None:
            bad = half.group(0)
            raise InstanceError(file, path, f"the text holds '\\u{ord(bad):04x}', half of a character (a lone "
                                "surrogate), which no UTF-8 file can hold", line=node.start_mark.line + 1,
                                hint="write the character itself, or its escape \\UXXXXXXXX with all eight digits")
        if isinstance(value, int) and not isinstance(value, bool):
            try:
                float(value)
            except OverflowError:
                raise InstanceError(file, path, f"the number {node.value[:12]}... ({len(node.value):,} digits) is too "
                                    "large: numbers must be below about 1.8e308", line=node.start_mark.line + 1,
                                    hint="is a unit wrong? a larger unit keeps numbers small") from None
        return value
    raise InstanceError(file, path, f"YAML tag {node.tag!r} is not allowed", line=node.start_mark.line + 1)


def read_regular_file(path: Path, limit: int, what: str, hint: str | None = None) -> bytes:
    """The bytes of the regular file at `path`, at most `limit` of them; InstanceError otherwise.

    Devices (/dev/zero), FIFOs, sockets and folders are refused before reading: a FIFO
    would wait for ever for a writer, /dev/zero never ends. The file is opened without
    blocking and checked through its descriptor, so what is checked is what is read."""
    name = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise InstanceError(name, "", "file not found") from None
    except OSError as exc:
        raise InstanceError(name, "", f"cannot read the file ({exc.strerror})",
                            hint="check the path and its permissions") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file (a device, FIFO or socket)"
            raise InstanceError(name, "", f"this is {kind}", hint="give the path of a file")
        if info.st_size > limit:
            raise InstanceError(name, "", f"file is {info.st_size:,} bytes; {what} are limited to {limit:,} bytes",
                                hint=hint)
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise InstanceError(name, "", f"cannot read the file ({exc.strerror})") from None
    finally:
        os.close(fd)
    if len(data) > limit:           # it grew while being read
        raise InstanceError(name, "", f"file is over {limit:,} bytes; {what} are limited to {limit:,} bytes",
                            hint=hint)
    return data
