"""Text from instances, offers, file names and the environment, made safe for where it goes.

Instance text is free text: a party name may hold an escape sequence that clears a
terminal or sets its window title, a label may hold NUL or a lone surrogate (which no
UTF-8 file can hold). Every writer that shows text to a person (the terminal, report.md,
html pages, charts) passes it through `visible`; error messages are also `clip`ped, so that
a 2 MB name or a 130,000-character CSV cell is not echoed whole. Files meant for programs
(results.json, the CSV files, the workbooks) keep the text as written, in their own
escaping (JSON's \\u001b, CSV quoting, the workbook's _x001B_).

`visible` writes each character that a terminal, browser or font would act on or cannot
draw as a Python-style escape: C0 controls but tab and newline (`\\x1b`), DEL and the C1
controls (`\\x7f`, `\\x9b`), the bidirectional overrides and isolates that reorder what is
shown (`\\u202e`), and lone surrogates (`\\udc80`). A literal backslash is left as it is,
so the result is for reading, not for parsing back.
"""
from __future__ import annotations

import re

# What `visible` rewrites: C0 controls other than tab and newline, DEL, C1 controls, the
# bidirectional embeddings, overrides and isolates and lone surrogates.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_UNSAFE_STREAM = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_UNSAFE_ALL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")

MAX_MESSAGE_CHARS = 2_000       # one error message, before the middle is cut
MAX_VALUE_CHARS = 80            # a value quoted inside a message ('...' is not a number)


def _escape(m: re.Match) -> str:
    c = ord(m.group(0))
    return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"


def visible(text: object, one_line: bool = False) -> str:
    """`text` with every control, bidirectional-override and lone-surrogate character written
    as an escape (`\\x1b`, `\\u202e`); tab and newline are kept unless `one_line`."""
    s = str(text)
    if s.isprintable():     # the common case, checked in C: every character `visible` rewrites is not printable
        return s
    return (_UNSAFE_ALL if one_line else _UNSAFE).sub(_escape, s)


def stream_safe(text: str) -> str:
    """What the command line's standard streams let through, whoever writes (argparse, a
    progress bar, a library's warning): `visible`, but keeping the carriage return that a
    progress bar redraws its line with."""
    return _UNSAFE_STREAM.sub(_escape, text)


def clip(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """`text` at most about `limit` characters: its start and end, and in the middle how many
    characters were cut (the end of a message usually holds its hint)."""
    if len(text) <= limit:
        return text
    tail = limit // 4
    head = limit - tail
    return f"{text[:head]} [... {len(text) - head - tail:,} characters cut ...] {text[-tail:]}"


def quoted(value: object, limit: int = MAX_VALUE_CHARS) -> str:
    """A value as an error message quotes it: visible, on one line, and at most `limit`
    characters (with the count of the rest)."""
    s = visible(value, one_line=True)
    if len(s) > limit:
        s = f"{s[:limit]}... ({len(s) - limit:,} more characters)"
    return f"'{s}'"
