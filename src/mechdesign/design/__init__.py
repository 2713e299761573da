"""Automated mechanism design: optimal direct mechanisms by LP/MILP (HiGHS), Farkas certificates."""

from mechdesign.design.certificate import FarkasCertificate
from mechdesign.design.constraints import CONSTRAINTS, LinearConstraint
from mechdesign.design.objectives import OBJECTIVES
from mechdesign.design.result import DesignResult, Verification
from mechdesign.design.solver import design

__all__ = ["CONSTRAINTS", "OBJECTIVES", "DesignResult", "FarkasCertificate", "LinearConstraint", "Verification",
           "design"]
