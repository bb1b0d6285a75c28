"""Every fenced command and Python snippet of README.md and docs/ runs as written.

Each page is run in a fresh copy of the repository (without .venv and .git), with the
installed package, the way a reader runs it after the README's set-up and
`source .venv/bin/activate`: `python` and `tinygrad-xent` are the ones next to
``sys.executable``. What the page shows as output is compared with what is printed:

- ```bash blocks: each line is a command and must exit 0. A trailing `# -> text` says the
  output contains `text`. A ```text block right after the block (nothing but blank lines in
  between) is its whole output, `...` standing for any number of lines.
- ```console blocks: `$ command` lines, each followed by its output (stdout and stderr), with
  `...` as above; the exit status is not checked (these show errors).
- ```python blocks: a page's blocks run in order in one namespace. Comment lines and trailing
  comments `# -> text` are printed lines, in that order; a ```text block right after the block
  is its whole output, as for bash.
- A ```python block that uses PyTorch (docs/to-pytorch.md) is compiled, not run.
- A block starting with `python3 -m venv` is the set-up: it is checked as text (tests/
  test_readme.py), not run. Speeds and times (`1802 steps/s`, `done in 1.2 s`) vary and are
  compared as patterns.

Every fence must say its language, so that a command cannot hide in an unlabelled block.
"""

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
GENERATED = {"docs/api.md"}  # signatures and docstrings from make_api.py, not snippets
# Pages known not to pass yet, each with why: strict, so the test fails once the page is fixed
# and this entry must go.
BEING_REWRITTEN: dict[str, str] = {}
LANGUAGES = {"bash", "console", "python", "text"}
# docs/to-pytorch.md shows PyTorch's code beside ours; PyTorch is not installed here (nor may
# it be), so those blocks are only compiled.
USES_TORCH = re.compile(r"^\s*(import|from) torch\b|\btorch\.", re.MULTILINE)
# Commands that are documented but not run here, and why.
NOT_RUN = {
    "python benchmarks/run.py": "timing runs of 20-45 s; tests/test_benchmarks.py runs the "
    "suite's own checks",
    "python -m pytest": "the test suite itself",
}
# Blocks that take over ~1 s (training runs): marked slow.
SLOW = (
    "tinygrad-xent train",
    "python -m tinygrad_xent train",
    "train.fit(",
    "examples/contrastive.py",
    "examples/spiral.py",
    "docs/make_figures.py",
    "examples/nan_hunt.py",
    "examples/check_derivations.py",
)
VARIABLE = [
    (re.compile(r"\d+ steps/s"), "N steps/s"),
    (re.compile(r"done in \d+\.\d s"), "done in T s"),
]


@dataclass
class Block:
    page: str
    line: int
    language: str
    code: str
    output: str | None  # a ```text block right after this one


def blocks(page: Path) -> list[Block]:
    """The fenced blocks of a page, each with the text block that follows it, if any."""
    text = page.read_text()
    found = []
    for match in re.finditer(r"^```(\w*)\n(.*?)^```\n", text, flags=re.S | re.M):
        line = text.count("\n", 0, match.start()) + 1
        found.append((match.start(), match.end(), match.group(1), match.group(2), line))
    result = []
    for i, (start, end, language, code, line) in enumerate(found):
        if language == "text" and i and not text[found[i - 1][1] : start].strip():
            continue  # the output of the block before
        following = found[i + 1] if i + 1 < len(found) else None
        output = None
        if following and following[2] == "text" and not text[end : following[0]].strip():
            output = following[3]
        result.append(Block(str(page.relative_to(ROOT)), line, language, code, output))
    return result


def _normalize(line: str) -> str:
    for pattern, replacement in VARIABLE:
        line = pattern.sub(replacement, line)
    return line.rstrip()


