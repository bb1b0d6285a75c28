"""Imports point one way: each module of the package imports only modules below it.

The package reads bottom-up (autograd, then tensor, then what is composed from tensors, then
the tools and the command line); no module imports one above it, at the top of the file or
lazily inside a function. Checked on the source, import by import.
"""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "tinygrad_xent"

# Bottom first. A module may import only modules that come before it here.
LAYERS = [
    "_startup",
    "checks",
    "files",
    "autograd",
    "tensor",
    "function",
    "gradcheck",
    "jacobian",
    "factories",
    "functional",
    "explain",
    "layout",
    "stepper",
    "draw",
    "nn",
    "optim",
    "data",
    "checkpoint",
    "plot",
    "play",
    "play_html",
    "textbook",
    "train",
    "exercises",
    "cli",
    "__init__",
    "__main__",
]


def _module(path: Path, root: Path) -> str:
    """The layer of a source file: its module name, or its subpackage for files inside one."""
    relative = path.relative_to(root)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def _imported(path: Path, root: Path) -> set[str]:
    """The package's modules that ``path`` imports, anywhere in the file."""
    found = set()
    inside = len(path.relative_to(root).parts) > 1  # in a subpackage, . is the subpackage
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            if node.level == 1 and inside:
                continue  # from .grading import ...: within the subpackage
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("tinygrad_xent."):
                    found.add(alias.name.split(".")[1])
    return found


def upward_imports(root: Path) -> list[str]:
    """Every import of a module at or above the importing one, as "file imports module"."""
    wrong = []
    for path in sorted(root.rglob("*.py")):
        module = _module(path, root)
        for imported in _imported(path, root) - {"__version__"}:  # cli shows the version
            if imported in LAYERS and LAYERS.index(imported) >= LAYERS.index(module):
                wrong.append(f"{path.relative_to(root)} imports {imported}")
    return wrong


def test_every_module_has_a_layer():
    modules = {_module(path, PACKAGE) for path in PACKAGE.rglob("*.py")}
    assert modules <= set(LAYERS), f"give these a place in LAYERS: {modules - set(LAYERS)}"


def test_no_module_imports_one_above_it():
    assert upward_imports(PACKAGE) == []


def test_the_check_finds_a_lazy_upward_import(tmp_path):
    (tmp_path / "tensor.py").write_text("def f():\n    from . import functional\n")
    (tmp_path / "functional.py").write_text("from .tensor import Tensor\n")
    assert upward_imports(tmp_path) == ["tensor.py imports functional"]
