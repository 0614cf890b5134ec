"""Test setup: the repository on sys.path, and no silent skips of the independent checks in CI.

Tests that compare with an independent solver or a real browser carry a marker (`glpk`,
`linopy`, `browser`) and are skipped, with the reason, when the tool is missing. With
REQUIRE_INDEPENDENT_CHECKS=1 (set by .ci/run) such a skip is a failure instead, so CI cannot
pass with them silently left out."""
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

INDEPENDENT = ("glpk", "linopy", "browser")


def required() -> bool:
    return os.environ.get("REQUIRE_INDEPENDENT_CHECKS") == "1"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.skipped and required() and any(item.get_closest_marker(k) for k in INDEPENDENT):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = (f"an independent check was skipped, and REQUIRE_INDEPENDENT_CHECKS=1 makes that a "
                           f"failure: {reason}")


@pytest.fixture
def drawn(monkeypatch):
    """Call a chart function; returns (its SVG text, the figure it drew): for the charts' tests."""
    from model.reporting import charts
    figures = []
    real = charts.to_svg

    def keep(fig):
        figures.append(fig)
        return real(fig)
    monkeypatch.setattr(charts, "to_svg", keep)

    def draw(fn, *args, **kw):
        svg = fn(*args, **kw)
        return svg, figures[-1]
    return draw