def assert_output_matches(expected: str, printed: str, where: str) -> None:
    """``printed`` is ``expected`` line by line, where a line `...` matches any lines."""
    want = [_normalize(line) for line in expected.rstrip("\n").split("\n")]
    got = [_normalize(line) for line in printed.rstrip("\n").split("\n")]
    pattern = "".join("(?:.*\n)*?" if w == "..." else re.escape(w + "\n") for w in want)
    assert re.fullmatch(pattern, "".join(g + "\n" for g in got)), (
        f"{where}: the output shown is not what is printed\n--- shown\n{expected}"
        f"--- printed\n{printed}"
    )


def assert_lines_in_order(expected: list[str], printed: str, where: str) -> None:
    got = [_normalize(line) for line in printed.split("\n")]
    position = 0
    for want in expected:
        want = _normalize(want)
        while position < len(got) and got[position] != want:
            position += 1
        assert position < len(got), f"{where}: {want!r} is not printed (in order)\n{printed}"
        position += 1


@pytest.fixture(scope="module")
def checkout(tmp_path_factory):
    """A fresh copy of the repository, as a reader has it after cloning."""
    assert (BIN / "tinygrad-xent").exists(), (
        f"no tinygrad-xent next to {sys.executable}: install the package as the README says"
    )
    folder = tmp_path_factory.mktemp("checkout") / "tinygrad_xent"
    shutil.copytree(
        ROOT,
        folder,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "__pycache__", ".pytest_cache", ".hypothesis", "runs", "*.egg-info"
        ),
    )
    return folder


