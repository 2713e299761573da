"""Equilibria of continuous-type mechanisms by learning on a type x bid grid.

``mechanism.equilibrium(method="learn", grid=(64, 64), options={...})`` runs three steps:

1. **discretise** (:mod:`mechdesign.auctions.grid`): type cells with their prior weights and
   a bid grid; the finite game is :class:`~mechdesign.auctions.grid_single_item.SingleItemGame`
   for first price, second price and all pay (order statistics, any number of bidders) and
   :class:`~mechdesign.auctions.grid_dense.DenseGame` for rule-defined mechanisms
   (:class:`~mechdesign.auctions.Custom`, :class:`~mechdesign.auctions.Contest`,
   :class:`~mechdesign.auctions.DoubleAuction`);
2. **learn** with :func:`mechdesign.games.learning.learn` (by default SODA's entropic dual
   averaging from a random start until the relative utility loss on the grid is at most
   ``1e-4``, SODA's own stopping rule);
3. **return to the continuum**: a :class:`~mechdesign.auctions.BidFunction` per bidder,
   certified by the continuous-type :func:`~mechdesign.auctions.utility_loss`; the grid
   game's exact epsilon and relative loss are reported beside it in ``diagnostics``. In
   formats whose equilibria are increasing (first price, all pay) the bid function is the
   increasing map with the learned bid distribution, ``G^{-1}(F(v))``
   (:meth:`~mechdesign.auctions.grid.DistributionalStrategy.monotone_bid_function`); it
   carries no grid atoms, which a best response on the continuum would exploit (measured
   on first price with two uniform bidders at 64 x 64: relative loss 4e-4 against 6e-3 for
   the interpolated mean bid). In a double auction, whose grid equilibria are step
   functions, it is the mean bid of each type cell (a step function,
   :meth:`~mechdesign.auctions.grid.DistributionalStrategy.step_bid_function`); elsewhere
   the mean bid per type point, interpolated
   (:meth:`~mechdesign.auctions.grid.DistributionalStrategy.bid_function`).

Defaults (``options``; chosen on measurements listed in docs/learning_auctions.md): one
class of identical bidders learns by SODA's entropic dual averaging with ties lost on the
grid (first price and all pay with the steps of :func:`format_step`); asymmetric first-price
and all-pay auctions by Frank-Wolfe with ties split and steps ``4 / (t + 4)``
(:data:`FRANK_WOLFE_WEIGHT`; dual averaging cycles there); rule-defined mechanisms by dual averaging. Unless ``bids`` is
given, the bid range is first fitted to the bids played on a coarse 24 x 24 grid
(``zoom``), so the grid's bids are spent where bidders bid.

What is guaranteed: ``diagnostics["discrete_epsilon"]`` is the exact epsilon of the
returned profile in the finite game, and ``loss`` is the measured best-response gain on the
continuum (a quadrature, see :func:`~mechdesign.auctions.utility_loss`). What is not: that
the grid game's equilibrium is close to the continuum's — the certificate says how close
it is. Results that contradict the theory are flagged in ``warnings`` (and emitted as
:class:`EquilibriumWarning`): learning that stopped at the iteration limit, decreasing bids
in formats whose equilibria are increasing (first price, all pay; types whose best response
earns less than ``STAKES`` = 0.1 % of the best type's are not checked: an epsilon-equilibrium
does not pin their bids down), and probability on the
highest bid of the grid by types that value the item more (the bid grid may be too narrow).
"""

from __future__ import annotations

import time
import warnings

import numpy as np

from mechdesign.auctions.grid import DistributionalStrategy, parse_grid
from mechdesign.errors import SpecError

__all__ = ["EquilibriumWarning", "LEARN_DEFAULTS", "format_step", "grid_game", "learn_equilibrium"]

