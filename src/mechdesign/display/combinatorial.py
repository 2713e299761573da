"""Notebook views and tables of combinatorial-auction results (winners, payments, LLG equilibria).

Each result class's ``_repr_html_`` / ``to_frame`` calls one function here; the HTML
pieces are those of :mod:`mechdesign.display.html`.
"""

from __future__ import annotations

from typing import Any

from mechdesign.display.html import MAX_ROWS, _num, _p, page, status, table


def _bundle_text(bundle: Any, items: tuple[str, ...]) -> str:
    order = {item: k for k, item in enumerate(items)} if items else {}
    return "{" + ", ".join(sorted(bundle, key=lambda i: (order.get(i, len(order)), i))) + "}"


def _won(wd: Any, bidder: str) -> str:
    return "; ".join(_bundle_text(s, wd.items) for s in wd.allocation[bidder])


def winners_frame(wd: Any):
    """One row per bidder: ``wins`` (her winning bundles), ``value`` (their bid prices)."""
    import pandas as pd

    bidders = list(wd.allocation)
    return pd.DataFrame({"wins": [_won(wd, b) for b in bidders], "value": [float(wd.values[b]) for b in bidders]},
                        index=pd.Index(bidders, name="bidder"))


def winners(wd: Any, max_rows: int = MAX_ROWS) -> str:
    """Status, welfare, gap and the winning bundles."""
    shown = list(wd.winners)
    rows = [[b, _won(wd, b), _num(wd.values[b])] for b in shown[:max_rows]]
    caption = f"first {max_rows} of {len(shown)} winners" if len(shown) > max_rows else ""
    head = _p(f"status {status(wd.status, wd.status == 'optimal')}, welfare {_num(wd.welfare)}, "
              f"gap {wd.gap:.2g}, {wd.time:.3g} s")
    return page(f"winner determination ({wd.backend})", head,
                table(["winner", "bundles", "bid"], rows, left=2, caption=caption))


def payments_frame(pay: Any):
    """One row per bidder: ``wins``, ``value`` (winning bids), ``pays``, ``utility`` (value − payment),
    and ``vcg`` / ``reference`` where the rule has them."""
    import pandas as pd

    wd = pay.winners
    bidders = list(pay.payments)
    columns: dict[str, Any] = {"wins": [_won(wd, b) for b in bidders],
                               "value": [float(wd.values[b]) for b in bidders],
                               "pays": [float(pay.payments[b]) + 0.0 for b in bidders]}
    columns["utility"] = [v - p for v, p in zip(columns["value"], columns["pays"])]
    for name in ("vcg", "reference"):
        points = getattr(pay, name)
        if points is not None:
            columns[name] = [float(points[b]) + 0.0 for b in bidders]
    return pd.DataFrame(columns, index=pd.Index(bidders, name="bidder"))


def payments(pay: Any, max_rows: int = MAX_ROWS) -> str:
    """Revenue, status, core constraints and each winner's payment (losers pay 0 and are left out)."""
    wd = pay.winners
    shown = [b for b in pay.payments if wd.allocation[b] or pay.payments[b] != 0]
    rows = [[b, _won(wd, b), _num(wd.values[b]), _num(pay.payments[b])] for b in shown[:max_rows]]
    caption = f"first {max_rows} of {len(shown)} winners" if len(shown) > max_rows else ""
    extra = "" if pay.minimum_revenue is None else f", minimum core revenue {_num(pay.minimum_revenue)}"
    head = _p(f"status {status(pay.status, pay.status == 'optimal')}, revenue {_num(pay.revenue)}{extra}, "
              f"{pay.core_constraints} core constraints, {pay.solves} winner determinations")
    return page(f"payments ({pay.rule})", head,
                table(["winner", "bundles", "bid", "pays"], rows, left=2, caption=caption))


def llg_rows(eq: Any) -> list[tuple[str, dict[str, float]]]:
    """(label, expected utilities) of the learned, refined, closed-form and published columns."""
    rows = [("learned (grid, interpolated)", eq.learned.expected_utilities)]
    if len(eq.refinement_losses) > 1:
        rows.append(("refined (best responses)", eq.evaluation.expected_utilities))
    if eq.closed_form is not None:
        rows.append(("closed form (Ausubel-Baranov)", eq.closed_form.expected_utilities))
    if eq.published is not None:
        rows.append(("published (bnelearn)", eq.published))
    return rows


def llg_frame(eq: Any):
    """Expected utilities of a local and the global: learned, refined, closed form, published."""
    import pandas as pd

    rows = llg_rows(eq)
    return pd.DataFrame({"local": [u["local"] for _, u in rows], "global": [u["global"] for _, u in rows]},
                        index=pd.Index([label for label, _ in rows], name="expected utility"))


def llg_equilibrium(eq: Any) -> str:
    """The learning run, the utilities side by side and the continuous utility loss."""
    run = eq.run
    head = _p(f"{run.method}: {status(run.status, run.status == 'success')} after {run.iterations} iterations "
              f"(discrete relative loss {run.loss.max_relative:.2g}), {eq.time:.3g} s")
    rows = [[label, f"{u['local']:.5f}", f"{u['global']:.5f}"] for label, u in llg_rows(eq)]
    e = eq.evaluation
    return page(f"LLG {eq.rule}, gamma {eq.gamma:g}, grid {eq.grid[0]}x{eq.grid[1]}", head,
                table(["expected utility", "local", "global"], rows, left=1,
                      caption=f"utility loss on the continuous prior {e.utility_loss:.2e} "
                              f"(relative {e.relative_loss:.2e}, worst type {e.max_loss:.2e})"))


__all__ = ["llg_equilibrium", "llg_frame", "payments", "payments_frame", "winners", "winners_frame"]
