"""Links work where the reader is: in a clone, in the sdist, on a code host's file view.

Every link between the project's own files is relative, so it leads somewhere wherever the
files are. Each one must reach an existing file inside the project, and each ``#anchor`` a
heading of its target, by the rule code hosts use to make anchors from headings.
"""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The address the links once pointed at: nothing is behind it.
PLACEHOLDER = "github.com/tinygrad-xent"
FENCE = re.compile(r"^(```|~~~).*?^\1", flags=re.M | re.S)
CODE_SPAN = re.compile(r"`[^`]*`")
# A Markdown link or image, [text](target) or ![alt](target "title"), and an HTML image.
LINK = re.compile(r"\]\(\s*([^)\s]+)(?:\s+\"[^\"]*\")?\s*\)")
IMG = re.compile(r"<img\s[^>]*src=\"([^\"]+)\"")
HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$", flags=re.M)


def pages() -> list[Path]:
    """Every page a reader follows links from: the top-level pages, docs/ and the notebooks."""
    top = [ROOT / name for name in ("README.md", "CHANGELOG.md", "CONTRIBUTING.md")]
    return [
        *top,
        *sorted((ROOT / "docs").rglob("*.md")),
        *sorted((ROOT / "docs").rglob("*.ipynb")),
        *sorted((ROOT / "benchmarks").glob("*.md")),
    ]


def markdown(page: Path) -> str:
    """The Markdown of a page: the file itself, or a notebook's markdown cells."""
    text = page.read_text()
    if page.suffix == ".ipynb":
        cells = json.loads(text)["cells"]
        text = "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return text


def prose(text: str) -> str:
    """``text`` without code blocks and code spans, where brackets are code, not links."""
    return CODE_SPAN.sub("code", FENCE.sub("", text))


def targets(text: str) -> list[str]:
    """Every link and image target in Markdown ``text``, in order."""
    text = prose(text)
    return LINK.findall(text) + IMG.findall(text)


def slug(heading: str) -> str:
    """The anchor of a heading: its text lowercased, punctuation dropped, spaces made hyphens.

    ``5. Softmax alone: its Jacobian`` becomes ``5-softmax-alone-its-jacobian``; underscores
    and hyphens stay (``one_hot``, ``log-sum-exp``).
    """
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link: its text
    text = re.sub(r"<[^>]+>", "", text).lower()  # HTML tags
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(text: str) -> set[str]:
    """The anchors of every heading of Markdown ``text``; a repeated heading gets -1, -2, ..."""
    seen: dict[str, int] = {}
    found = set()
    for heading in HEADING.findall(FENCE.sub("", text)):
        base = slug(heading)
        found.add(f"{base}-{seen[base]}" if base in seen else base)
        seen[base] = seen.get(base, 0) + 1
    return found


def is_web(target: str) -> bool:
    return re.match(r"[a-z][a-z0-9+.-]*:", target) is not None


def test_the_pages_exist():
    for page in pages():
        assert page.exists(), f"{page.relative_to(ROOT)} is missing"


@pytest.mark.parametrize("page", pages(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_reaches_a_file_and_its_anchor(page):
    for target in targets(markdown(page)):
        if is_web(target):
            continue
        where = f"{page.relative_to(ROOT)} links to {target}"
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        assert not path.startswith("/"), f"{where}: a path from the root leaves the project"
        assert file.is_relative_to(ROOT), f"{where}: outside the project"
        assert file.exists(), f"{where}: no such file"
        if anchor:
            assert file.suffix in (".md", ".ipynb"), f"{where}: an anchor into a non-page"
            assert anchor in anchors(markdown(file)), f"{where}: no heading makes #{anchor}"


def test_links_between_the_projects_files_are_relative():
    """No page, nor pyproject.toml or CITATION.cff, names the placeholder repository."""
    files = [*pages(), ROOT / "pyproject.toml", ROOT / "CITATION.cff"]
    for file in files:
        assert PLACEHOLDER not in file.read_text(), f"{file.relative_to(ROOT)} has {PLACEHOLDER}"


def test_the_readme_links_into_docs_the_code_and_the_pictures():
    found = [t for t in targets(markdown(ROOT / "README.md")) if not is_web(t)]
    assert len(found) >= 40
    assert "docs/glossary.md#one_hot" in found and "tinygrad_xent/tensor.py" in found
    assert "docs/img/graph_ce.png" in found


def test_the_checker_finds_links_and_skips_code():
    text = (
        '[a](docs/data.md) ![b](docs/img/x.png "title") [c](#tests) `f(x)` f(x)\n'
        '<img src="docs/img/y.png" width="3">\n'
        "```python\nlogits[np.arange(n), target](z)\n```\n"
        "[the\n  explorer](docs/cli-play.md) `x[0](1)`\n"
    )
    assert targets(text) == [
        "docs/data.md",
        "docs/img/x.png",
        "#tests",
        "docs/cli-play.md",
        "docs/img/y.png",
    ]


@pytest.mark.parametrize(
    "heading, expected",
    [
        ("5. Softmax alone: its Jacobian", "5-softmax-alone-its-jacobian"),
        ("gradient (g)", "gradient-g"),
        ("one_hot", "one_hot"),
        ("NT-Xent and SimCLR", "nt-xent-and-simclr"),
        ("The `Tensor` and [its ops](x.md)", "the-tensor-and-its-ops"),
        ("Set up", "set-up"),
    ],
)
def test_slug_follows_the_code_hosts_rule(heading, expected):
    assert slug(heading) == expected


def test_a_repeated_heading_gets_a_number():
    assert anchors("# A\n## A\n```\n# not a heading\n```\n### A b\n") == {"a", "a-1", "a-b"}