#: Defaults of ``options`` for ``method="learn"`` (SODA's setting: random start, relative
#: utility loss 1e-4 on the grid).
LEARN_DEFAULTS = {
    "method": "auto", "iterations": None, "tol": 1e-4, "stop": "relative_loss", "seed": 0,
    "init": "random", "step": None, "regularizer": "entropic", "polish": False, "time_limit": None,
    "bids": None, "zoom": True, "symmetric": True, "ties": "auto", "bid_function": "auto", "loss_grid": 2048,
}
#: Dual-averaging steps per format where they differ from SODA's (eta = 50, beta = 0.05),
#: chosen on measured iterations to relative grid loss 1e-4 from random starts (64 x 64 and
#: 128 x 128 for ten bidders, ties lose, seeds 0-2, 2026-12-02):
#: first price with 2 / 3 / 4 / 10 bidders: 86-284 / 210-338 / 363-549 / 4924-5000+ at eta 200,
#: 65-97 / 69-233 / 99-224 / 1129-2584 at eta 800 (eta 3200 stops converging at ten);
#: all pay with 2 / 3 / 4 bidders: 442-538 / 519-667 / 571-682 at eta 50, 344-392 / 136-225 /
#: 169-192 at eta 200; with ten, 2565-2946 at eta 50 and no convergence in 5000 at eta 200, so
#: all pay with more than ``ALL_PAY_FAST_UP_TO`` bidders keeps SODA's step.
FORMAT_STEPS = {"first_price": {"eta": 800.0, "beta": 0.05}, "all_pay": {"eta": 200.0, "beta": 0.05}}
ALL_PAY_FAST_UP_TO = 4
#: Frank-Wolfe's step for auctions, gamma_t = c / (t + c) with this c (the classic rule is c = 2):
#: measured iterations to relative grid loss 1e-4 from random starts (64 x 64, ties split,
#: 2026-12-02): three asymmetric first-price bidders U[0,1], U[0,1.5], U[0,2] 2488-3002 at
#: c = 2, 1285-1448 at 3, 1259-1357 at 4, 1093-1181 at 5, 1170-1464 at 6, 1470-1740 at 8;
#: U[0,1] vs U[0,2] 3774-3953 at 2, 1774-1906 at 4, 1848-2024 at 5; all pay U[0,1] vs U[0,2]
#: (not reached in 5000 iterations) loss 1.6e-3 at 2, 9.1e-4 at 4, 1.2e-3 at 5.
FRANK_WOLFE_WEIGHT = 4.0
#: Default iteration budgets (``options["iterations"]`` None): SODA's 5000 for dual averaging and
#: mirror ascent; Frank-Wolfe and fictitious play converge as O(1/t) but cost less per iteration,
#: so they get 20 000 (asymmetric all pay U[0,1] vs U[0,2], 64 x 64: relative grid loss 2.5e-3
#: after 5000 iterations, 2.5e-4 after 20 000 in 1.5 s; measured 2026-12-02).
DEFAULT_ITERATIONS = {"dual_averaging": 5000, "mirror_ascent": 5000, "frank_wolfe": 20_000, "fictitious_play": 20_000}


def format_step(mechanism):
    """The dual-averaging step of :data:`FORMAT_STEPS` for ``mechanism`` (None: SODA's default)."""
    fmt = getattr(mechanism, "format", "")
    if fmt == "all_pay" and getattr(mechanism, "n_bidders", 0) > ALL_PAY_FAST_UP_TO:
        return None
    return dict(FORMAT_STEPS[fmt]) if fmt in FORMAT_STEPS else None
#: How a learned grid strategy becomes a bid function on the continuum.
BID_FUNCTIONS = ("auto", "monotone", "interpolated", "step")
#: Size of the coarse grid of the zoom pre-run (types, bids) and its iteration budget.
ZOOM_GRID = (24, 24)
ZOOM_ITERATIONS = 1500
#: Formats whose equilibrium bids are non-decreasing in the value (atomless priors).
MONOTONE_FORMATS = ("first_price", "all_pay")
#: Types whose best-response utility is below this share of the largest are not checked for
#: monotone bids.
STAKES = 1e-3


