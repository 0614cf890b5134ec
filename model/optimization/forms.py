"""Linear forms over HiGHS columns: the model's arithmetic without Pyomo.

A `Form` is sum_j terms[j] x_j + constant, x_j a HiGHS column. The build's metric code and row
generators (`build.metric_expressions`, `build.row_families`) run on Forms when they are given
`linear_form` and a namespace of `Columns` (the re-solve path of sweeps); the model handle holds
each metric it uses as a Form to set objectives and add rows without going back to Pyomo.
"""
from __future__ import annotations

from typing import Any

import numpy as np


class Form:
    """sum_j terms[j] x_j + constant, over HiGHS column numbers (same operations as Pyomo's
    linear expressions, in the same order, so that coefficients come out identical)."""

    __slots__ = ("terms", "constant")

    def __init__(self, terms: dict | None = None, constant: float = 0.0):
        self.terms = {} if terms is None else terms
        self.constant = constant

    def __add__(self, other):
        if not isinstance(other, Form):
            return Form(dict(self.terms), self.constant + other)
        terms = dict(self.terms)
        for k, v in other.terms.items():
            terms[k] = terms.get(k, 0) + v
        return Form(terms, self.constant + other.constant)

    __radd__ = __add__

    def __neg__(self):
        return Form({k: -v for k, v in self.terms.items()}, -self.constant)

    def __sub__(self, other):
        if not isinstance(other, Form):
            return Form(dict(self.terms), self.constant - other)
        terms = dict(self.terms)
        for k, v in other.terms.items():
            terms[k] = terms.get(k, 0) - v
        return Form(terms, self.constant - other.constant)

    def __rsub__(self, other):
        return (-self) + other

    def __mul__(self, c):
        return Form({k: v * c for k, v in self.terms.items()}, self.constant * c)

    __rmul__ = __mul__

    def value(self, x) -> float:
        """The form at column values `x`."""
        return float(sum(v * x[k] for k, v in self.terms.items()) + self.constant)

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """(columns, coefficients), zero coefficients dropped: a row or a cost vector for HiGHS."""
        cols = np.fromiter((k for k, v in self.terms.items() if v), dtype=np.int32)
        coefs = np.fromiter((v for v in self.terms.values() if v), dtype=float)
        return cols, coefs


# A metric or row side as the build makes it: a Pyomo linear expression (Pyomo has no type
# information, so it is Any to mypy), `resolve`'s Form, or a plain number (no terms on an instance).
LinearExpr = Any | Form | float


def form_of(value) -> Form:
    """A Form of a Form or a plain number (a metric with no terms on an instance is a constant)."""
    return value if isinstance(value, Form) else Form({}, float(value))


def linear_form(coefs, variables, constant=0.0):
    """`build.linear` for Forms: constant + sum_i coefs[i] * variables[i]."""
    if not variables:
        return constant if constant else 0
    terms: dict = {}
    if coefs is None:
        for v in variables:
            (k,) = v.terms
            terms[k] = terms.get(k, 0) + 1
    else:
        for c, v in zip(coefs, variables):
            (k,) = v.terms
            terms[k] = terms.get(k, 0) + c
    return Form(terms, constant) if constant else Form(terms)


class Columns:
    """`var[index]` -> the Form of the HiGHS column of that model variable."""

    def __init__(self, cols: dict):
        self.cols = cols

    def __getitem__(self, index):
        return Form({self.cols[index]: 1})


def without_round_off(form: Form, rel: float = 1e-12) -> Form:
    """`form` without terms whose coefficient is round-off (below `rel` of the largest): in a row
    HiGHS would drop them anyway, with a warning on stdout."""
    biggest = max((abs(c) for c in form.terms.values()), default=0.0)
    return Form({k: c for k, c in form.terms.items() if abs(c) > rel * biggest}, form.constant)
