"""Suite-wide hooks: a skip for a missing optional extra fails under CI=true (see tests/extras.py)."""

from tests.extras import pytest_make_collect_report, pytest_runtest_makereport  # noqa: F401  (hooks)

pytest_plugins = ["pytester"]