class EquilibriumWarning(UserWarning):
    """A learned equilibrium that contradicts the theory or may be limited by the grid."""


def _options(options) -> dict:
    opts = dict(LEARN_DEFAULTS)
    if options is None:
        return opts
    if not isinstance(options, dict):
        raise SpecError(f"options: expected a dict of learning options (got {type(options).__name__})")
    unknown = sorted(set(options) - set(LEARN_DEFAULTS))
    if unknown:
        raise SpecError(f"options: unknown learning options {unknown}; expected some of {sorted(LEARN_DEFAULTS)}")
    opts.update(options)
    if opts["bids"] is not None:
        try:
            lo, hi = (float(x) for x in opts["bids"])
        except (TypeError, ValueError):
            raise SpecError(f"options['bids']: expected a bid range (low, high) (got {opts['bids']!r})") from None
        if not (np.isfinite(lo) and np.isfinite(hi) and hi > lo):
            raise SpecError(f"options['bids']: expected a finite bid range with low < high (got ({lo}, {hi}))")
        opts["bids"] = (lo, hi)
    for key, allowed in (("bid_function", BID_FUNCTIONS), ("ties", ("auto", "lose", "random")),
                         ("method", ("auto", "dual_averaging", "mirror_ascent", "frank_wolfe", "fictitious_play"))):
        if opts[key] not in allowed:
            raise SpecError(f"options['{key}']: expected one of {list(allowed)} (got {opts[key]!r})")
    return opts


def grid_game(mechanism, grid=None, bids=None, symmetric=True, ties="lose"):
    """The finite learning game of ``mechanism`` on ``grid`` (see the module docstring).

    Parameters
    ----------
    mechanism : Auction or RuleMechanism
    grid : int or (types, bids), optional
        Sizes (default 64 x 64) or explicit points; ``types`` may be a list with one
        array per bidder.
    bids : (float, float), optional
        Bid range of an integer bid grid (default: the mechanism's).
    symmetric : bool
        Let identical bidders share one strategy.
    ties : {"lose", "random"}
        Tie-breaking of the single-item formats on the grid (rule-defined mechanisms break
        ties by their rule).
    """
    types_spec, bids_spec = parse_grid(grid)
    family = getattr(mechanism, "family", None)
    if family == "single_item":
        from mechdesign.auctions.grid_single_item import SingleItemGame

        return SingleItemGame(mechanism, types_spec, bids_spec, bid_range=bids, symmetric=bool(symmetric),
                              ties=ties)
    if family == "rule":
        from mechdesign.auctions.grid_dense import DenseGame

        return DenseGame(mechanism, types_spec, bids_spec, bid_range=bids, symmetric=bool(symmetric))
    raise SpecError(f"mechanism: expected an auction of mechdesign.auctions (got {type(mechanism).__name__})")


