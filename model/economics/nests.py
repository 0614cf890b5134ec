"""Demand systems: how home buyers' purchases from each source respond to buyer prices.

A segment's sources are, in this order: each third country, the partner, home producers
(when the segment has them); the one-partner form has the partner alone. For source i,
r_i is its buyer price relative to the calibration year and q_i = Q_i / Q_i0 the quantity
relative to the calibration year. Each system gives q(r), the matrix of elasticities
E_ik = d ln q_i / d ln r_k (the supply side's Newton steps need it) and home buyers' surplus
loss against the calibration year (the area left of the demand curves).

- `SingleEquation` (one-partner form): q = r^e (constant elasticity) or max(0, 1 + e (r - 1))
  (linear); the loss is M0 B0 integral_1^r q.
- `NestedCES` (Armington, constant elasticity): home buyers choose how much of the segment
  to buy from its price index R (overall elasticity eta) and from which source by relative
  prices. One level: every source in one CES nest with sigma. Two levels (GTAP): home
  producers against the imports' composite with ESUBD, the import sources among themselves
  with ESUBM; one level is two with ESUBD = ESUBM. With base values at buyer prices V_i,
  import shares w^M_i = V_i / V_M and top shares W_M = V_M / V0, W_h = V_h / V0:
      R_M = (sum_imports w^M_i r_i^(1 - ESUBM))^(1/(1 - ESUBM))
      R   = (W_h r_h^(1 - ESUBD) + W_M R_M^(1 - ESUBD))^(1/(1 - ESUBD))     (R = R_M without home)
      q_i = R^eta (R_M / R)^(-ESUBD) (r_i / R_M)^(-ESUBM)    (an import)
      q_h = R^eta (r_h / R)^(-ESUBD)                          (home producers)
  (geometric means where an elasticity is 1). The loss is V0 integral_1^R rho^eta d rho.
- `Smart` (Armington, linear): SMART's system (Laird and Yeats 1986; Jammes and Olarreaga
  2005). Each source's own price change creates trade along the import demand curve with
  elasticity eta: c_i = 1 + eta (r_i - 1). Relative prices then divert trade between sources
  at an unchanged total, with SMART's substitution elasticity sigma: a source's claim on the
  total value C = sum_i C_i (customs values, SMART's trade values) is C_i g_i with
  g_i = max(0, 1 + sigma (1 - r_i)), so d_i = C g_i / sum_k C_k g_k and
      q_i = max(0, c_i + d_i - 1).
  When one source k's price changes by the fraction -D (D = 1 - r_k) and the others' do not,
  its diversion is exactly SMART's TD_k = C_k C_K sigma D / (C_k + C_K + C_k sigma D), C_K the
  other sources' total, taken from the others in proportion to their trade; a uniform change
  diverts nothing. Buyers' loss is SMART's: each source's own trapezoid along its creation
  curve, sum_i V_i integral_1^r_i max(0, 1 + eta (rho - 1)) d rho (the diversion moves trade
  at an unchanged total and is not a surplus in SMART's accounting); with one source it is
  the single equation's loss.
"""
from __future__ import annotations

import math
from typing import Protocol


class Demand(Protocol):
    """What the supply side and the option outcomes ask of a demand system (each class below)."""

    def quantities(self, r: list[float]) -> list[float]: ...

    def elasticities(self, r: list[float], q: list[float]) -> list[list[float]]: ...

    def buyer_cost(self, r: list[float]) -> float: ...

    def price_index(self, r: list[float]) -> float: ...


def surplus_area(x: float, e: float, form: str) -> float:
    """integral_1^x D(beta) d beta for a demand curve with D(1) = 1: beta^e (constant
    elasticity), or max(0, 1 + e (beta - 1)) (linear; zero above beta = 1 - 1/e)."""
    if form == "constant_elasticity":
        return math.log(x) if abs(e + 1) < 1e-12 else (x ** (e + 1) - 1) / (e + 1)
    top = min(x, 1 - 1 / e)
    return (top - 1) + e * (top - 1) ** 2 / 2


class SingleEquation:
    """The one-partner form: one source (the partner)."""

    def __init__(self, quantity: float, buyer_price: float, elasticity: float, form: str):
        self.value = quantity * buyer_price           # M0 B0
        self.e, self.form = elasticity, form

    def quantities(self, r: list[float]) -> list[float]:
        x = r[0]
        if self.form == "constant_elasticity":
            return [x ** self.e]
        return [max(0.0, 1 + self.e * (x - 1))]

    def elasticities(self, r: list[float], q: list[float]) -> list[list[float]]:
        if self.form == "constant_elasticity":
            return [[self.e]]
        return [[self.e * r[0] / q[0] if q[0] > 0 else 0.0]]

    def buyer_cost(self, r: list[float]) -> float:
        return self.value * surplus_area(r[0], self.e, self.form)

    def price_index(self, r: list[float]) -> float:
        return r[0]


def _index(weights: list[float], ratios: list[float], sigma: float) -> tuple[float, list[float]]:
    """(CES price index, current shares) of ratios with base shares `weights`; exactly 1 and the
    base shares when every ratio is 1."""
    if all(r == 1.0 for r in ratios):
        return 1.0, list(weights)
    if abs(sigma - 1) < 1e-12:
        return math.exp(sum(w * math.log(r) for w, r in zip(weights, ratios))), list(weights)
    terms = [w * r ** (1 - sigma) for w, r in zip(weights, ratios)]
    total = sum(terms)
    return total ** (1 / (1 - sigma)), [t / total for t in terms]


