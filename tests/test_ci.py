"""CI as .ci/run runs it: the Pythons of its legs and the floors it pins are pyproject's own."""

import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from pyproject_toml import pyproject

ROOT = Path(__file__).resolve().parents[1]
CI_RUN = (ROOT / ".ci" / "run").read_text()


def _commands() -> list[str]:
    return [line for line in CI_RUN.splitlines() if line and not line.lstrip().startswith("#")]


def _claimed_minors() -> list[str]:
    project = pyproject()["project"]
    return [
        c.rsplit(" ", 1)[1]
        for c in project["classifiers"]
        if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
    ]


def test_the_legs_run_on_the_oldest_and_newest_python_the_package_claims():
    floor = re.fullmatch(r">=(3\.\d+)", pyproject()["project"]["requires-python"])[1]
    assert f"OLDEST={floor}" in _commands()
    assert f"NEWEST={_claimed_minors()[-1]}" in _commands()


def test_the_floors_leg_pins_with_the_oldest_python_and_runs_every_test():
    commands = _commands()
    assert '"$oldest" -m venv .venv-floors' in commands
    assert '"$oldest" .ci/floors.py > .venv-floors/floors.txt' in commands
    # The whole suite: no -m "not slow" on this leg.
    assert ".venv-floors/bin/python -m pytest" in commands
    assert '.venv-newest/bin/python -m pytest -m "not slow"' in commands


def test_floors_pins_exactly_the_declared_floors():
    project = pyproject()["project"]
    declared = project["dependencies"] + project["optional-dependencies"]["test"]
    printed = subprocess.run(
        [sys.executable, str(ROOT / ".ci" / "floors.py")],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.splitlines()
    assert len(printed) == len(declared) >= 8
    for requirement, pin in zip(declared, printed):
        assert pin == requirement.replace(">=", "==", 1), (requirement, pin)
    assert "numpy==1.24" in printed and "ipykernel==6.3.1" in printed


def test_no_floor_is_a_yanked_release():
    """ipykernel 6.0.0 and 6.0.1 were yanked (invalid metadata); 6.0.2 to 6.3.0 import
    ipython_genutils without declaring it, so the notebooks' kernel dies at the floors."""
    test_extra = pyproject()["project"]["optional-dependencies"]["test"]
    floor = next(r for r in test_extra if r.startswith("ipykernel>="))
    version = tuple(int(part) for part in floor.removeprefix("ipykernel>=").split("."))
    assert version >= (6, 3, 1)


def test_the_dev_tools_are_pinned():
    for requirement in pyproject()["project"]["optional-dependencies"]["dev"]:
        if not requirement.startswith("build"):
            assert re.fullmatch(r"[a-z]+==[0-9.]+", requirement), requirement


TOML = """\
[project]
name = "x"
dependencies = ["a>=1", # a comment with a ] in it
    "b>=2.0"]

[project.optional-dependencies]
test = ["c>=3; python_version < '3.11'"]
dev = [x]
"""


def test_floors_reads_a_toml_array_over_lines_and_comments():
    toml_array = runpy.run_path(str(ROOT / ".ci" / "floors.py"))["toml_array"]
    assert toml_array(TOML, "project", "dependencies") == ["a>=1", "b>=2.0"]
    assert toml_array(TOML, "project.optional-dependencies", "test") == [
        "c>=3; python_version < '3.11'"
    ]


@pytest.mark.parametrize(
    "table, key, message",
    [
        ("tool", "x", r"no \[tool\] table"),
        ("project", "optional", r"\[project\] has no optional = \[...\]"),
        ("project.optional-dependencies", "dev", "not a list of plain double-quoted strings"),
    ],
)
def test_floors_fails_loudly_on_what_it_cannot_read(table, key, message):
    toml_array = runpy.run_path(str(ROOT / ".ci" / "floors.py"))["toml_array"]
    with pytest.raises(SystemExit, match=message):
        toml_array(TOML, table, key)


def test_contributing_shows_the_commands_ci_runs():
    """Each command of CONTRIBUTING.md's shell blocks is one .ci/run runs (in any leg's venv)."""
    page = (ROOT / "CONTRIBUTING.md").read_text()
    shown = [
        line
        for block in re.findall(r"```bash\n(.*?)```", page, flags=re.S)
        for line in block.splitlines()
    ]
    ci = re.sub(r"\.venv-\w+/", ".venv/", CI_RUN)
    assert len(shown) >= 6
    for command in shown:
        assert command in ci, f"CONTRIBUTING.md shows {command!r}, which .ci/run does not run"
