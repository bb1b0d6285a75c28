"""Every file the command line writes is checked before any work, and the reason is named.

For each output (train's model.npz, loss.png and regions.png in --out, graph --out, play
--save, exercise start's NAME.py in --dir) every way its path can be unwritable is tried: the
file is a folder, its folder is a file, a folder further up is a file, its folder is missing.
Each must be one line on stderr, exit status 2, naming the true reason, and (for train) before
a single step runs. `exercise check` names the line of what Python reports without one.
"""

import os

import pytest

from tinygrad_xent import cli


def run(capsys, *argv):
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def prepare(tmp_path, monkeypatch, layout):
    monkeypatch.chdir(tmp_path)
    for path, kind in layout.items():
        if kind == "folder":
            os.makedirs(path)
        else:
            os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
            open(path, "w").close()


TRAIN_CASES = {
    "model.npz is a folder": ({"out/model.npz": "folder"}, [], "'out/model.npz' is a folder"),
    "loss.png is a folder": ({"out/loss.png": "folder"}, [], "'out/loss.png' is a folder"),
    "regions.png is a folder": ({"out/regions.png": "folder"}, [], "'out/regions.png' is a folder"),
    "loss.png is a folder, no model": (
        {"out/loss.png": "folder"},
        ["--no-model"],
        "'out/loss.png' is a folder",
    ),
    "model.npz is a folder, no plots": (
        {"out/model.npz": "folder"},
        ["--no-plots"],
        "'out/model.npz' is a folder",
    ),
    "--out is a file": ({"out": "file"}, [], "'out' is a file, not a folder"),
    "a parent of --out is a file": ({"a": "file"}, ["--out", "a/b/out"], "'a' is a file"),
}


@pytest.mark.parametrize("case", TRAIN_CASES)
def test_train_checks_every_output_before_training(tmp_path, monkeypatch, capsys, case):
    layout, flags, reason = TRAIN_CASES[case]
    prepare(tmp_path, monkeypatch, layout)
    argv = ["train", "--steps", "2", *(flags if "--out" in flags else ["--out", "out", *flags])]
    status, out, err = run(capsys, *argv)
    assert status == 2 and out == ""  # not a step was run
    assert err.count("\n") == 1 and reason in err and "does not exist" not in err


def test_a_plot_that_is_not_written_is_not_checked(tmp_path, monkeypatch, capsys):
    """--no-plots: a folder called loss.png is no obstacle; digits (64-D) draws no regions."""
    prepare(tmp_path, monkeypatch, {"out/loss.png": "folder", "d/regions.png": "folder"})
    assert run(capsys, "train", "--steps", "2", "--out", "out", "--no-plots")[0] == 0
    assert run(capsys, "train", "--data", "digits", "--steps", "2", "--out", "d")[0] == 0


FILE_CASES = {
    "its folder is a file": ({"afile": "file"}, "afile/x.png", "'afile' is a file, not a folder"),
    "a folder further up is a file": (
        {"afile": "file"},
        "afile/sub/x.png",
        "'afile' is a file, not a folder",
    ),
    "its folder is missing": ({}, "nope/x.png", "folder 'nope' does not exist"),
    "it is a folder": ({"x.png": "folder"}, "x.png", "x.png"),
}
COMMANDS = {
    "graph --out": lambda path: ["graph", "--out", path],
    "play --save": lambda path: ["play", "softmax", "--save", path],
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case", FILE_CASES)
def test_each_output_file_names_the_true_reason(tmp_path, monkeypatch, capsys, command, case):
    layout, path, reason = FILE_CASES[case]
    prepare(tmp_path, monkeypatch, layout)
    status, out, err = run(capsys, *COMMANDS[command](path))
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and reason in err


@pytest.mark.parametrize(
    "layout,flags,reason",
    [
        ({"ex/exp_backward.py": "folder"}, ["--dir", "ex"], "'ex/exp_backward.py' is a folder"),
        ({"afile": "file"}, ["--dir", "afile/ex"], "'afile' is a file, not a folder"),
        ({"afile": "file"}, ["--dir", "afile"], "is a file, not a folder"),
    ],
)
def test_exercise_start_names_the_true_reason(tmp_path, monkeypatch, capsys, layout, flags, reason):
    prepare(tmp_path, monkeypatch, layout)
    status, out, err = run(capsys, "exercise", "start", "exp_backward", *flags)
    assert status == 2 and reason in err and err.count("\n") == 1


@pytest.mark.parametrize(
    "source,line,what",
    [
        (b"def f():\n    return 1\x00\n", 2, "NUL byte"),
        (b"\x00", 1, "NUL byte"),
        (b"x = 1\ny = '\xff'\n", 2, "not utf-8"),
        (b"\xff\xfe = 1\n", 1, "not utf-8"),
        (b"# -*- coding: latin-1 -*-\nx = 1\n\x00", 3, "NUL byte"),
    ],
)
def test_exercise_check_names_the_line_python_does_not(
    tmp_path, monkeypatch, capsys, source, line, what
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.py").write_bytes(source)
    status, out, err = run(capsys, "exercise", "check", "mine.py")
    assert status == 1 and f"line {line} " in out and what in out and "None" not in out


def test_a_latin_1_file_that_says_so_is_read_as_latin_1(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.py").write_bytes(b"# -*- coding: latin-1 -*-\nx = '\xe9'\n")
    status, out, err = run(capsys, "exercise", "check", "mine.py")
    assert "not latin-1" not in out and "NUL" not in out
