"""HTML views of results for Jupyter (each class's ``_repr_html_`` calls one function here).

Every view names the object, its verdicts (holds / FAILS, status) and labels (players,
types, alternatives, properties), and shows at most :data:`MAX_ROWS` rows of a table
(``to_frame()`` has them all).
"""

from __future__ import annotations

from html import escape
from typing import Any, Iterable

import numpy as np

#: Rows of a profile table shown in a notebook.
MAX_ROWS = 30

_STYLE = ("<style>.mdv table{border-collapse:collapse;margin:.3em 0}.mdv th,.mdv td{padding:.15em .6em;"
          "border-bottom:1px solid #ddd;text-align:right}.mdv th{background:#f4f4f4}.mdv td.l,.mdv th.l"
          "{text-align:left}.mdv .ok{color:#1a7f37;font-weight:600}.mdv .bad{color:#c62828;font-weight:600}"
          ".mdv caption{caption-side:bottom;color:#666;font-size:.9em;text-align:left}</style>")


def _num(x: Any, digits: int = 6) -> str:
    x = float(x)
    if x == 0:          # also -0.0
        return "0"
    return f"{x:.{digits}g}"


def verdict(holds: bool) -> str:
    """A green "holds" or a red "FAILS"."""
    return '<span class="ok">holds</span>' if holds else '<span class="bad">FAILS</span>'


def status(text: str, good: bool) -> str:
    """A status word coloured by whether it is a success."""
    return f'<span class="{"ok" if good else "bad"}">{escape(str(text))}</span>'


def table(headers: Iterable[str], rows: Iterable[Iterable[str]], left: int = 0, caption: str = "",
          raw: bool = False) -> str:
    """An HTML table; the first ``left`` columns are left-aligned. Cells are escaped unless ``raw``."""
    cell = (lambda c: str(c)) if raw else (lambda c: escape(str(c)))
    head = "".join(f'<th class="l">{escape(h)}</th>' if k < left else f"<th>{escape(h)}</th>"
                   for k, h in enumerate(headers))
    body = "".join("<tr>" + "".join(f'<td class="l">{cell(c)}</td>' if k < left else f"<td>{cell(c)}</td>"
                                    for k, c in enumerate(row)) + "</tr>" for row in rows)
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def page(title: str, *parts: str) -> str:
    """Wrap parts under a bold title in the styled container."""
    return f'{_STYLE}<div class="mdv"><b>{escape(title)}</b>{"".join(parts)}</div>'


def _p(text: str) -> str:
    return f"<div>{text}</div>"


# ------------------------------------------------------------------ audits
def property_result(result: Any) -> str:
    """A PropertyResult: name, verdict, worst violation, tolerance and witness."""
    rows = [("verdict", verdict(result.holds)), ("worst violation", _num(result.violation)),
            ("tolerance", _num(result.tolerance, 3))]
    if result.witness is not None:
        rows.append(("witness", escape(result.witness.description)))
    return page(f"property {result.name}", table(["", ""], rows, left=2, raw=True))


def report(rep: Any) -> str:
    """A Report: one row per property with verdict, worst violation and counterexample; the metrics."""
    rows = [(escape(name), verdict(r.holds), _num(r.violation),
             "" if r.holds or r.witness is None else escape(r.witness.description))
            for name, r in rep.results.items()]
    metrics = table(list(rep.metrics), [[_num(x) for x in rep.metrics.values()]])
    return page(f"Properties of {rep.mechanism}",
                table(["property", "verdict", "worst violation", "counterexample"], rows, left=1, raw=True),
                metrics)


# -------------------------------------------------------------- mechanisms
def mechanism(mech: Any, max_rows: int = MAX_ROWS) -> str:
    """A direct mechanism: decision and transfers (money received) by type profile, with labels."""
    env = mech.env
    headers = [f"θ {p}" for p in env.players] + ["decision"] + [f"m {p}" for p in env.players] + ["Σ m"]
    rows = []
    for count, profile in enumerate(np.ndindex(*env.n_types)):
        if count == max_rows:
            break
        _, _, transfers = mech.block(tuple(slice(t, t + 1) for t in profile))
        m = np.asarray(transfers).reshape(-1)
        rows.append([*(env.type_labels[i][t] for i, t in enumerate(profile)),
                     _decision_text_block(mech, profile), *(_num(x) for x in m), _num(m.sum())])
    caption = (f"first {max_rows} of {env.n_profiles} profiles (to_frame() has them all)"
               if env.n_profiles > max_rows else "")
    kind = "deterministic" if mech.is_deterministic else "randomized"
    info = _p(escape(f"{kind}; players {', '.join(env.players)}; alternatives {', '.join(env.alternatives)}; "
                     f"{env.n_profiles} type profiles; m = money received"))
    return page(f"{type(mech).__name__} {mech.name!r}", info,
                table(headers, rows, left=env.n_players + 1, caption=caption))


