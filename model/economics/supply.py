"""Supply curves, and the equilibrium of a segment's sources at one tariff option.

Source i supplies X_i = X_i0 omega_i^phi_i, where omega_i = w_i / w_i0 is its supply price
(customs value per unit at the border; home producers: their price) relative to the
calibration year and phi_i > 0 its supply elasticity. Buyers pay r_i = omega_i tau_i with
tau_i = (1 + t_i)/(1 + t_i0). The equilibrium is the omega at which every source with a
finite phi sells what buyers take: ln q_i(r) = phi_i ln omega_i, q from the segment's demand
system (`model.economics.nests`). It is found by Newton's method on x_i = ln omega_i, with the
Jacobian E_ik - phi_i [i = k] (E the demand elasticities) and step halving whenever a step
does not lower the largest residual, to 1e-12 in ln q.

A source whose price is set outside the market is `fixed`: perfectly elastic supply
(omega = 1, r = tau), or a pass-through imposed by the instance (SMART style). A supply
price may have a floor (the partner's: omega >= 1 - m0 / w0, absorption bounded by its
margin m0): where the equilibrium would fall below it, the source sells at the floor what
buyers take there, off its curve, and the others are solved again.

Surplus of a supplier selling Q at supply price w, against the calibration year, with
inverse supply w(q) = w0 (q / X0)^(1/phi):
    PS(Q, w) - PS0 = w Q - w0 Q (Q / X0)^(1/phi) phi / (phi + 1) - w0 X0 / (phi + 1)
which on the curve is integral_w0^w X dw = X0 w0 (omega^(phi + 1) - 1)/(phi + 1), and with
perfectly elastic supply (phi infinite) Q (w - w0).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from model.economics.nests import Demand

TOLERANCE = 1e-12      # largest |ln q_i - phi_i ln omega_i| at the equilibrium
MAX_ITERATIONS = 100


@dataclass(frozen=True)
class Supplier:
    """How one source's price is set at one option."""

    tariff_factor: float             # tau = (1 + t)/(1 + t0)
    elasticity: float = math.inf     # phi; infinite: perfectly elastic (r = tau)
    fixed: float | None = None       # the buyer price ratio when set outside the market (imposed pass-through)
    floor: float = 0.0               # the lowest supply price ratio omega (0: none)

    @property
    def on_market(self) -> bool:
        """Does the equilibrium set its price (finite supply elasticity, nothing imposed)?"""
        return self.fixed is None and math.isfinite(self.elasticity)

    def set_ratio(self) -> float:
        """Its buyer price ratio where the market does not set it."""
        return self.fixed if self.fixed is not None else self.tariff_factor


@dataclass(frozen=True)
class Equilibrium:
    ratios: list[float]         # r_i, buyer prices relative to the calibration year
    supply_prices: list[float]  # omega_i, supply prices relative to the calibration year
    quantities: list[float]     # q_i, quantities relative to the calibration year


def equilibrium(demand: Demand, suppliers: list[Supplier]) -> Equilibrium:
    """Every source's buyer price, supply price and quantity (see the module docstring)."""
    if not any(s.on_market for s in suppliers):            # every price set outside the market
        ratios = [s.set_ratio() for s in suppliers]
        return Equilibrium(ratios, [r / s.tariff_factor for r, s in zip(ratios, suppliers)],
                           demand.quantities(ratios))
    n = len(suppliers)
    log_omega = [0.0] * n
    fixed = {i: s.set_ratio() for i, s in enumerate(suppliers) if not s.on_market}
    for i, s in enumerate(suppliers):
        if i in fixed:
            log_omega[i] = math.log(fixed[i] / s.tariff_factor)
    free = [i for i in range(n) if i not in fixed]
    while free:
        _newton(demand, suppliers, log_omega, free)
        below = [i for i in free if suppliers[i].floor > 0 and log_omega[i] < math.log(suppliers[i].floor)]
        if not below:
            break
        for i in below:                        # sells at its floor, off its curve
            log_omega[i] = math.log(suppliers[i].floor)
        free = [i for i in free if i not in below]
    ratios = [math.exp(x) * s.tariff_factor if i not in fixed else fixed[i]
              for i, (x, s) in enumerate(zip(log_omega, suppliers))]
    omega = [math.exp(x) for x in log_omega]
    return Equilibrium(ratios, omega, demand.quantities(ratios))


