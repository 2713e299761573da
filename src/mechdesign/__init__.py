"""mechdesign: Bayesian mechanism design — model, build, audit and optimise mechanisms."""

import importlib.metadata as _metadata

from mechdesign import compute, errors, examples
from mechdesign.analysis.interim import InterimRules, interim_rules
from mechdesign.analysis.metrics import (budget_surplus, expected_deficit, expected_revenue,
                                         expected_surplus, expected_utilities, expected_welfare,
                                         worst_case_deficit)
from mechdesign.analysis.properties import (is_bic, is_budget_balanced, is_dsic, is_efficient, is_ir)
from mechdesign.analysis.report import Report, check
from mechdesign.analysis.results import PropertyResult, Witness
from mechdesign.compute.sweep import sweep
from mechdesign.display.interim import plot_interim
from mechdesign.design import DesignResult, FarkasCertificate, LinearConstraint, Verification, design
from mechdesign.games.bayesian import BayesianGame
from mechdesign.games.equilibrium import dominant_strategy_equilibria, solve_bne, verify_bne
from mechdesign.games.gambit import from_gambit, read_efg, to_gambit, write_efg, write_nfg
from mechdesign.games.results import (BNEVerification, Deviation, DominanceResult, Equilibrium,
                                      EquilibriumResult)
from mechdesign.games.revelation import ImplementationResult, RevelationResult, implements, revelation
from mechdesign.mechanisms.agv import agv, expected_externality
from mechdesign.mechanisms.direct import DirectMechanism, Outcome
from mechdesign.mechanisms.efficient import efficient_decision
from mechdesign.mechanisms.groves import clarke_pivot, groves, status_quo_pivot, vcg
from mechdesign.mechanisms.indirect import Mechanism
from mechdesign.mechanisms.lazy import LazyDirectMechanism
from mechdesign.model.correlated import SpanningCondition, cremer_mclean_condition
from mechdesign.model.environment import Environment
from mechdesign.model.prior import IndependentPrior, JointPrior, Prior

try:
    __version__ = _metadata.version("mechdesign")
except _metadata.PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"


#: Subpackages imported on first use (``md.auctions`` pulls in scipy.stats: slow, memory-hungry;
#: ``md.combinatorial`` the MILP solvers). Each is public and has its own ``__all__``; the API
#: reference documents each of them.
_LAZY_SUBPACKAGES = ("auctions", "combinatorial")

__all__ = [
    # model
    "Environment", "IndependentPrior", "JointPrior", "Prior", "SpanningCondition", "cremer_mclean_condition",
    # mechanisms
    "DirectMechanism", "LazyDirectMechanism", "Mechanism", "Outcome", "agv", "clarke_pivot",
    "efficient_decision", "expected_externality", "groves", "status_quo_pivot", "vcg",
    # analysis
    "InterimRules", "PropertyResult", "Report", "Witness", "budget_surplus", "check", "expected_deficit", "expected_revenue",
    "expected_surplus", "expected_utilities", "expected_welfare", "interim_rules", "is_bic", "is_budget_balanced", "is_dsic",
    "is_efficient", "is_ir", "worst_case_deficit",
    # games
    "BNEVerification", "BayesianGame", "Deviation", "DominanceResult", "Equilibrium", "EquilibriumResult",
    "ImplementationResult", "RevelationResult", "dominant_strategy_equilibria", "from_gambit", "implements",
    "read_efg", "revelation", "solve_bne", "to_gambit", "verify_bne", "write_efg", "write_nfg",
    # design
    "DesignResult", "FarkasCertificate", "LinearConstraint", "Verification", "design",
    # compute and display
    "plot_interim", "sweep",
    # modules and subpackages
    "compute", "errors", "examples", *_LAZY_SUBPACKAGES,
]


def __getattr__(name: str):
    if name in _LAZY_SUBPACKAGES:
        import importlib

        return importlib.import_module(f"mechdesign.{name}")
    raise AttributeError(f"module 'mechdesign' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY_SUBPACKAGES))
