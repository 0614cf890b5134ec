"""Results of a solve and of every analysis, as plain typed data: what reports, comparisons and
tests read. Nothing here knows Pyomo; `Results.to_json()` is results.json."""
from model.results.core import (
    BOOKKEEPING_KINDS,
    ConstraintRow,
    LeverRow,
    MetricRow,
    Results,
    binding_rows,
    from_data,
    rounded,
)
from model.results.negotiation import *  # noqa: F403 (the negotiation commands' results)
from model.results.negotiation import __all__ as _negotiation
from model.results.over_time import OverTime, Schedule, YearLever, YearQuota, YearValues
from model.results.sections import *  # noqa: F403 (the section types are the package's vocabulary)
from model.results.sections import __all__ as _sections

__all__ = ["BOOKKEEPING_KINDS", "ConstraintRow", "LeverRow", "MetricRow", "Results", "binding_rows", "from_data",
           "rounded", "OverTime", "Schedule", "YearLever", "YearQuota", "YearValues", *_sections, *_negotiation]
