"""The optional-extra policy: skip with a reason locally, fail under CI=true."""
import pytest

INNER = '''
import pytest
from tests import extras

extras.EXTRAS["absent"] = ("no_such_module_for_mechdesign_tests",)

@extras.needs("absent")
def test_marked():
    pass

def test_importorskip():
    pytest.importorskip("no_such_module_for_mechdesign_tests")

def test_plain_skip_is_not_an_extra():
    pytest.skip("a reason unrelated to extras")
'''

MODULE_LEVEL = '''
from tests import extras
extras.EXTRAS["absent"] = ("no_such_module_for_mechdesign_tests",)
extras.require("absent")

def test_never_runs():
    pass
'''


@pytest.fixture
def inner(pytester):
    pytester.makeconftest("from tests.conftest import *  # noqa\n")
    return pytester


def test_missing_extra_skips_with_its_reason(inner, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    inner.makepyfile(test_inner=INNER, test_module_level=MODULE_LEVEL)
    result = inner.runpytest_inprocess("-rs")
    result.assert_outcomes(skipped=4)
    result.stdout.fnmatch_lines(["*needs the [[]absent] extra (pip install -e * not installed*"])


def test_under_ci_a_missing_extra_fails_but_other_skips_stay(inner, monkeypatch):
    monkeypatch.setenv("CI", "true")
    inner.makepyfile(test_inner=INNER, test_module_level=MODULE_LEVEL)
    result = inner.runpytest_inprocess("-rs", "--continue-on-collection-errors")
    # a skipif marker and a module-level skip act at setup / collection: they turn into errors
    result.assert_outcomes(failed=1, skipped=1, errors=2)
    result.stdout.fnmatch_lines(["*CI=true, so this skip is a failure*"])