def learn_equilibrium(mechanism, grid=None, options=None, progress=None, certify=True):
    """Learn an equilibrium of ``mechanism`` on a grid and certify it on the continuum.

    Parameters
    ----------
    mechanism : Auction or RuleMechanism
    grid : int or (types, bids), optional
        Default ``(64, 64)``: 64 type cells per bidder and 64 bids (plus a stay-out action
        where a reserve or entry fee makes staying out different from a low bid).
    options : dict, optional
        Passed to :func:`mechdesign.games.learning.learn`: ``method`` (``"auto"``,
        ``"dual_averaging"``, ``"mirror_ascent"``, ``"frank_wolfe"``,
        ``"fictitious_play"``; ``"auto"``: dual averaging for one class of identical bidders,
        Frank–Wolfe for asymmetric auctions, the mechanism's ``learning_method`` for rule-defined
        ones), ``iterations`` (None: 5000 for dual averaging and mirror ascent, 20 000 for
        Frank–Wolfe and fictitious play, :data:`DEFAULT_ITERATIONS`), ``tol`` (1e-4), ``stop``
        (``"relative_loss"``, SODA's criterion, or ``"epsilon"``), ``seed`` (0), ``init``
        (``"random"``, ``"uniform"`` or arrays), ``step``, ``regularizer``, ``polish``
        (False), ``time_limit``. The grid: ``bids`` — the bid range ``(low, high)`` of an
        integer bid grid; ``zoom`` (True) — without ``bids``, fit the range to the bids
        played on a coarse grid first; ``symmetric`` (True) — identical bidders share a
        strategy; ``ties`` (``"auto"``, ``"lose"``, ``"random"``) — tie-breaking of first
        price, second price and all pay on the grid. Back on the continuum:
        ``bid_function`` (``"auto"``, ``"monotone"``, ``"interpolated"``, ``"step"``, see
        the module docstring); ``loss_grid`` (2048) — quadrature nodes of the continuous
        utility loss.
    progress : None, True or callable
        A progress bar on a terminal (True) or ``progress(done, total)``.
    certify : bool
        Compute the continuous utility loss.

    Returns
    -------
    Equilibrium
        Bid functions (``eq[i]``), ``eq.strategies`` the distributional strategies,
        ``eq.loss`` the continuous :class:`~mechdesign.auctions.UtilityLoss`,
        ``eq.status`` ``"success"`` when the grid target was reached (else
        ``"iteration_limit"``) and ``eq.diagnostics`` with ``discrete_epsilon``,
        ``discrete_relative_loss``, ``iterations``, ``time``, ``history`` and ``warnings``.
    """
    from mechdesign.games.learning import learn

    opts = _options(options)
    t0 = time.perf_counter()
    types_spec, bids_spec = parse_grid(grid)
    single, (lo, hi) = _layout(mechanism, types_spec, bids_spec, opts)
    method = opts["method"]
    single_item = getattr(mechanism, "family", None) == "single_item"
    asymmetric_auction = single_item and not single
    if method == "auto":
        if single_item:
            method = "frank_wolfe" if asymmetric_auction else "dual_averaging"
        else:
            method = getattr(mechanism, "learning_method", "dual_averaging")
    if opts["iterations"] is None:
        opts["iterations"] = DEFAULT_ITERATIONS[method]
    ties = opts["ties"]
    if ties == "auto":
        ties = "lose" if method == "dual_averaging" else "random"
    shape = opts["bid_function"]
    if shape == "auto":
        fmt = getattr(mechanism, "format", "")
        shape = "monotone" if fmt in MONOTONE_FORMATS else ("step" if fmt == "double_auction" else "interpolated")
    learn_kwargs = {k: opts[k] for k in ("iterations", "tol", "stop", "seed", "init", "step", "regularizer",
                                         "polish", "time_limit")}
    if learn_kwargs["step"] is None and method == "dual_averaging" and opts["regularizer"] == "entropic":
        learn_kwargs["step"] = format_step(mechanism)
    if learn_kwargs["step"] is None and method == "frank_wolfe":
        learn_kwargs["step"] = {"weight": FRANK_WOLFE_WEIGHT}
    bid_range = opts["bids"]
    zoomed = None
    if (bid_range is None and opts["zoom"] and getattr(mechanism, "format", "") != "second_price"
            and isinstance(bids_spec, (int, np.integer))):
        zoomed = _zoom(mechanism, lo, hi, method, ties, opts, learn_kwargs)
        bid_range = zoomed
    game = grid_game(mechanism, (types_spec, bids_spec), bid_range, opts["symmetric"], ties)
    build = time.perf_counter() - t0
    run = learn(game, method, progress=progress, **learn_kwargs)
    bidders = mechanism.n_bidders
    dists = mechanism.distributions
    labels = mechanism.labels
    distributional = [None] * bidders
    bid_functions = [None] * bidders
    for a, members in enumerate(game.classes):
        first = None
        for i in members:
            ds = DistributionalStrategy(game.types[a], game.action_values(a), run.strategies[a], labels[i])
            distributional[i] = ds
            if first is None:
                if shape == "monotone":
                    first = ds.monotone_bid_function(dists[i], ties if hasattr(game, "ties") else "random")
                elif shape == "step":
                    first = ds.step_bid_function(dists[i].support)
                else:
                    first = ds.bid_function(dists[i].support)
                bid_functions[i] = first
            else:
                bid_functions[i] = type(first)(first.values, first.bids, dists[i].support, first.cutoff,
                                               first._evaluate, labels[i])
    notes = _warnings(mechanism, game, run, opts, distributional)
    if zoomed is not None:
        top = max(float(np.nanmax(game.action_values(a))) for a in range(game.n_agents))
        for a, members in enumerate(game.classes):
            mass = game.type_weights[a] @ run.strategies[a]
            values = game.action_values(a)
            if float(mass[values == np.nanmax(values)].sum()) > 0.01:
                notes.append(f"{labels[members[0]]}: {mass[values == np.nanmax(values)].sum():.2%} of the bids are "
                             f"at the top of the zoomed bid range {top:.4g}; set options['bids'] or "
                             "options['zoom'] = False")
    loss = None
    if certify:
        from mechdesign.auctions.loss import utility_loss

        loss = utility_loss(mechanism, bid_functions, grid=int(opts["loss_grid"]))
    hist = run.history
    diagnostics = {
        "grid": _grid_text(game),
        "discrete_epsilon": float(run.epsilon),
        "discrete_relative_loss": float(run.loss.max_relative),
        "iterations": int(run.iterations),
        "time": float(run.elapsed),
        "build_time": float(build),
        "learning_method": run.method,
        "ties": ties if hasattr(game, "ties") else "rule",
        "bid_range": [float(game.bid_values[0]), float(game.bid_values[-1])],
        "zoomed": zoomed is not None,
        "bid_function": shape,
        "classes": [[labels[i] for i in members] for members in game.classes],
        "history": hist.to_dict(),
        "polish": run.polish.kind,
        "warnings": notes,
    }
    for note in notes:
        warnings.warn(note, EquilibriumWarning, stacklevel=3)
    stored = {k: (v if not isinstance(v, (list, tuple, np.ndarray)) or k == "bids" else "given")
              for k, v in opts.items()}
    stored["grid"] = _grid_text(game)
    stored["method"], stored["ties"] = method, (ties if hasattr(game, "ties") else "rule")
    from mechdesign.auctions.equilibrium import Equilibrium

    return Equilibrium(bid_functions, "learn", run.status, stored, loss, diagnostics, distributional)