def _decision_text_block(mech: Any, profile: tuple[int, ...]) -> str:
    indices, lottery, _ = mech.block(tuple(slice(t, t + 1) for t in profile))
    env = mech.env
    if indices is not None:
        return env.alternatives[int(np.asarray(indices).reshape(-1)[0])]
    row = np.asarray(lottery).reshape(-1, env.n_alternatives)[0]
    return ", ".join(f"{x}: {p:.3g}" for x, p in zip(env.alternatives, row) if p > 1e-12)


def indirect_mechanism(mech: Any, max_rows: int = MAX_ROWS) -> str:
    """An indirect mechanism: outcome g(a) by action profile."""
    env = mech.env
    headers = [f"a {p}" for p in env.players] + ["decision"] + [f"m {p}" for p in env.players]
    rows = []
    total = int(np.prod(mech.n_actions))
    for count, profile in enumerate(np.ndindex(*mech.n_actions)):
        if count == max_rows:
            break
        out = mech.outcome(profile)
        decision = out.alternative if out.alternative is not None else ", ".join(
            f"{x}: {p:.3g}" for x, p in zip(env.alternatives, out.lottery) if p > 1e-12)
        rows.append([*(mech.action_labels[i][a] for i, a in enumerate(profile)), decision,
                     *(_num(x) for x in out.transfers)])
    caption = f"first {max_rows} of {total} action profiles" if total > max_rows else ""
    return page(f"Mechanism {mech.name!r}", _p(escape(f"players {', '.join(env.players)}; outcome g(a) "
                                                       f"by action profile; m = money received")),
                table(headers, rows, left=env.n_players + 1, caption=caption))


# ------------------------------------------------------------------- games
def _strategy_rows(eq: Any) -> list[list[str]]:
    from mechdesign.games.results import strategy_text

    rows = []
    for i, s in enumerate(eq.strategies):
        for t, line in enumerate(strategy_text(eq.labels, i, s)):
            rows.append([eq.labels.players[i], eq.labels.type_labels[i][t], line.split(" -> ", 1)[1]])
    return rows


def equilibrium(eq: Any) -> str:
    """A Bayes–Nash equilibrium: per player and type, the action (or mixture); its epsilon."""
    kind = "pure" if eq.is_pure else "mixed"
    return page(f"Bayes–Nash equilibrium ({kind}, epsilon {eq.epsilon:.3g})",
                table(["player", "type", "plays"], _strategy_rows(eq), left=3))


def equilibrium_result(result: Any) -> str:
    """What solve_bne found: method, status, count and each equilibrium."""
    n = len(result.equilibria)
    head = _p(f"method {escape(result.method)}, status {status(result.status, result.success)}, "
              f"{n} {'equilibrium' if n == 1 else 'equilibria'}, max epsilon {result.max_epsilon:.3g}"
              + (f" — {escape(result.message)}" if result.message else ""))
    parts = [head]
    for k, eq in enumerate(result.equilibria[:MAX_ROWS]):
        parts.append(f"<div><i>equilibrium {k} ({'pure' if eq.is_pure else 'mixed'}, epsilon "
                     f"{eq.epsilon:.3g})</i></div>" + table(["player", "type", "plays"], _strategy_rows(eq), left=3))
    if n > MAX_ROWS:
        parts.append(_p(f"… and {n - MAX_ROWS} more"))
    return page("solve_bne", *parts)


def revelation(result: Any) -> str:
    """The revelation principle's direct mechanism and its certificate."""
    lines = [f"σ* is a BNE of the game (epsilon {result.epsilon:.3g}); truth-telling in g∘σ*: BIC "
             f"{verdict(result.bic.holds)} (worst violation {_num(result.bic.violation)})"]
    if result.dsic is not None:
        lines.append(f"σ* is dominant, so DSIC {verdict(result.dsic.holds)}")
    return page("Revelation principle", *(_p(x) for x in lines), mechanism(result.mechanism))


# ------------------------------------------------------------------ design
def design(result: Any) -> str:
    """A DesignResult: status, objective, constraints, value, re-verification or certificate, mechanism."""
    goal = "minimising deficit" if result.objective == "deficit" else f"maximising {result.objective}"
    rows = [("status", status(result.status, result.status == "optimal")),
            ("objective", escape(goal)),
            ("subject to", escape(", ".join(result.constraints) or "(none)")),
            ("method", escape(result.method))]
    if result.value is not None:
        rows.append(("value", _num(result.value, 10)))
    parts = [table(["", ""], rows, left=2, raw=True)]
    if result.verification is not None:
        checks = [(escape(k), verdict(r.holds), _num(r.violation)) for k, r in result.verification.checks.items()]
        parts.append(_p("<i>every requested property re-audited on the mechanism</i>")
                     + table(["property", "verdict", "worst violation"], checks, left=1, raw=True))
    if result.certificate is not None:
        parts.append(_p(f"<i>Farkas certificate of infeasibility, verified in exact arithmetic: "
                        f"{verdict(result.certificate.verify())}</i>")
                     + f"<pre>{escape(result.certificate.explain())}</pre>")
    if result.mechanism is not None:
        parts.append(mechanism(result.mechanism))
    return page("design", *parts)


