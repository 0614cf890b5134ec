"""The lexicographic second stage: when it stops early, the deal keeps its optimal deficit
and the report and summary say the tie-break is not proven."""
from __future__ import annotations

import dataclasses

from tiny import tiny

import model.optimization.objectives as objectives
import model.run as run
from model.reporting.markdown import report_markdown
from model.reporting.terminal import run_summary as summary


def test_second_stage_stopped_early_is_reported(tmp_path, monkeypatch):
    inst = tiny(tmp_path)
    full = run.solve_instance(inst)
    calls = []
    real = run.solve

    def second_stage_times_out(solver, m, time_limit=None):
        out = real(solver, m, time_limit)
        calls.append(out.status)
        return dataclasses.replace(out, status="time_limit") if len(calls) == 2 else out
    monkeypatch.setattr(run, "solve", second_stage_times_out)
    monkeypatch.setattr(objectives, "solve", second_stage_times_out)
    r = run.solve_instance(inst)
    assert len(calls) == 2
    assert r.status == "optimal" and r.extras["stages"]["stage_two_status"] == "time_limit"
    assert r.metric("deficit").deal == full.metric("deficit").deal
    assert "second stage ended time limit rather than optimal" in report_markdown(r)
    assert "not proven optimal" in summary(r, tmp_path)
    assert "not proven optimal" not in summary(full, tmp_path)
