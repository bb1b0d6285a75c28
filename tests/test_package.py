"""The package as an index shows it: metadata, one version, and an sdist that can test itself."""

import re
import runpy
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

import tinygrad_xent
from tinygrad_xent.cli import main

ROOT = Path(__file__).resolve().parents[1]
# The folders the sdist must carry whole: the tests and everything they run or read.
SHIPPED_FOLDERS = ["tinygrad_xent", "tests", "examples", "docs", "benchmarks"]
SHIPPED_FILES = [
    "LICENSE",
    "README.md",
    "pyproject.toml",
    "MANIFEST.in",
    ".ci/run",
    ".ci/floors.py",
]


def pyproject() -> dict:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


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


def test_every_project_address_is_made_from_the_one_source_address():
    urls = pyproject()["project"]["urls"]
    assert set(urls) == {"Source", "Homepage", "Documentation", "Issues"}
    base = urls["Source"]
    assert re.fullmatch(r"https://[^\s#?]+[^/]", base)
    for name, url in urls.items():
        assert url.startswith(base), f"{name} = {url} is not under Source = {base}"


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


def _links():
    return runpy.run_path(str(ROOT / "docs" / "absolute_links.py"))


def test_readme_links_made_absolute_lead_to_files_of_the_repository():
    links = _links()
    base = links["source_address"]((ROOT / "pyproject.toml").read_text())
    assert base == pyproject()["project"]["urls"]["Source"]
    readme = (ROOT / "README.md").read_text()
    converted = links["absolute_links"](readme, base)
    assert readme == converted, "README.md has relative links: run python docs/absolute_links.py"
    targets = [target for _, target in links["TARGET"].findall(converted)]
    assert not [t for t in targets if links["is_relative"](t)]
    ours = [t for t in targets if t.startswith(base + "/")]
    assert len(ours) >= 25
    for target in ours:
        kind, branch, path = target[len(base) + 1 :].split("#")[0].split("/", 2)
        assert branch == "main" and (ROOT / path).exists(), target
        expected = "raw" if path.endswith(".png") else "tree" if (ROOT / path).is_dir() else "blob"
        assert kind == expected, target


@pytest.mark.parametrize(
    "target, expected",
    [
        ("docs/training.md", "B/blob/main/docs/training.md"),
        ("./docs/training.md#the-loop", "B/blob/main/docs/training.md#the-loop"),
        ("docs/losses/", "B/tree/main/docs/losses"),
        ("docs/img/graph_ce.png", "B/raw/main/docs/img/graph_ce.png"),
    ],
)
def test_absolute_address_of_each_kind_of_target(target, expected):
    assert _links()["absolute"](target, "B", ROOT) == expected


def test_only_relative_targets_change_and_twice_is_once():
    links = _links()
    text = (
        "[a](docs/data.md) [b](https://pdoc.dev) [c](#tests) ![d](docs/img/temperature.png)"
        ' <img src="docs/img/graph_ce.png"> f(x) [e](mailto:someone@example.org)'
    )
    once = links["absolute_links"](text, "https://x.org/r", ROOT)
    assert once == (
        "[a](https://x.org/r/blob/main/docs/data.md) [b](https://pdoc.dev) "
        "[c](#tests) ![d](https://x.org/r/raw/main/docs/img/temperature.png) "
        '<img src="https://x.org/r/raw/main/docs/img/graph_ce.png"> f(x) '
        "[e](mailto:someone@example.org)"
    )
    assert links["absolute_links"](once, "https://x.org/r", ROOT) == once
