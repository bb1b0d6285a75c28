"""The README's set-up is CI's, and the docs' links and generated reference are current.

Every other command and snippet of the README and docs/ is run by tests/test_docs_commands.py.
"""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def code_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def test_ci_runs_the_readme_test_command_word_for_word():
    setup = [block for block in code_blocks("bash") if block.startswith("python3 -m venv")]
    assert len(setup) == 2, "the README has exactly two set-up commands"
    test_command = setup[1].strip()
    assert "pytest" in test_command
    ci_commands = [line for line in (ROOT / ".ci" / "run").read_text().splitlines()
                   if line and not line.startswith("#")]
    assert test_command in ci_commands


def test_every_relative_link_and_image_in_the_docs_exists():
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md")),
             *sorted((ROOT / "benchmarks").glob("*.md"))]
    checked = 0
    for page in pages:
        text = page.read_text()
        targets = re.findall(r"\]\(([^)\s]+)\)", text) + re.findall(r'src="([^"]+)"', text)
        for target in targets:
            if "://" in target or target.startswith("#") or not re.search(r"[./]", target):
                continue  # a web address, an anchor, or code such as f(x) that looks like one
            path = (page.parent / target.split("#")[0]).resolve()
            assert path.exists(), f"{page.relative_to(ROOT)} links to missing {target}"
            checked += 1
    assert checked > 20


def test_the_api_reference_matches_the_docstrings(tmp_path):
    fresh = tmp_path / "api.md"
    subprocess.run([sys.executable, str(ROOT / "docs" / "make_api.py"), str(fresh)],
                   check=True, capture_output=True)
    assert fresh.read_text() == (ROOT / "docs" / "api.md").read_text(), (
        "docs/api.md is out of date: run python docs/make_api.py")