class NestedCES:
    """Armington CES: one level (`import_sigma` None) or GTAP's two levels, over the sources'
    base values at buyer prices: the third countries', the partner's and home producers'
    (0: none)."""

    def __init__(self, third: list[float], partner: float, home: float, eta: float, sigma: float,
                 import_sigma: float | None):
        has_home = home > 0
        values = [*third, partner] + ([home] if has_home else [])
        self.total = partner + sum(third) + home
        self.has_home = has_home
        self.eta, self.sd = eta, sigma
        self.sm = sigma if import_sigma is None else import_sigma
        self.two_level = import_sigma is not None and has_home
        self.weights = [v / self.total for v in values]            # one-level shares of V0
        imports = values[:-1] if has_home else values
        self.import_weights = [v / sum(imports) for v in imports]
        self.home_weight = values[-1] / self.total if has_home else 0.0

    def _state(self, r: list[float]) -> tuple[float, float, list[float], float]:
        """(R, R_M, import shares s^M, home's top-level share S_h)."""
        if not self.two_level:        # one level (ESUBM = ESUBD, or no home producers): sigma = ESUBM
            index, shares = _index(self.weights, r, self.sm)
            home = shares[-1] if self.has_home else 0.0
            imports = shares[:-1] if self.has_home else shares
            total = sum(imports)
            return index, index, [s / total for s in imports] if total > 0 else imports, home
        rm, sm = _index(self.import_weights, r[:-1], self.sm)
        index, top = _index([1 - self.home_weight, self.home_weight], [rm, r[-1]], self.sd)
        return index, rm, sm, top[1]

    def price_index(self, r: list[float]) -> float:
        return self._state(r)[0]

    def quantities(self, r: list[float]) -> list[float]:
        index, rm, _, _ = self._state(r)
        x = index ** self.eta
        if not self.two_level:        # one level: Q_i = Q_i0 R^eta (r_i / R)^(-sigma)
            return [x * (ri / index) ** (-self.sm) for ri in r]
        imports = x * (rm / index) ** (-self.sd)
        return [imports * (ri / rm) ** (-self.sm) for ri in r[:-1]] + [x * (r[-1] / index) ** (-self.sd)]

    def elasticities(self, r: list[float], q: list[float]) -> list[list[float]]:
        """E_ik = (eta + ESUBD) S_M s^M_k + (ESUBM - ESUBD) s^M_k - ESUBM [i = k] for imports i, k;
        E_ih = (eta + ESUBD) S_h; E_hk = (eta + ESUBD) S_M s^M_k; E_hh = (eta + ESUBD) S_h - ESUBD."""
        _, _, sm, sh = self._state(r)
        eta, sd, sim = self.eta, self.sd, self.sm
        top = 1 - sh
        m = len(sm)
        out = []
        for i in range(m):
            row = [(eta + sd) * top * sm[k] + (sim - sd) * sm[k] - (sim if i == k else 0.0) for k in range(m)]
            if self.has_home:
                row.append((eta + sd) * sh)
            out.append(row)
        if self.has_home:
            out.append([(eta + sd) * top * sm[k] for k in range(m)] + [(eta + sd) * sh - sd])
        return out

    def buyer_cost(self, r: list[float]) -> float:
        return self.total * surplus_area(self.price_index(r), self.eta, "constant_elasticity")


class Smart:
    """SMART's linear system (see the module docstring). `customs` are the sources' base trade
    values (customs values; home producers' sales at their price), `values` their base values
    at buyer prices (for buyers' surplus)."""

    def __init__(self, customs: list[float], values: list[float], eta: float, sigma: float):
        self.customs, self.values = customs, values
        self.total = sum(customs)
        self.eta, self.sigma = eta, sigma

    def _claims(self, r: list[float]) -> tuple[list[float], float]:
        g = [max(0.0, 1 + self.sigma * (1 - x)) for x in r]
        return g, sum(c * gi for c, gi in zip(self.customs, g))

    def quantities(self, r: list[float]) -> list[float]:
        g, total = self._claims(r)
        if total <= 0:                                 # every source priced out of the diversion stage
            g, total = [1.0] * len(r), self.total
        return [max(0.0, self.eta * (x - 1) + self.total * gi / total) for x, gi in zip(r, g)]

    def elasticities(self, r: list[float], q: list[float]) -> list[list[float]]:
        """d q_i / d r_k = eta [i = k] + (C / G) sigma (g_i C_k [g_k > 0] / G - [i = k][g_i > 0]), in logs."""
        g, total = self._claims(r)
        if total <= 0:
            g, total = [1.0] * len(r), self.total
        n = len(r)
        scale = self.total * self.sigma / total
        out = []
        for i in range(n):
            if q[i] <= 0:
                out.append([0.0] * n)
                continue
            row = []
            for k in range(n):
                d = scale * g[i] * self.customs[k] / total if g[k] > 0 else 0.0
                if i == k:
                    d += self.eta - (scale if g[i] > 0 else 0.0)
                row.append(d * r[k] / q[i])
            out.append(row)
        return out

    def buyer_cost(self, r: list[float]) -> float:
        return sum(v * surplus_area(x, self.eta, "linear") for v, x in zip(self.values, r) if x != 1.0)

    def price_index(self, r: list[float]) -> float:
        """The buyer-value-weighted mean of the price ratios (a report figure)."""
        return sum(v * x for v, x in zip(self.values, r)) / sum(self.values)
