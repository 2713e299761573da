"""Rich tables shared by the commands (one layout, one transfer header, user text never parsed as markup)."""

from __future__ import annotations

import numpy as np
from rich.table import Table

from mechdesign.cli.common import number, plain
from mechdesign.mechanisms.direct import DirectMechanism

__all__ = ["TRANSFER_HEADER", "mechanism_table"]

#: The header of transfer columns in every printed mechanism table.
TRANSFER_HEADER = "m {player}"


def mechanism_table(mech: DirectMechanism, max_rows: int = 20, title: str | None = None) -> Table:
    """One row per report profile: the types, the decision (alternative or lottery) and each transfer.

    Transfers are money received (the column header ``m <player>``); the last
    column is their sum. At most ``max_rows`` profiles are shown, in C order;
    the caption counts the rest.
    """
    env = mech.env
    table = Table(title=plain(title or f"{mech.name}: decision and transfers (money received) per type profile"))
    for p in env.players:
        table.add_column(plain(f"θ {p}"))
    table.add_column("decision")
    for p in env.players:
        table.add_column(plain(TRANSFER_HEADER.format(player=p)), justify="right")
    table.add_column("Σ m", justify="right")
    for count, prof in enumerate(np.ndindex(*env.n_types)):
        if count == max_rows:
            table.add_row(*["…"] * (2 * env.n_players + 2))
            table.caption = f"first {max_rows} of {env.n_profiles} profiles; … {env.n_profiles - max_rows} more"
            break
        out = mech.outcome(prof)          # one profile at a time: a lazy mechanism is never materialised
        if out.alternative is not None:
            decision = out.alternative
        else:
            decision = ", ".join(f"{env.alternatives[x]}: {number(q, '.3g')}" for x, q in enumerate(out.lottery)
                                 if q > 1e-9)
        m = np.asarray(out.transfers, dtype=float)
        table.add_row(*[plain(env.type_labels[i][t]) for i, t in enumerate(prof)], plain(decision),
                      *[number(x) for x in m], number(m.sum()))
    return table