def _layout(mechanism, types_spec, bids_spec, opts):
    """Whether all bidders form one class, and the bid range of an integer bid grid."""
    if getattr(mechanism, "family", None) == "single_item":
        probe = grid_game(mechanism, (types_spec, 2 if isinstance(bids_spec, (int, np.integer)) else bids_spec),
                          opts["bids"], opts["symmetric"], "random")
        return probe.n_agents == 1, (float(probe.bid_values[0]), float(probe.bid_values[-1]))
    from mechdesign.auctions.grid import types_for_bidder
    from mechdesign.auctions.grid_single_item import _same_spec

    n = mechanism.n_bidders
    specs = [types_for_bidder(types_spec, i, n) for i in range(n)]
    single = bool(opts["symmetric"]) and (n == 1 or (mechanism.is_symmetric and mechanism.anonymous and all(
        _same_spec(specs[0], x) for x in specs[1:])))
    return single, (opts["bids"] or mechanism.bid_range)


def _zoom(mechanism, lo, hi, method, ties, opts, learn_kwargs):
    """Bid range fitted to the bids played: learn on a coarse grid, keep up to the highest bid
    played plus two coarse steps (``None`` when that would not shrink the range by 10 %)."""
    from mechdesign.games.learning import learn

    coarse = grid_game(mechanism, ZOOM_GRID, (lo, hi), opts["symmetric"], ties)
    kwargs = dict(learn_kwargs, iterations=min(int(learn_kwargs["iterations"]), ZOOM_ITERATIONS), polish=False,
                  time_limit=None)
    run = learn(coarse, method, **kwargs)
    top = lo
    for a in range(coarse.n_agents):
        values = coarse.action_values(a)
        mass = coarse.type_weights[a] @ run.strategies[a]
        played = np.isfinite(values) & (mass > 1e-3)
        if played.any():
            top = max(top, float(np.max(values[played])))
    step = (hi - lo) / (ZOOM_GRID[1] - 1)
    new_hi = min(hi, top + 2 * step)
    if new_hi > lo + 0.9 * (hi - lo) or new_hi <= lo:
        return None
    return (lo, new_hi)