def _newton(demand: Demand, suppliers: list[Supplier], x: list[float], free: list[int]) -> None:
    """Solve ln q_i(r) = phi_i x_i for the free sources, in place."""
    tau = [s.tariff_factor for s in suppliers]

    def residual(trial: list[float]) -> tuple[list[float], list[float], list[float]]:
        r = [math.exp(v) * t for v, t in zip(trial, tau)]
        q = demand.quantities(r)
        return r, q, [math.log(q[i]) - suppliers[i].elasticity * trial[i] if q[i] > 0 else -math.inf for i in free]

    r, q, f = residual(x)
    if any(math.isinf(v) for v in f):          # buyers take nothing at the old supply prices: start at the old
        for i in free:                         # buyer prices instead
            x[i] = -math.log(tau[i])
        r, q, f = residual(x)
    for _ in range(MAX_ITERATIONS):
        size = max(abs(v) for v in f)
        if size <= TOLERANCE:
            return
        e = demand.elasticities(r, q)
        jac = [[e[i][k] - (suppliers[i].elasticity if i == k else 0.0) for k in free] for i in free]
        step = _solve(jac, [-v for v in f])
        scale = 1.0
        while True:
            trial = list(x)
            for j, i in enumerate(free):
                trial[i] = x[i] + scale * step[j]
            r2, q2, f2 = residual(trial)
            if max(abs(v) for v in f2) < size or scale < 1e-12:
                break
            scale /= 2
        x[:], r, q, f = trial, r2, q2, f2
    raise ArithmeticError(f"supply and demand did not meet within {MAX_ITERATIONS} Newton steps "
                          f"(largest residual {max(abs(v) for v in f):.3g})")


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    """x with a x = b: Gaussian elimination with partial pivoting (the systems are small)."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for c in range(n):
        p = max(range(c, n), key=lambda i: abs(m[i][c]))
        m[c], m[p] = m[p], m[c]
        pivot = m[c][c]
        for i in range(c + 1, n):
            f = m[i][c] / pivot
            if f:
                for k in range(c, n + 1):
                    m[i][k] -= f * m[c][k]
    out = [0.0] * n
    for i in range(n - 1, -1, -1):
        out[i] = (m[i][n] - sum(m[i][k] * out[k] for k in range(i + 1, n))) / m[i][i]
    return out


def surplus_change(quantity: float, price: float, base_quantity: float, base_price: float,
                   elasticity: float) -> float:
    """A supplier's surplus selling `quantity` at supply price `price`, less its surplus in the
    calibration year (module docstring); `elasticity` infinite: quantity (price - base price)."""
    if not math.isfinite(elasticity):
        return quantity * (price - base_price)
    phi = elasticity
    # Revenue change less the change in cost under the curve, C(Q) = w0 Q (Q/X0)^(1/phi) phi/(phi + 1):
    # exactly zero in the calibration year.
    grown = quantity * (quantity / base_quantity) ** (1 / phi) if quantity > 0 else 0.0
    return (price * quantity - base_price * base_quantity) - base_price * phi / (phi + 1) * (grown - base_quantity)


def curve_surplus(base_quantity: float, base_price: float, omega: float, elasticity: float) -> float:
    """integral_w0^w X dw on the curve: X0 w0 (omega^(phi + 1) - 1)/(phi + 1)."""
    return base_quantity * base_price * (omega ** (elasticity + 1) - 1) / (elasticity + 1)
