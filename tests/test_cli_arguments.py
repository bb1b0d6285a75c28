"""Every flag of every command, given values outside its domain: one line on stderr, exit 2.
And a run that loses its folder, its plots or its memory: one line, the model kept."""

import argparse
import os
import subprocess
import sys

import pytest
from run_cli import run_cli

from tinygrad_xent import cli
from tinygrad_xent.cli import main

HUGE = "1" + "0" * 30
NUMBERS = ["nan", "inf", "-inf", "abc", "", "1e400", "0x10"]
BAD_VALUES = {  # flag: values outside its domain, for `train` unless the key says otherwise
    "--data": ["mnist", "", "nan", "1"],
    "--model": ["cnn", "", "0"],
    "--hidden": NUMBERS + ["-1", "0", "2.5", "1e3", HUGE, str(cli.HIDDEN_MAX + 1)],
    "--steps": NUMBERS + ["-1", "0", "2.5", HUGE, str(cli.STEPS_MAX + 1)],
    "--lr": NUMBERS + ["-0.5", "0", "-0", "1e-400"],
    "--momentum": NUMBERS + ["-0.1", "1", "1.5", HUGE],
    "--weight-decay": NUMBERS + ["-1", "-1e-9", "1e309"],
    "--optimizer": ["rmsprop", "", "SGD"],
    "--batch-size": NUMBERS + ["-5", "-1", "2.5", HUGE, "301"],
    "--seed": NUMBERS + ["-1", "2.5", str(2**32), HUGE],
    "--out": ["", "{file}/plots"],
    "graph --example": ["mlp", "", "nan"],
    "graph --out": [
        *["", "{dir}", "{dir}/missing/g.png", "{file}/g.png", "g.jpg", "{dir}.png"],
        *["{dir}/missing/g.html", "{file}/g.html"],
    ],
    "textbook --lesson": ["0", "-1", "99", "abc", "", "nan", "2.5"],
    "textbook --source": ["nope", "", "CS231N"],
    "exercise list --dir": ["{file}"],
    "exercise start --dir": ["{file}"],
    "exercise check --dir": ["{file}"],
    "exercise solution --dir": ["{file}"],
    "play softmax --classes": ["1", "11", "-3", "nan", "abc", "", "2.5", HUGE],
    "play softmax --save": ["", "{dir}/missing/a.png", "{file}/a.png"],
    "play softmax --html": ["", "{dir}", "{dir}/missing/a.html", "{file}/a.html", "a.png"],
}
SWITCHES = [
    "--no-plots",
    "--no-model",
    "textbook --list",
    "exercise solution --show",
    "graph --full",
]
# What a sub-action needs besides the flag under test
ARGUMENTS = {
    "exercise start": ["exp_backward"],
    "exercise check": ["exp_backward"],
    "exercise solution": ["exp_backward"],
}


def _cases():
    for key, values in BAD_VALUES.items():
        *command, flag = key.split()
        command = command or ["train"]
        extra = ARGUMENTS.get(" ".join(command), [])
        for value in values:
            yield pytest.param(
                [*command, *extra, f"{flag}={value}"], id=f"{' '.join(command)} {flag}={value!r}"
            )
    for switch in SWITCHES:
        *command, flag = switch.split()
        yield pytest.param([*(command or ["train"]), f"{flag}=1"], id=f"{switch}=1")
    yield pytest.param(["play", "bce", "--classes", "3"], id="play bce --classes")
    yield pytest.param(
        ["play", "softmax", "--classes", "4", "--html", "a.html"], id="play softmax --html 4"
    )
    yield pytest.param(
        ["play", "bce", "--html", "a.html", "--save", "a.png"], id="play --html --save"
    )
    yield pytest.param(["play", "fly"], id="play unknown")
    yield pytest.param(["exercise", "start", "nope"], id="exercise unknown")
    yield pytest.param(["exercise", "solution", "nope"], id="exercise solution unknown")
    yield pytest.param(["train", "--optimizer", "adam", "--momentum", "0.5"], id="adam momentum")
    yield pytest.param(
        ["train", "--data", "blobs", "--optimizer", "adam", "--momentum", "0"], id="adam momentum 0"
    )
    yield pytest.param(["train", "--model", "linear", "--hidden", "10"], id="linear hidden")
    for command in ("train", "textbook", "graph", "exercise list", "play softmax"):
        yield pytest.param([*command.split(), "--bogus"], id=f"{command} --bogus")
        yield pytest.param([*command.split(), "extra", "more"], id=f"{command} extra")
    yield pytest.param(["fly"], id="unknown command")
    yield pytest.param([], id="no command")