def certificate(cert: Any) -> str:
    """A Farkas certificate: whether it verifies exactly, and the rows that carry the proof."""
    return page("Farkas certificate of infeasibility", _p(f"verified in exact arithmetic: {verdict(cert.verify())}"),
                f"<pre>{escape(cert.explain())}</pre>")


def verification(ver: Any) -> str:
    """The re-audit of a designed mechanism: one row per requested property."""
    checks = [(escape(k), verdict(r.holds), _num(r.violation)) for k, r in ver.checks.items()]
    return page("verification", table(["property", "verdict", "worst violation"], checks, left=1, raw=True))


# ---------------------------------------------------------------- auctions
def auction_equilibrium(eq: Any) -> str:
    """Equilibrium bid functions: per bidder, support, cut-off, bids at quartiles of the support, loss."""
    rows = []
    for k, b in enumerate(eq):
        lo, hi = b.support
        qs = lo + (hi - lo) * np.array([0.25, 0.5, 0.75, 1.0])
        bids = [("—" if not np.isfinite(x) else _num(x, 4)) for x in np.atleast_1d(b(qs))]
        loss = "" if eq.loss is None else f"{eq.loss.relative[k]:.2e}"
        rows.append([b.label, f"[{lo:g}, {hi:g}]", _num(b.cutoff, 4), *bids, loss])
    headers = ["bidder", "values", "cut-off", "b(25%)", "b(50%)", "b(75%)", "b(max)", "relative loss"]
    return page(f"auction equilibrium ({eq.method}), status "
                f"{eq.status}", table(headers, rows, left=2,
                                      caption="b(q%): bid at that point of the value support; relative loss = "
                                              "best-response gain / equilibrium utility"))


def summary(obj: Any, title: str, holds: bool | None = None) -> str:
    """A result shown by its verdict and its summary() text."""
    head = _p(f"verdict {verdict(holds)}") if holds is not None else ""
    return page(title, head, f"<pre>{escape(obj.summary())}</pre>")


def myerson(result: Any) -> str:
    """Myerson's optimal auction: revenue, reserves and ironed intervals per bidder."""
    rows = [[lab, _num(r), ", ".join(f"[{a:.4g}, {b:.4g}]" for a, b in ivs) or "none"]
            for lab, r, ivs in zip(result.labels, result.reserves, result.ironed_intervals)]
    return page(f"Myerson optimal auction: expected revenue {result.expected_revenue:.6f}",
                table(["bidder", "reserve", "ironed intervals"], rows, left=1))


def outcomes(result: Any) -> str:
    """Auction outcomes: totals and per-bidder win probability, payment and surplus."""
    totals = table(["revenue", "welfare", "bidder surplus", "P(no sale)"],
                   [[_num(result.revenue), _num(result.welfare), _num(result.surplus), _num(result.prob_no_sale)]])
    n = len(result.win_probability)
    per = table(["bidder", "P(win)", "expected payment", "expected surplus"],
                [[str(i + 1), _num(result.win_probability[i]), _num(result.payment[i]),
                  _num(result.bidder_surplus[i])] for i in range(n)], left=1)
    return page(f"auction outcomes ({result.method})", totals, per)


def utility_loss(loss: Any) -> str:
    """Utility loss per bidder."""
    rows = [[str(i + 1), f"{a:.3e}", f"{r:.3e}"] for i, (a, r) in enumerate(zip(loss.absolute, loss.relative))]
    return page(f"utility loss ({loss.method})", table(["bidder", "absolute", "relative"], rows, left=1))


def revenue_equivalence(result: Any) -> str:
    """Revenue equivalence: revenues and differences, whether the theorem applies and holds."""
    rows = [[name, _num(rev, 8), f"{d:+.2e}"] for name, rev, d in zip(result.names, result.revenues,
                                                                     result.differences)]
    return page("revenue equivalence",
                _p(f"applies: {escape(str(result.applies))}; verdict {verdict(result.holds)}; allocation gap "
                   f"{result.allocation_gap:.2e}; lowest-type utility gap {result.lowest_utility_gap:.2e}"),
                table(["auction", "revenue", "difference"], rows, left=1))
