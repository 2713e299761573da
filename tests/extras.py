"""Tests that need an optional extra: skipped with a reason when it is absent, failures under CI=true.

``pip install -e ".[test]"`` is enough for the suite to pass; tests that need the
``[gambit]`` extra (pygambit) or the ``[docs]`` extra (MkDocs, nbclient, jupytext)
skip with the reason ``needs the [extra] extra ...``. CI installs every extra and
sets ``CI=true``: the hooks below (imported by ``tests/conftest.py``) then turn such
a skip, and any ``pytest.importorskip`` skip, into a failure, so nothing CI should
run is skipped silently.
"""

from __future__ import annotations

import importlib.util
import os

import pytest

#: Modules each optional extra provides (import names).
EXTRAS = {
    "gambit": ("pygambit",),
    "docs": ("mkdocs", "material", "mkdocstrings", "mkdocstrings_handlers.python", "nbclient", "nbformat",
             "jupytext", "ipykernel"),
}
SKIP_PREFIX = "needs the ["


def in_ci() -> bool:
    """True when the environment variable CI says we run in CI (``true``/``1``/``yes``)."""
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def _available(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:          # a missing parent package of a dotted name
        return False


def missing(extra: str) -> str | None:
    """The reason to skip a test needing ``extra``, or None when all its modules are installed."""
    absent = [m for m in EXTRAS[extra] if not _available(m)]
    if not absent:
        return None
    return (f"{SKIP_PREFIX}{extra}] extra (pip install -e \".[{extra}]\"): "
            f"{', '.join(absent)} not installed")


def needs(extra: str):
    """Mark a test (or a parametrize case) as needing ``extra``."""
    reason = missing(extra)
    return pytest.mark.skipif(reason is not None, reason=reason or "")


def require(extra: str) -> None:
    """At module level: skip the whole test module when ``extra`` is absent."""
    reason = missing(extra)
    if reason is not None:
        pytest.skip(reason, allow_module_level=True)


def _extra_skip_reason(report) -> str | None:
    if not report.skipped or hasattr(report, "wasxfail"):
        return None
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
    reason = reason.removeprefix("Skipped: ")
    if reason.startswith(SKIP_PREFIX) or reason.startswith("could not import"):
        return reason
    return None


def _fail_in_ci(report) -> None:
    reason = _extra_skip_reason(report)
    if reason is not None and in_ci():
        report.outcome = "failed"
        report.longrepr = (f"CI=true, so this skip is a failure: {reason}. CI installs every extra "
                           f"(.ci/run: pip install -e \".[test,gambit,docs,bench]\").")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    _fail_in_ci(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    outcome = yield
    _fail_in_ci(outcome.get_result())