def _flags(parser, command=""):
    """(command, flag) for every option of every command and sub-action."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _flags(sub, f"{command} {name}".strip())
        elif action.option_strings and action.option_strings[-1] not in ("--help", "--version"):
            yield command, action.option_strings[-1]


def test_every_flag_is_in_the_table():
    flags = list(_flags(cli.build_parser()))
    assert ("play", "--classes") in flags and ("exercise check", "--dir") in flags
    for command, flag in flags:
        key = flag if command == "train" else f"{command} {flag}"
        if command == "play":  # its flags are tried with 'play softmax'
            key = f"play softmax {flag}"
        assert key in BAD_VALUES or key in SWITCHES or flag in SWITCHES, (
            f"{command} {flag} has no bad values"
        )


@pytest.mark.parametrize("argv", list(_cases()))
def test_a_value_outside_the_domain_is_one_line_and_status_2(argv, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a_file").write_text("")
    (tmp_path / "a_dir").mkdir()
    (tmp_path / "a_dir.png").mkdir()
    argv = [
        a.replace("{file}", str(tmp_path / "a_file")).replace("{dir}", str(tmp_path / "a_dir"))
        for a in argv
    ]
    assert main(argv) == 2
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("tinygrad-xent: error: "), err
    assert out == ""  # refused before anything ran
    assert sorted(os.listdir(tmp_path)) == ["a_dir", "a_dir.png", "a_file"]  # nothing written


@pytest.mark.parametrize(
    "args, message",
    [
        (["train", "--seed", "-1"], "train: --seed must be an integer in [0, 4294967295], got -1"),
        (
            ["train", "--weight-decay", "inf"],
            "--weight-decay must be a finite number >= 0, got inf",
        ),
        (["train", "--hidden", HUGE], f"--hidden must be an integer in [1, 100000], got {HUGE}"),
    ],
)
def test_the_real_entry_point_prints_one_line(args, message, tmp_path):
    result = run_cli(*args, cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and message in result.stderr


# ---- what a run writes, and in which order ---------------------------------------------------
def test_no_plots_still_writes_the_model(tmp_path, capsys):
    assert (
        main(["train", "--data", "blobs", "--steps", "3", "--no-plots", "--out", str(tmp_path)])
        == 0
    )
    assert os.listdir(tmp_path) == ["model.npz"]
    assert capsys.readouterr().out.splitlines()[-1] == f"wrote {tmp_path / 'model.npz'}"


def test_no_plots_and_no_model_write_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["train", "--data", "blobs", "--steps", "3", "--no-plots", "--no-model"]) == 0
    assert os.listdir(tmp_path) == []
    assert "wrote" not in capsys.readouterr().out


def test_help_says_what_each_switch_skips(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--no-plots skip the plots (model.npz is still written)" in text
    assert "--no-model skip writing model.npz" in text


def test_folder_removed_during_the_run_keeps_the_model(tmp_path, monkeypatch, capsys):
    out = tmp_path / "run"
    fit = cli.fit

    def fit_then_remove_the_folder(*args, **kwargs):
        history = fit(*args, **kwargs)
        os.rmdir(out)  # empty: the check before training left nothing behind
        return history

    monkeypatch.setattr(cli, "fit", fit_then_remove_the_folder)
    assert main(["train", "--data", "blobs", "--steps", "3", "--out", str(out), "--no-plots"]) == 0
    assert sorted(os.listdir(out)) == ["model.npz"]
    assert capsys.readouterr().out.splitlines()[-1] == f"wrote {out / 'model.npz'}"


def test_a_plot_that_cannot_be_written_costs_nothing_but_the_plot(tmp_path, monkeypatch, capsys):
    from tinygrad_xent import plot

    def broken(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(plot, "loss_curve", broken)
    assert main(["train", "--data", "blobs", "--steps", "3", "--out", str(tmp_path)]) == 1
    out, err = capsys.readouterr()
    assert os.listdir(tmp_path) == ["model.npz"]
    assert out.splitlines()[-1] == f"wrote {tmp_path / 'model.npz'}"
    assert err == (
        f"tinygrad-xent: error: cannot write the plots to {str(tmp_path)!r}: Permission denied\n"
    )


def test_a_model_that_cannot_be_written_is_one_line(tmp_path, monkeypatch, capsys):
    def no_folder(path, exist_ok=False):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(cli.os, "makedirs", no_folder)
    monkeypatch.setattr(cli, "_check_writable", lambda folder: None)
    assert main(["train", "--data", "blobs", "--steps", "3", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err == (
        f"tinygrad-xent: error: cannot write model.npz to {str(tmp_path)!r}: Permission denied\n"
    )


@pytest.mark.slow  # over half a second: the whole suite runs it
def test_out_of_memory_is_one_line_and_status_1(tmp_path):
    resource = pytest.importorskip("resource")

    def limit_memory():
        resource.setrlimit(resource.RLIMIT_AS, (600 << 20, 600 << 20))

    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tinygrad_xent",
            "train",
            "--hidden",
            "100000",
            "--steps",
            "1",
            "--no-plots",
            "--no-model",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=limit_memory,
        env=env,
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("tinygrad-xent: error: out of memory: ")
    assert "try a smaller --hidden or --batch-size" in result.stderr


def test_a_nan_loss_at_step_0_suggests_no_learning_rate(monkeypatch, capsys):
    real_mlp = cli.MLP

    def mlp_with_a_nan(*args, **kwargs):
        model = real_mlp(*args, **kwargs)
        model.layers[0].weight.data[0, 0] = float("nan")
        return model

    monkeypatch.setattr(cli, "MLP", mlp_with_a_nan)
    assert main(["train", "--data", "blobs", "--steps", "3", "--no-plots", "--no-model"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "before any update" in err and "--lr" not in err
