"""Docstrings in numpydoc form, the form pdoc renders (``pdoc -d numpy``, see docs/api.md).

A section is a title underlined with dashes. In Parameters and Attributes each entry is
``name : type`` (or ``a, b : type``) on its own line with its description indented under it;
in Returns and Yields each entry is ``type`` or ``name : type``, described the same way; in
Raises each entry is an exception's name, with when it is raised indented under it. A type is
a phrase, not a sentence: it does not end with a full stop. A module is listed in CONFORMANT
once all of its public docstrings follow the form.
"""

import importlib
import inspect
import re

import pytest

from tinygrad_xent.exercises import EXERCISES

CONFORMANT = [
    "tinygrad_xent.data",
    "tinygrad_xent.plot",
    "tinygrad_xent.checkpoint",
    "tinygrad_xent.gradcheck",
    "tinygrad_xent.files",
    "tinygrad_xent.checks",
    "tinygrad_xent.nn",
    "tinygrad_xent.optim",
    "tinygrad_xent.train",
    "tinygrad_xent.play",
    "tinygrad_xent.textbook",
    "tinygrad_xent.cli",
    "tinygrad_xent.jacobian",
    "tinygrad_xent.exercises",
    "tinygrad_xent.exercises.grading",
    "tinygrad_xent.functional",
    "tinygrad_xent.explain",
    "tinygrad_xent.draw",
    "tinygrad_xent.autograd",
    "tinygrad_xent.tensor",
] + [f"tinygrad_xent.exercises.{name}" for name in EXERCISES]

SECTIONS = {
    "Parameters",
    "Other Parameters",
    "Attributes",
    "Returns",
    "Yields",
    "Raises",
    "Warns",
    "See Also",
    "Notes",
    "References",
    "Examples",
}
NAME = r"\*{0,2}[A-Za-z_]\w*"
ENTRY = {
    "Parameters": rf"{NAME}(, {NAME})* : \S.*",
    "Other Parameters": rf"{NAME}(, {NAME})* : \S.*",
    "Attributes": rf"{NAME}(, {NAME})* : \S.*",
    "Returns": rf"({NAME} : )?\S.*",
    "Yields": rf"({NAME} : )?\S.*",
    "Raises": r"[A-Z][\w.]*",
    "Warns": r"[A-Z][\w.]*",
}


def _documented():
    """(qualified name, object) of every public function, class and method to check."""
    for module_name in CONFORMANT:
        module = importlib.import_module(module_name)
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != module_name:
                continue
            if inspect.isfunction(obj) or inspect.isclass(obj):
                yield f"{module_name}.{name}", obj
            if inspect.isclass(obj):
                for attr, member in vars(obj).items():
                    if not attr.startswith("_") and inspect.isfunction(member):
                        yield f"{module_name}.{name}.{attr}", member


def sections(doc: str) -> dict[str, list[str]]:
    """The docstring's sections: title -> its lines (without the title and the dashes)."""
    lines = doc.splitlines()
    found: dict[str, list[str]] = {}
    current = None
    for i, line in enumerate(lines):
        if i + 1 < len(lines) and re.fullmatch(r"-{3,}", lines[i + 1]) and line.strip():
            current = line.strip()
            assert current in SECTIONS, f"unknown section {current!r}"
            assert len(lines[i + 1]) == len(line), f"{current}: the dashes must match its length"
            found[current] = []
        elif current is not None and not re.fullmatch(r"-{3,}", line):
            found[current].append(line)
    return found


def _entry_problems(title: str, lines: list[str]) -> list[str]:
    """The entries of one section that are not ``name : type`` (or its kind) over an
    indented description."""
    wrong = []
    for i, line in enumerate(lines):
        if line.startswith(" ") and not line.startswith("    "):
            wrong.append(f"{title}: description {line!r} must be indented by 4 spaces")
        if not line or line.startswith(" "):
            continue
        if not re.fullmatch(ENTRY[title], line) or line.endswith(".") or line.count(" : ") > 1:
            wrong.append(f"{title}: {line!r} is not an entry of the form {ENTRY[title]!r}")
        elif i + 1 == len(lines) or not lines[i + 1].startswith("    "):
            wrong.append(f"{title}: {line!r} has no description indented under it")
    return wrong


def _parameter_problems(obj, lines: list[str]) -> list[str]:
    """The names in Parameters that are not parameters of ``obj`` (of its __init__ for a
    class)."""
    target = obj.__init__ if inspect.isclass(obj) else obj
    params = set(inspect.signature(target).parameters)
    names = [
        name
        for line in lines
        if line and not line.startswith(" ")
        for name in line.split(" : ")[0].split(", ")
    ]
    return [
        f"Parameters: {name} is not a parameter" for name in names if name.lstrip("*") not in params
    ]


def problems(obj) -> list[str]:
    """What keeps ``obj``'s docstring from the numpydoc form, one line each."""
    doc = inspect.getdoc(obj)
    if not doc:
        return ["no docstring"]
    found = sections(doc)
    wrong = []
    for title, lines in found.items():
        if title in ENTRY:
            wrong += _entry_problems(title, lines) or (
                [] if any(lines) else [f"{title}: no entries"]
            )
    if "Parameters" in found:
        wrong += _parameter_problems(obj, found["Parameters"])
    return wrong


@pytest.mark.parametrize(
    "name, obj", list(_documented()), ids=lambda v: v if isinstance(v, str) else ""
)
def test_docstring_is_numpydoc(name, obj):
    assert problems(obj) == []


def test_the_checker_catches_the_old_form():
    def old(x, path):
        """Do it.

        Parameters
        ----------
        x : (N, 2) points.  y : (N,) labels.
        path: the file.

        Returns
        -------
        The path written.

        Raises
        ------
        ValueError if x is wrong.
        """

    def new(x, path):
        """Do it.

        Parameters
        ----------
        x : (N, 2) array
            Points.
        path : str
            The file.

        Returns
        -------
        str
            The path written.

        Raises
        ------
        ValueError
            If x is wrong.
        """

    flagged = "\n".join(problems(old))
    for line in [
        "x : (N, 2) points.  y : (N,) labels.",
        "path: the file.",
        "The path written.",
        "ValueError if x is wrong.",
    ]:
        assert repr(line) in flagged
    assert problems(new) == []
