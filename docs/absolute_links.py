"""Make the README's relative links absolute, so that they work on a package index page.

    python docs/absolute_links.py          # rewrites README.md in place

A package index shows README.md away from the repository, where ``docs/training.md`` leads
nowhere. Every relative link target becomes an address in the repository, made from the one
``Source`` address in pyproject.toml: a file ``<Source>/blob/main/<path>``, a folder
``<Source>/tree/main/<path>``, and an image ``<Source>/raw/main/<path>`` (the picture itself,
not its page). Only link targets change; web addresses and ``#anchors`` stay as they are.
tests/test_package.py checks that README.md is kept this way and that every target exists.
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMAGES = (".png", ".jpg", ".jpeg", ".gif", ".svg")
# A Markdown link or image target, ](target), or an HTML image's src="target".
TARGET = re.compile(r'(\]\(|src=")([^)"\s]+)')


def source_address(pyproject: str) -> str:
    """The ``Source`` address of ``[project.urls]`` in the text of pyproject.toml."""
    match = re.search(r'^Source = "([^"]+)"$', pyproject, flags=re.M)
    if match is None:
        raise ValueError('absolute_links: pyproject.toml has no Source = "..." in [project.urls]')
    return match[1].rstrip("/")


def is_relative(target: str) -> bool:
    """True for a path in the repository, False for a web address or an anchor."""
    return not (re.match(r"[a-z][a-z0-9+.-]*:", target) or target.startswith(("#", "/")))


def absolute(target: str, base: str, root: Path = ROOT) -> str:
    """The repository address of ``target``, a path relative to the README's folder."""
    path, anchor, fragment = target.partition("#")
    path = path.removeprefix("./")
    if path.lower().endswith(IMAGES):
        kind = "raw"
    elif path.endswith("/") or (root / path).is_dir():
        kind = "tree"
    else:
        kind = "blob"
    return f"{base}/{kind}/main/{path.rstrip('/')}{anchor}{fragment}"


def absolute_links(text: str, base: str, root: Path = ROOT) -> str:
    """``text`` with every relative link target replaced by its repository address."""

    def replace(match: re.Match) -> str:
        opening, target = match.groups()
        return opening + (absolute(target, base, root) if is_relative(target) else target)

    return TARGET.sub(replace, text)


def main() -> None:
    readme = ROOT / "README.md"
    base = source_address((ROOT / "pyproject.toml").read_text())
    text = readme.read_text()
    converted = absolute_links(text, base)
    readme.write_text(converted)
    changed = sum(a != b for a, b in zip(TARGET.findall(text), TARGET.findall(converted)))
    print(f"wrote {readme}: {changed} link targets made absolute from {base}")


if __name__ == "__main__":
    sys.exit(main())
