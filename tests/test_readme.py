"""The README's commands and examples do what the README says they do."""

import contextlib
import io
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def code_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def test_ci_runs_the_readme_test_command_word_for_word():
    setup = code_blocks("bash")
    assert len(setup) == 2, "the README has exactly two set-up commands"
    test_command = setup[1].strip()
    assert "pytest" in test_command
    ci_commands = [line for line in (ROOT / ".ci" / "run").read_text().splitlines()
                   if line and not line.startswith("#")]
    assert test_command in ci_commands


def test_the_readme_python_examples_print_what_their_comments_say(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # tx.draw writes graph.png here
    out = io.StringIO()
    namespace: dict = {}
    with contextlib.redirect_stdout(out):
        for block in code_blocks("python"):
            exec(compile(block, "README.md", "exec"), namespace)
    printed = out.getvalue()
    assert "0.4421\n[ 0.2139 -0.3573  0.1434]\n" in printed
    tape_lines = [line[2:] for line in code_blocks("python")[2].splitlines()
                  if re.match(r"# \d+  ", line)]
    assert len(tape_lines) == 10
    assert "\n".join(tape_lines) in printed
    explain_excerpt = next(b for b in code_blocks("text") if b.startswith("node 2  exp"))
    for line in explain_excerpt.splitlines():
        if line != "...":
            assert line in printed.splitlines()
    assert (tmp_path / "graph.png").stat().st_size > 10_000
    assert "step 0  loss 1.0983  (log 3 = 1.0986, chance)\n" in printed
    assert "\n0.99\n" in printed
    assert namespace["history"].final_accuracy >= 0.98
    assert abs(namespace["history"].initial_loss - namespace["history"].chance) < 0.02


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


def _pdoc_modules(command: str) -> list[str]:
    return [word for word in command.split() if word.startswith("tinygrad_xent")]


def test_the_api_page_renders_the_modules_ci_checks():
    """docs/api.md's pdoc command shows every public module, the same list .ci/run renders."""
    import importlib.util
    import pkgutil

    import tinygrad_xent

    page = (ROOT / "docs" / "api.md").read_text()
    shown = _pdoc_modules(next(line for line in page.splitlines() if "pdoc -d numpy" in line))
    ci = _pdoc_modules(next(line for line in (ROOT / ".ci" / "run").read_text().splitlines()
                            if "-m pdoc" in line and not line.startswith("#")))
    assert shown == ci
    table = re.findall(r"^\| `(tinygrad_xent[\w.]*)` \|", page, flags=re.M)
    assert table == shown
    # The modules pdoc adds by itself: those named in the package's __all__.
    by_all = {f"tinygrad_xent.{name}" for name in tinygrad_xent.__all__
              if importlib.util.find_spec(f"tinygrad_xent.{name}") is not None}
    # Every module is documented except the command line, the file helper and the textbook
    # walkthrough, which are programs rather than API.
    programs = {"tinygrad_xent.cli", "tinygrad_xent.files", "tinygrad_xent.textbook",
                "tinygrad_xent.__main__"}
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