def _run_shell(command: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {"PATH": f"{BIN}:/usr/bin:/bin", "HOME": str(cwd), "MPLBACKEND": "Agg", "LANG": "C.UTF-8"}
    return subprocess.run(
        ["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def _commands(code: str) -> list[tuple[str, str | None]]:
    """(command, the text its `# -> ` comment says it prints) for each line of a bash block."""
    result = []
    for line in code.replace("\\\n", " ").splitlines():
        command, _, comment = line.partition("  #")
        if not command.strip():
            continue
        shown = comment.strip()[3:].strip() if comment.strip().startswith("->") else None
        result.append((command.strip(), shown))
    return result


def _skipped(command: str) -> bool:
    return any(command.startswith(prefix) for prefix in NOT_RUN)


def _marks(name: str, code: str, in_a_shell: bool = False) -> list:
    # A command in a shell starts a Python of its own (about half a second): the quick tier
    # leaves those to the whole suite, and keeps the in-process Python snippets.
    marks = [pytest.mark.slow] if in_a_shell or any(s in code for s in SLOW) else []
    if name in BEING_REWRITTEN:
        marks.append(pytest.mark.xfail(reason=BEING_REWRITTEN[name], strict=True))
    return marks


def _params(kind: str):
    params = []
    for page in PAGES:
        name = str(page.relative_to(ROOT))
        if name in GENERATED:
            continue
        found = [b for b in blocks(page) if b.language in kind.split("|")]
        if kind == "python" and found:
            code = "".join(b.code for b in found)
            params.append(pytest.param(found, id=name, marks=_marks(name, code)))
            continue
        for block in found:
            if block.code.startswith("python3 -m venv"):
                continue  # the README's set-up, checked as text by tests/test_readme.py
            params.append(
                pytest.param(
                    [block], id=f"{name}:{block.line}", marks=_marks(name, block.code, True)
                )
            )
    return params


PAGE_PARAMS = [
    pytest.param(page, id=str(page.relative_to(ROOT)))
    for page in PAGES
    if str(page.relative_to(ROOT)) not in GENERATED
]


@pytest.mark.parametrize("page", PAGE_PARAMS)
def test_every_fence_names_its_language(page):
    for block in blocks(page):
        assert block.language in LANGUAGES, (
            f"{block.page}:{block.line}: a fence without one of {sorted(LANGUAGES)}"
        )


def _anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_every_glossary_link_names_a_term_and_the_required_terms_are_there():
    glossary = (ROOT / "docs" / "glossary.md").read_text()
    anchors = {_anchor(h) for h in re.findall(r"^## (.+)$", glossary, flags=re.M)}
    for term in (
        "logits",
        "nats-and-bits",
        "one_hot",
        "nt-xent-and-simclr",
        "supcon",
        "vector-jacobian-product",
        "detach",
    ):
        assert term in anchors, term
    linked = 0
    for page in PAGES:
        for anchor in re.findall(r"glossary\.md#([\w-]+)\)", page.read_text()):
            assert anchor in anchors, f"{page.relative_to(ROOT)} links to missing #{anchor}"
            linked += 1
    assert linked > 30


def test_the_commands_not_run_are_still_documented():
    text = "\n".join(page.read_text() for page in PAGES)
    for command in NOT_RUN:
        assert command in text, f"{command!r} is no longer in the docs: drop it from NOT_RUN"


@pytest.mark.parametrize("page_blocks", _params("bash"))
def test_bash_block_runs_and_prints_what_the_page_shows(page_blocks, checkout):
    block = page_blocks[0]
    printed = []
    for command, shown in _commands(block.code):
        if _skipped(command):
            continue
        result = _run_shell(command, checkout)
        where = f"{block.page}:{block.line}: {command}"
        assert result.returncode == 0, f"{where} failed:\n{result.stderr}"
        if shown is not None:
            assert shown in result.stdout, f"{where}: {shown!r} not printed\n{result.stdout}"
        printed.append(result.stdout)
    if block.output is not None:
        assert_output_matches(block.output, "".join(printed), f"{block.page}:{block.line}")


@pytest.mark.parametrize("page_blocks", _params("console"))
def test_console_block_prints_what_the_page_shows(page_blocks, checkout):
    block = page_blocks[0]
    sessions = re.split(r"^\$ ", block.code, flags=re.M)
    assert not sessions[0].strip(), f"{block.page}:{block.line}: a console block starts with $"
    for session in sessions[1:]:
        command, _, shown = session.partition("\n")
        result = _run_shell(command, checkout)
        assert_output_matches(
            shown, result.stdout + result.stderr, f"{block.page}:{block.line}: {command}"
        )


@pytest.mark.parametrize("page_blocks", _params("python"))
def test_python_snippets_run_and_print_what_the_page_shows(
    page_blocks, checkout, tmp_path, monkeypatch, capsys
):
    page = page_blocks[0].page
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__main__"}
    for block in page_blocks:
        code = compile(block.code, f"{page}:{block.line}", "exec")
        if USES_TORCH.search(block.code):  # PyTorch's side of a comparison: compiled only
            continue
        exec(code, namespace)
        printed = capsys.readouterr().out
        where = f"{page}:{block.line}"
        shown = [line.partition("# -> ")[2] for line in block.code.splitlines() if "# -> " in line]
        assert_lines_in_order(shown, printed, where)
        if block.output is not None:
            assert_output_matches(block.output, printed, where)


def test_the_matcher_can_fail():
    assert_output_matches("a\n...\nd\n", "a\nb\nc\nd\n", "ok")
    assert_output_matches("...\nc\n", "a\nb\nc\n", "ok")
    assert_output_matches("step 1  9 steps/s\n", "step 1  1234 steps/s\n", "ok")
    for shown, printed in (
        ("a\nd\n", "a\nb\nd\n"),
        ("a\n...\nd\n", "a\nb\nc\n"),
        ("b\n", "a\nb\n"),
    ):
        with pytest.raises(AssertionError):
            assert_output_matches(shown, printed, "wrong")
    with pytest.raises(AssertionError):
        assert_lines_in_order(["b", "a"], "a\nb\n", "wrong")
    assert _commands("tinygrad-xent train   # -> 99.0% training\nls  # plain\n") == [
        ("tinygrad-xent train", "99.0% training"),
        ("ls", None),
    ]