def _grid_text(game) -> str:
    k = sorted(set(game.n_types))
    types = str(k[0]) if len(k) == 1 else "/".join(map(str, game.n_types))
    return f"{types} types x {game.n_bids} bids"


def _warnings(mechanism, game, run, opts, distributional) -> list[str]:
    notes = []
    if run.status != "success":
        measure = "relative utility loss" if opts["stop"] == "relative_loss" else "epsilon"
        value = run.loss.max_relative if opts["stop"] == "relative_loss" else run.epsilon
        notes.append(f"learning stopped after {run.iterations} iterations with grid {measure} {value:.3g} "
                     f"above the target {opts['tol']:g}; raise options['iterations'] or loosen options['tol']")
    fmt = getattr(mechanism, "format", "")
    monotone = fmt in MONOTONE_FORMATS or getattr(mechanism, "monotone", False)
    seen = set()
    stakes = [u.max(axis=1) for u in game.utilities(run.strategies)] if monotone else None
    for a, members in enumerate(game.classes):
        ds = distributional[members[0]]
        label = ds.label if len(members) == 1 else f"{ds.label} (and {len(members) - 1} identical bidders)"
        bids = game.action_values(a)
        finite = bids[np.isfinite(bids)]
        step = float(np.max(np.diff(finite))) if finite.size > 1 else 0.0
        w = ds.weights
        if monotone and a not in seen:
            seen.add(a)
            part = ds.participation
            active = w > 0
            mean = ds.mean_bid
            # types whose best response earns next to nothing are not pinned down by an
            # epsilon-equilibrium (e.g. low values among many bidders): they are not checked
            relevant = stakes[a] >= STAKES * max(float(stakes[a].max()), 0.0)
            idx = np.flatnonzero(active & (part >= 0.5) & relevant)
            if idx.size > 1:
                drops = mean[idx[:-1]] - mean[idx[1:]]
                worst = int(np.argmax(drops))
                if drops[worst] > step + 1e-12:
                    notes.append(
                        f"{label}: learned bids decrease by {drops[worst]:.3g} between types "
                        f"{ds.points[idx[worst]]:.4g} and {ds.points[idx[worst + 1]]:.4g} (more than one bid step "
                        f"{step:.3g}), but {getattr(mechanism, 'title', 'these')} equilibrium bids are non-decreasing "
                        "in the value; refine the grid or raise options['iterations']")
            staying = np.flatnonzero(active & (part < 0.5))
            joined = np.flatnonzero(active & (part >= 0.5))
            if staying.size and joined.size and staying.max() > joined.min():
                notes.append(f"{label}: a type at {ds.points[staying.max()]:.4g} stays out although the lower type "
                             f"{ds.points[joined.min()]:.4g} participates; equilibrium participation is monotone")
        top = int(np.nanargmax(bids))
        eager = (w > 0) & (ds.probabilities[:, top] > 0.01) & (ds.points > bids[top] + step)
        if eager.any():
            notes.append(f"{label}: types from {ds.points[np.argmax(eager)]:.4g} up put probability on the highest "
                         f"bid of the grid {bids[top]:.4g}; the bid grid may be too narrow (options['bids'])")
    return notes
