"""The package as an index shows it: metadata, one version, and an sdist that can test itself."""

import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from pyproject_toml import pyproject

import tinygrad_xent
from tinygrad_xent.cli import main

ROOT = Path(__file__).resolve().parents[1]
# The folders the sdist must carry whole: the tests and everything they run or read.
SHIPPED_FOLDERS = ["tinygrad_xent", "tests", "examples", "docs", "benchmarks"]
SHIPPED_FILES = [
    "LICENSE",
    "README.md",
    "CHANGELOG.md",
    "CONTRIBUTING.md",
    "CITATION.cff",
    "pyproject.toml",
    "MANIFEST.in",
    ".ci/run",
    ".ci/floors.py",
]


def test_version_is_written_once_and_the_command_line_prints_it(capsys):
    project = pyproject()["project"]
    assert "version" not in project and project["dynamic"] == ["version"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", tinygrad_xent.__version__)
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out == f"tinygrad-xent {tinygrad_xent.__version__}\n"


def test_installed_metadata_has_the_version_and_the_license():
    from importlib import metadata

    meta = metadata.metadata("tinygrad_xent")
    assert meta["Version"] == tinygrad_xent.__version__
    assert meta["License-Expression"] == "MIT"
    assert "LICENSE" in meta.get_all("License-File")


def test_license_is_mit_and_names_the_contributors():
    project = pyproject()["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License\n")
    assert "Copyright (c)" in text and "tinygrad_xent contributors" in text
    # An SPDX expression replaces the License :: classifiers; setuptools refuses both.
    assert not any(c.startswith("License ::") for c in project["classifiers"])


def test_the_project_declares_no_address_it_does_not_have():
    """No [project.urls]: there is no public repository or tracker yet (see CONTRIBUTING.md).

    An index page would show each address as a link; one with nothing behind it sends a
    learner nowhere. When the project gets a real address, it goes here and this test changes.
    """
    assert "urls" not in pyproject()["project"]
    assert "github.com/tinygrad-xent" not in (ROOT / "pyproject.toml").read_text()


def test_declared_python_versions_match_the_classifiers():
    project = pyproject()["project"]
    floor = re.fullmatch(r">=3\.(\d+)", project["requires-python"]).group(1)
    minors = sorted(
        int(c.rsplit(".", 1)[1])
        for c in project["classifiers"]
        if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
    )
    assert minors[0] == int(floor) and minors == list(range(minors[0], minors[-1] + 1))


def test_py_typed_marks_the_package_as_typed():
    assert (ROOT / "tinygrad_xent" / "py.typed").exists()
    assert "py.typed" in pyproject()["tool"]["setuptools"]["package-data"]["tinygrad_xent"]


def _expected_sdist_files() -> set[str]:
    """Every file of the shipped folders on disk (bytecode aside), and the top-level files."""
    files = set(SHIPPED_FILES)
    for folder in SHIPPED_FOLDERS:
        for path in (ROOT / folder).rglob("*"):
            relative = path.relative_to(ROOT)
            if (
                path.is_file()
                and not any(part.startswith((".", "__pycache__")) for part in relative.parts)
                and path.suffix not in (".pyc", ".pyo")
            ):
                files.add(relative.as_posix())
    return files


@pytest.mark.slow
def test_sdist_carries_its_tests_and_the_wheel_its_data(tmp_path):
    """python -m build: an sdist with everything the tests need, then a wheel built from it."""
    pytest.importorskip("build")
    subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    version = tinygrad_xent.__version__
    with tarfile.open(tmp_path / f"tinygrad_xent-{version}.tar.gz") as sdist:
        top = f"tinygrad_xent-{version}/"
        names = {m.name.removeprefix(top) for m in sdist.getmembers() if m.isfile()}
        pkg_info = sdist.extractfile(top + "PKG-INFO").read().decode()
    missing = _expected_sdist_files() - names
    assert not missing, f"the sdist lacks {sorted(missing)}"
    assert "tests/conftest.py" in names and "tinygrad_xent/py.typed" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert f"\nVersion: {version}\n" in pkg_info
    assert "\nLicense-Expression: MIT\n" in pkg_info and "\nLicense-File: LICENSE\n" in pkg_info
    with zipfile.ZipFile(tmp_path / f"tinygrad_xent-{version}-py3-none-any.whl") as wheel:
        wheel_names = set(wheel.namelist())
    for name in (
        "tinygrad_xent/py.typed",
        "tinygrad_xent/datasets/digits.npz",
        f"tinygrad_xent-{version}.dist-info/licenses/LICENSE",
    ):
        assert name in wheel_names
    assert not [n for n in wheel_names if n.startswith(("tests/", "examples/", "docs/"))]
