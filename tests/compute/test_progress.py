"""progress=True: a rich bar in a terminal, nothing when output is not a terminal (notebooks: tests/docs)."""
import subprocess
import sys

import mechdesign as md
from mechdesign.compute import progress as progress_module

SCRIPT = """
import mechdesign as md
env = md.examples.random_environment(n_players=3, n_types=6, seed=1)
print(md.is_bic(md.vcg(env), chunk_size=8, progress=True).holds)
print(md.solve_bne(md.BayesianGame.from_mechanism(md.examples.first_price_auction()), method="pure",
                   progress=True).status)
"""


def test_nothing_but_the_result_when_output_is_not_a_terminal():
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "success"]
    assert out.stderr == ""


def test_a_terminal_gets_the_rich_bar(monkeypatch):
    monkeypatch.setattr(progress_module, "stderr_is_terminal", lambda: True)
    reporter = progress_module.progress_reporter(True, "audit")
    with reporter as report:
        report(1, 2)
        assert reporter.bar is not None and reporter.bar.tasks[0].completed == 1
    assert reporter.line is None


def test_a_callback_is_called_whatever_the_output(monkeypatch):
    monkeypatch.setattr(progress_module, "stderr_is_terminal", lambda: False)
    calls = []
    env = md.examples.random_environment(n_players=3, n_types=4, seed=0)
    md.is_dsic(md.vcg(env), chunk_size=4, progress=lambda done, total: calls.append((done, total)))
    assert calls and calls[-1][0] == calls[-1][1]


def test_outside_a_kernel_we_are_not_in_a_notebook():
    assert not progress_module.in_notebook()
