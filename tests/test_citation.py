"""CITATION.cff: how to cite the package, in the Citation File Format 1.2.0.

Read line by line (no YAML library): its top-level keys and the one author's name.
"""

import re
from pathlib import Path

from pyproject_toml import pyproject

import tinygrad_xent

ROOT = Path(__file__).resolve().parents[1]
TEXT = (ROOT / "CITATION.cff").read_text()


def top_level() -> dict[str, str]:
    """Every ``key: value`` line at the left margin, the value unquoted ('' for a block)."""
    found = {}
    for line in TEXT.splitlines():
        match = re.fullmatch(r"([a-z][a-z-]*):\s*(.*)", line)
        if match:
            found[match[1]] = match[2].strip().strip('"')
    return found


def test_the_citation_has_the_keys_the_format_requires():
    keys = top_level()
    assert keys["cff-version"] == "1.2.0"
    for key in ("message", "title"):
        assert keys[key], f"CITATION.cff: {key} is empty"
    assert keys["authors"] == "" and keys["type"] == "software"


def test_the_author_is_the_contributors_as_an_entity():
    authors = TEXT.split("\nauthors:\n", 1)[1].split("\n")
    assert authors[0] == '  - name: "tinygrad_xent contributors"'
    # An entity has a name; a person would have family-names and given-names.
    assert "family-names" not in TEXT and "given-names" not in TEXT


def test_the_citation_names_the_packages_version_and_license():
    keys = top_level()
    assert keys["version"] == tinygrad_xent.__version__
    assert keys["license"] == pyproject()["project"]["license"]


def test_the_citation_names_no_address_it_does_not_have():
    # The project has no public repository yet (see CONTRIBUTING.md).
    assert not {"repository", "repository-code", "url"} & set(top_level())
