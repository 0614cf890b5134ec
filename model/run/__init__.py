"""One command's solve and the analyses it runs: `solve` (the model solved, the deal verified,
the results' core) and `pipelines` (each command's steps, in order, with their rules)."""
from model.run.pipelines import (
    CORE,
    FRONTIER,
    PIPELINES,
    RUN,
    SWEEP,
    Context,
    Options,
    Step,
    execute,
    frontier_rule,
    solve_instance,
)
from model.run.solve import (
    SHADOW_PRICE_SOURCE,
    Verified,
    constraint_rows,
    diagnose_with_labels,
    is_binding,
    metric_rows,
    solve_model,
    unbounded_explanation,
)

__all__ = ["CORE", "FRONTIER", "PIPELINES", "RUN", "SWEEP", "SHADOW_PRICE_SOURCE", "Context", "Options", "Step",
           "Verified", "constraint_rows", "diagnose_with_labels", "execute", "frontier_rule", "is_binding",
           "metric_rows", "solve_instance", "solve_model", "unbounded_explanation"]
