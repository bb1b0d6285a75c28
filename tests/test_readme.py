"""The README's set-up is CI's, and the docs' generated reference is current.

Every other command and snippet of the README and docs/ is run by tests/test_docs_commands.py;
every link of the README and docs/ is followed by tests/test_links.py.
"""

import re
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
    ci_commands = [
        line
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert test_command in ci_commands


def _pdoc_modules(command: str) -> list[str]:
    return [word for word in command.split() if word.startswith("tinygrad_xent")]


def test_the_api_page_renders_the_modules_ci_checks():
    """docs/api.md's pdoc command shows every public module, the same list .ci/run renders."""
    import importlib.util
    import pkgutil

    import tinygrad_xent

    page = (ROOT / "docs" / "api.md").read_text()
    shown = _pdoc_modules(next(line for line in page.splitlines() if "pdoc -d numpy" in line))
    ci = _pdoc_modules(
        next(
            line
            for line in (ROOT / ".ci" / "run").read_text().splitlines()
            if "-m pdoc" in line and not line.startswith("#")
        )
    )
    assert shown == ci
    table = re.findall(r"^\| `(tinygrad_xent[\w.]*)` \|", page, flags=re.M)
    assert table == shown
    # The modules pdoc adds by itself: those named in the package's __all__.
    by_all = {
        f"tinygrad_xent.{name}"
        for name in tinygrad_xent.__all__
        if importlib.util.find_spec(f"tinygrad_xent.{name}") is not None
    }
    # Every module is documented except the command line, the file helper and the textbook
    # walkthrough, which are programs rather than API, and the layout draw and the stepper share.
    programs = {
        "tinygrad_xent.cli",
        "tinygrad_xent.layout",
        "tinygrad_xent.files",
        "tinygrad_xent.textbook",
        "tinygrad_xent.__main__",
        "tinygrad_xent._startup",
    }
    every = {f"tinygrad_xent.{m.name}" for m in pkgutil.iter_modules(tinygrad_xent.__path__)}
    assert set(shown[1:]) | by_all == every - programs


def test_the_tutorial_shows_the_real_tape_and_explain_output():
    import tinygrad_xent as tx
    import tinygrad_xent.functional as F

    tutorial = (ROOT / "docs" / "tutorial-backprop-through-softmax.md").read_text()
    logits = tx.Tensor([1.2, 2.3, 0.8], requires_grad=True)
    loss = F.cross_entropy(logits, 1)
    loss.backward()
    pasted = re.findall(r"```text\n(.*?)```", tutorial, flags=re.S)
    assert str(tx.tape(loss)) == pasted[0].rstrip("\n")
    assert tx.explain(loss, file=None) == pasted[1].rstrip("\n")
