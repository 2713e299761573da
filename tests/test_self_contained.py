"""The repository refers to nothing outside itself: no paths to the team's shared folder, no design-notes file."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTSIDE = re.compile(r"\.\./shared|DESIGN\.md|/work/shared")


def test_no_reference_to_files_outside_the_repository():
    paths = [ROOT / "README.md", ROOT / "mkdocs.yml"]
    for folder in ("docs", "src", "examples", "benchmarks"):
        paths += [p for p in (ROOT / folder).rglob("*") if p.is_file() and p.suffix in
                  {".md", ".py", ".yaml", ".yml", ".json", ".ipynb", ".txt"}]
    bad = [str(p.relative_to(ROOT)) for p in paths if p.exists() and OUTSIDE.search(p.read_text(errors="ignore"))]
    assert bad == []


def test_docstrings_cite_the_conventions_page_that_exists():
    assert (ROOT / "docs" / "conventions.md").exists()
    cited = [p for p in (ROOT / "src").rglob("*.py") if "docs/conventions.md" in p.read_text()]
    assert len(cited) >= 8
