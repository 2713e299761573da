"""The :class:`CombinatorialAuction`: a :class:`~mechdesign.combinatorial.bids.BidTable` that solves itself.

Winner determination (:mod:`~mechdesign.combinatorial.wdp`), payment rules and the core
check (:mod:`~mechdesign.combinatorial.payments`) and the bridge to the finite core
(:mod:`~mechdesign.combinatorial.finite`) as methods, with the models and winners cached
per solver settings (:func:`~mechdesign.combinatorial.wdp.model_for`,
:func:`~mechdesign.combinatorial.wdp.winners_of`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mechdesign.combinatorial.bids import BidTable
from mechdesign.combinatorial.finite import to_environment
from mechdesign.combinatorial.payments import compute_payments, core_check
from mechdesign.combinatorial.wdp import model_for, winners_of

__all__ = ["CombinatorialAuction"]


class CombinatorialAuction(BidTable):
    """A sealed-bid auction of bundles of items (docs/combinatorial.md).

    Parameters
    ----------
    items : list of str
        The items on sale (unique names).
    bids : mapping
        ``{bidder: [(bundle, price), ...]}``; a bundle is a set (or list) of item
        names, a price a non-negative number. A bid may also be written
        ``{"bundle": [...], "price": ...}``. A bidder may have no bids.
    language : {"xor", "or"}
        Bid language of every bidder (module docstring).

    Raises
    ------
    SpecError
        Naming the bidder, the bid and the problem: an unknown item, a negative or
        non-finite price, an empty bundle, the same bundle twice in one bidder's bids.

    Examples
    --------
    >>> auc = CombinatorialAuction(items=["A", "B"],
    ...                            bids={"L1": [({"A"}, 2.0)], "L2": [({"B"}, 2.5)], "G": [({"A", "B"}, 3.5)]})
    >>> auc.winners().welfare
    4.5
    >>> auc.payments(rule="vcg").payments
    {'L1': 1.0, 'L2': 1.5, 'G': 0.0}
    """

    def winners(self, backend: str = "highs", *, time_limit: float | None = None, mip_gap: float | None = None,
                options: Mapping[str, Any] | None = None):
        """Winner determination (maximum reported welfare) as a MILP.

        Parameters
        ----------
        backend : {"highs", "scip", "cpsat"}
            HiGHS (``highspy``, default), SCIP (``pyscipopt``) or OR-Tools CP-SAT.
        time_limit : float, optional
            Seconds; on reaching it the best allocation found is returned with
            status ``"time_limit"`` and its gap.
        mip_gap : float, optional
            Relative optimality gap at which the solver may stop (default 1e-9).
        options : mapping, optional
            Extra backend options (see :mod:`mechdesign.combinatorial.wdp`).

        Returns
        -------
        WinnerDetermination
        """
        return winners_of(self, backend, time_limit=time_limit, mip_gap=mip_gap, options=options)

    def wdp_model(self, backend: str = "highs", *, time_limit: float | None = None, mip_gap: float | None = None,
                  options: Mapping[str, Any] | None = None, participation: Sequence[int] = ()):
        """The winner-determination model of this auction (built once per settings, then reused).

        See :class:`mechdesign.combinatorial.wdp.WDPModel`.
        """
        return model_for(self, backend, time_limit=time_limit, mip_gap=mip_gap, options=options,
                         participation=participation)

    def payments(self, rule: str = "vcg", *, reference: Mapping[str, float] | None = None, backend: str = "highs",
                 time_limit: float | None = None, mip_gap: float | None = None,
                 options: Mapping[str, Any] | None = None, progress: Any = None):
        """Payments of the winners under a payment rule (docs/combinatorial.md).

        Parameters
        ----------
        rule : str
            ``"pay_as_bid"``, ``"vcg"``, or a core-selecting rule: ``"nearest_vcg"``,
            ``"nearest_zero"`` (alias ``"proxy"``), ``"nearest_bid"``, ``"reference"``
            (nearest to ``reference``).
        reference : mapping, optional
            ``{bidder: amount}``, the reference point of ``rule="reference"``.
        backend, time_limit, mip_gap, options
            As in :meth:`winners`; they apply to every winner determination solved.
        progress : None, True or callable
            ``progress(done, total)`` after each winner determination (VCG's, then the
            core constraints'), or True for a bar on a terminal / a line in a notebook.

        Returns
        -------
        Payments
        """
        return compute_payments(self, rule, reference=reference, backend=backend, time_limit=time_limit,
                                mip_gap=mip_gap, options=options, progress=progress)

    def in_core(self, payments: Any, *, atol: float = 1e-9, rtol: float = 1e-9, backend: str = "highs"):
        """Whether a payment vector lies in the core (docs/combinatorial.md).

        Parameters
        ----------
        payments : Payments or mapping
            A :class:`~mechdesign.combinatorial.payments.Payments` result or
            ``{bidder: amount}`` (missing bidders pay 0), for the efficient allocation
            of :meth:`winners`.
        atol, rtol : float
            The check holds when the worst violation ≤ atol + rtol · (largest bid).

        Returns
        -------
        PropertyResult
            ``witness`` names the blocking coalition (or the bidder whose payment
            exceeds her bid), its allocation and the gain.
        """
        return core_check(self, payments, atol=atol, rtol=rtol, backend=backend)

    def to_environment(self, type_values: Mapping[str, Any], prior: Any = None, rules: Sequence[str] | None = None,
                       backend: str = "highs"):
        """The finite bridge: an Environment and one DirectMechanism per payment rule.

        ``type_values = {bidder: [type, ...]}``, a type being her value of each of
        her bundles (one number per bid of hers). Returns ``(env, {rule: mechanism})``;
        see :func:`mechdesign.combinatorial.finite.to_environment`.
        """
        return to_environment(self, type_values, prior=prior, rules=rules, backend=backend)
