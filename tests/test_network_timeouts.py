"""Every network wait of `sweep --scheduler` has a deadline (issue 12, item 7): a port that
accepts connections and never answers, or nothing listening, gives a clear exit-1 message
naming the address within the timeout, and writes nothing. Loopback only."""
from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from tiny import q, write

pytestmark = pytest.mark.slow  # waits for timeouts

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def silent_port():
    """A loopback port that accepts every connection and never sends a byte."""
    server = socket.create_server(("127.0.0.1", 0))
    held = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except (TimeoutError, OSError):
                continue
    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(timeout=5)
    for conn in held:
        conn.close()
    server.close()


def closed_port() -> int:
    """A loopback port that nothing listens on (taken, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sweep(tmp_path, address: str, timeout: str = "1"):
    path = write(tmp_path, {"uncertainty": {"segments.car.elasticity": {
        "distribution": "uniform", "low": q(-2, "1"), "high": q(-0.5, "1")}}})
    out = tmp_path / "out"
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, str(ROOT / "solve.py"), "sweep", str(path), "--monte-carlo", "3",
                           "--scheduler", address, "--scheduler-timeout", timeout, "--out", str(out)],
                          capture_output=True, text=True, timeout=90)   # the test fails, not hangs, if it hangs
    return proc, time.monotonic() - t0, out


def test_a_port_that_never_answers_times_out_with_a_clear_error(tmp_path, silent_port):
    """The issue's reproduction ran for over 4 minutes, until killed."""
    address = f"tcp://127.0.0.1:{silent_port}"
    proc, seconds, out = sweep(tmp_path, address)
    assert proc.returncode == 1, proc.stderr
    assert f"--scheduler {address}" in proc.stderr and "no Dask scheduler answered within 1 s" in proc.stderr
    assert "Traceback" not in proc.stderr and not out.exists()
    assert seconds < 45


def test_nothing_listening_is_a_clear_error(tmp_path):
    address = f"tcp://127.0.0.1:{closed_port()}"
    proc, seconds, out = sweep(tmp_path, address)
    assert proc.returncode == 1 and f"--scheduler {address}" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr and not out.exists()
    assert seconds < 45


def test_a_scheduler_without_workers_times_out(tmp_path):
    """A real scheduler with no worker would leave every draw waiting for ever."""
    from distributed import LocalCluster
    with LocalCluster(n_workers=0, processes=False, protocol="tcp://", host="127.0.0.1",
                      dashboard_address=":0") as cluster:
        proc, seconds, out = sweep(tmp_path, cluster.scheduler_address)
    assert proc.returncode == 1, proc.stderr
    assert "no worker joined it within 1 s" in proc.stderr and cluster.scheduler_address in proc.stderr
    assert not out.exists() and seconds < 45
