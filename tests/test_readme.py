"""The README's commands and Python snippets run as written.

The Python blocks run in order, sharing one namespace. A block whose first line is
``# needs the [gambit] extra`` uses pygambit: the first test leaves such blocks out
(so it passes with ``pip install -e ".[test]"``), the second runs every block and
needs the extra (skipped without it, a failure under CI=true).
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.extras import needs

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
GAMBIT = "# needs the [gambit] extra"


def python_blocks() -> list[str]:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks, "README has no python examples"
    return blocks


def quick_start() -> list[str]:
    section = README.read_text().split("## Quick start", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, flags=re.S).group(1)
    return [line.strip() for line in block.splitlines() if line.strip() and not line.startswith("#")]


def _run(blocks: list[str]) -> None:
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)


def test_readme_python_blocks_run_without_gambit(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)          # snippets may write files
    blocks = [b for b in python_blocks() if not b.startswith(GAMBIT)]
    assert len(blocks) >= 6
    _run(blocks)


@needs("gambit")
def test_readme_python_blocks_run_with_gambit(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    blocks = python_blocks()
    gambit = [b for b in blocks if b.startswith(GAMBIT)]
    assert gambit, "no block marked as needing the [gambit] extra"
    _run(blocks)
    assert (tmp_path / "auction.efg").stat().st_size > 0


def test_gambit_is_used_only_in_marked_blocks():
    for block in python_blocks():
        if not block.startswith(GAMBIT):
            assert not re.search(r"gambit|write_efg|write_nfg|read_efg", block), block[:200]


def test_quick_start_installs_without_gambit_and_ci_runs_the_readme_test_command():
    install, tests = quick_start()
    assert install.startswith("pip install -e \".[test]\"") and "gambit" not in install
    assert install.endswith("&& mechdesign example public-project")
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()
          if line.strip() and not line.lstrip().startswith("#")]
    assert ci[-1] == tests == "pytest"
    extras = re.search(r'pip install -e "\.\[(.*?)\]"', "\n".join(ci)).group(1).split(",")
    declared = re.findall(r"^(\w+) = \[", (ROOT / "pyproject.toml").read_text().split("[project.optional-dependencies]")[1]
                          .split("\n[")[0], flags=re.M)
    assert sorted(extras) == sorted(declared), "CI must install every extra"


def test_quick_start_example_runs():
    cli = Path(sys.executable).with_name("mechdesign")
    command = [str(cli)] if cli.exists() else [sys.executable, "-c", "from mechdesign.cli import main; main()"]
    out = subprocess.run([*command, "example", "public-project"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "vcg" in out.stdout.lower() and "agv" in out.stdout.lower() and out.stderr == ""
