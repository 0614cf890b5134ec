"""What the environment allows, said plainly: too little memory, Ctrl-C while libraries load, a
library that cannot be loaded. Standard library only (the command line's start uses it before
anything else is loaded), and importable from any layer.
"""
from __future__ import annotations

import signal
import threading
from contextlib import contextmanager

MIN_ADDRESS_SPACE = 512 * 2**20     # bytes: numpy, pandas, Pyomo and HiGHS need about 400 MB of address space
EXIT_ERROR, EXIT_NO_SOLVER, EXIT_INTERRUPTED = 1, 6, 130
MEMORY_SIGNS = ("failed to map segment", "cannot allocate memory", "out of memory", "memory allocation")


@contextmanager
def interrupt_deferred():
    """Ctrl-C held back while libraries load, and delivered when they have: a KeyboardInterrupt
    inside an import can surface as another error (pydantic wraps it in a SchemaError) or
    leave a module half loaded. Held back with the signal mask, so the interrupt is raised
    in our code just after, where it is exit 130."""
    block = hasattr(signal, "pthread_sigmask") and threading.current_thread() is threading.main_thread()
    if block:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        if block:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)


def import_failure(exc: ImportError) -> tuple[int, str]:
    """(exit code, message) for a library that could not be loaded."""
    name = exc.name or "a library"
    chain: list[str] = []
    e: BaseException | None = exc
    while e is not None and len(chain) < 5:
        chain.append(str(e))
        e = e.__cause__ or e.__context__
    text = " ".join(chain).lower()
    if "highspy" in (exc.name or "") or "highspy" in text or "highs" in (exc.name or ""):
        return EXIT_NO_SOLVER, (f"error: HiGHS cannot be loaded ({_first_line(exc)}): install the 'highspy' package "
                                "(pip install highspy, or `make venv`). No output was changed.")
    if any(sign in text for sign in MEMORY_SIGNS):
        return EXIT_ERROR, memory_message()
    return EXIT_ERROR, (f"error: the library {name} cannot be loaded ({_first_line(exc)}); the environment may be "
                        "incomplete: run `make venv` (or install the packages in pyproject.toml). No output was changed.")


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return (lines[0] if lines else type(exc).__name__)[:300]


def memory_message() -> str:
    return ("error: not enough memory to start (the libraries could not be loaded); free some memory or raise the "
            f"limit (`ulimit -v`: at least {MIN_ADDRESS_SPACE // 2**20} MB). No output was changed.")


def address_space_short() -> str:
    """A message when the address-space limit is below MIN_ADDRESS_SPACE, else ''."""
    try:
        import resource
        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    except (ImportError, OSError, ValueError, AttributeError):      # not a POSIX system
        return ""
    if soft == resource.RLIM_INFINITY or soft >= MIN_ADDRESS_SPACE:
        return ""
    return (f"error: not enough memory to start: the address-space limit (`ulimit -v`) is {soft // 2**20} MB, and "
            f"this tool needs at least {MIN_ADDRESS_SPACE // 2**20} MB (more for large instances: see "
            "docs/reliability.md). No output was changed.")
