"""One command's solve and the analyses it runs: `solve` (the model solved, the deal verified,
the results' core) and `pipelines` (each command's steps, in order, with their rules)."""
from model.run.pipelines import (
    ALTERNATIVES,
    CORE,
    EVALUATE,
    FRONTIER,
    PIPELINES,
    RUN,
    SWEEP,
    WHOLE,
    Context,
    Options,
    Step,
    execute,
    execute_alternatives,
    execute_evaluation,
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

__all__ = ["ALTERNATIVES", "CORE", "EVALUATE", "FRONTIER", "PIPELINES", "RUN", "SWEEP", "SHADOW_PRICE_SOURCE", "WHOLE",
           "Context", "Options", "Step", "Verified", "constraint_rows", "diagnose_with_labels", "execute",
           "execute_alternatives", "execute_evaluation", "frontier_rule", "is_binding",
           "metric_rows", "solve_instance", "solve_model", "unbounded_explanation"]
