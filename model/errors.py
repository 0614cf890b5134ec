"""Errors a user can act on: each names the file, the field and what is wrong."""
from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass
class InstanceError(Exception):
    """A problem with an instance file, found before any model is built."""

    file: str
    field: str
    message: str
    line: int | None = None
    hint: str | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        text = f"{where}: {self.field or '(top level)'}: {self.message}"
        return text if not self.hint else f"{text}\n  hint: {self.hint}"


class InstanceErrors(Exception):
    """Several problems found at once, reported together so a user fixes them in one pass."""

    def __init__(self, errors: list[InstanceError]):
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


class SolverUnavailable(Exception):
    """HiGHS is missing or broken on this machine."""


class EngineUnavailable(Exception):
    """The Dask scheduler given with --scheduler cannot be reached."""


def did_you_mean(word: str, choices) -> str | None:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    known = sorted(choices)
    if len(known) > 12:
        return f"known: {', '.join(known[:12])}, ... ({len(known)} in all)"
    return f"known: {', '.join(known)}" if known else None
