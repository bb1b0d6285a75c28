"""The command line, run as a user runs it: in a subprocess, reading its output and status."""

import os
import shutil
import subprocess
import sys

import pytest
from run_cli import run_cli

import tinygrad_xent
from tinygrad_xent.cli import main


def _one_line_error(result, status=2):
    assert result.returncode == status
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tinygrad-xent: error: ")
    return lines[0]


@pytest.mark.slow  # over half a second: the whole suite runs it
def test_train_prints_chance_and_writes_plots_to_runs_data(tmp_path):
    result = run_cli("train", "--steps", "300", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[1] == "step 0  loss 1.0983  (log 3 = 1.0986, chance)"
    assert any(line.startswith("step 30  loss") and "steps/s" in line for line in lines)
    assert any(line.startswith("done in") and "training accuracy" in line for line in lines)
    out = tmp_path / "runs" / "spiral"
    for name in ("loss.png", "regions.png", "model.npz"):
        assert (out / name).stat().st_size > 0
    assert lines[-1] == (
        "wrote runs/spiral/model.npz, runs/spiral/loss.png, runs/spiral/regions.png"
    )


def test_out_folder_is_made(tmp_path, capsys):
    out = tmp_path / "deep" / "plots"
    assert main(["train", "--data", "blobs", "--steps", "5", "--out", str(out)]) == 0
    assert sorted(os.listdir(out)) == ["loss.png", "model.npz", "regions.png"]
    assert str(out / "loss.png") in capsys.readouterr().out


def test_a_plotting_failure_keeps_the_trained_model(tmp_path, monkeypatch):
    from tinygrad_xent import checkpoint, nn, plot

    def broken_plot(*args, **kwargs):
        raise ValueError("loss_curve: this matplotlib cannot draw the legend")

    monkeypatch.setattr(plot, "loss_curve", broken_plot)
    with pytest.raises(ValueError, match="cannot draw the legend"):
        main(["train", "--data", "blobs", "--steps", "5", "--out", str(tmp_path)])
    assert os.listdir(tmp_path) == ["model.npz"]
    nn.MLP([2, 100, 3]).load_state_dict(checkpoint.load(tmp_path / "model.npz"))


def test_digits_reports_test_accuracy(capsys):
    assert main(["train", "--data", "digits", "--steps", "100", "--no-plots", "--no-model"]) == 0
    out = capsys.readouterr().out
    assert "step 0  loss 2.3026  (log 10 = 2.3026, chance)" in out
    assert "test accuracy" in out and "on 359 held-out samples" in out


@pytest.mark.parametrize(
    "args, message",
    [
        (["train", "--lr", "0"], "train: --lr must be a finite number > 0, got 0.0"),
        (["train", "--lr", "-0.5"], "--lr must be a finite number > 0, got -0.5"),
        (["train", "--steps", "0"], "--steps must be an integer in [1, 10000000], got 0"),
        (["train", "--data", "mnist"], "argument --data: invalid choice: 'mnist'"),
        (["train", "--lr", "fast"], "argument --lr: invalid float value: 'fast'"),
        (["train", "--bogus"], "unrecognized arguments: --bogus"),
        (["train", "--momentum", "1"], "--momentum must be in [0, 1), got 1.0"),
        (["train", "--seed", "-1"], "--seed must be an integer in [0, 4294967295], got -1"),
        (
            ["train", "--weight-decay", "inf"],
            "--weight-decay must be a finite number >= 0, got inf",
        ),
        (
            ["train", "--optimizer", "adam", "--momentum", "0.5"],
            "--momentum applies to --optimizer sgd only",
        ),
        ([], "a command is needed"),
    ],
)
def test_usage_errors_are_one_line_and_status_2(args, message):
    assert message in _one_line_error(run_cli(*args))


def test_unwritable_out_folder(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    line = _one_line_error(run_cli("train", "--out", str(blocker / "plots")))
    assert "train: cannot write to --out" in line and "a_file" in line


def test_nan_loss_names_the_step_and_suggests_a_smaller_lr():
    line = _one_line_error(
        run_cli("train", "--lr", "1e6", "--steps", "100", "--no-plots", "--no-model"), status=1
    )
    assert "the loss became inf at step" in line and "smaller learning rate" in line
    # not a tenth (--lr 100000 diverges too): the data set's default, which trains
    assert line.endswith("e.g. --lr 1 (spiral's default)")


def test_main_returns_status_in_process(capsys):
    assert main(["train", "--lr", "0"]) == 2
    assert capsys.readouterr().err == (
        "tinygrad-xent: error: train: --lr must be a finite "
        "number > 0, got 0.0 (see 'tinygrad-xent train --help')\n"
    )


def test_console_script():
    # Beside the interpreter first: a virtual environment's bin/ need not be on PATH.
    script = shutil.which("tinygrad-xent", path=os.path.dirname(sys.executable)) or shutil.which(
        "tinygrad-xent"
    )
    if script is None:
        pytest.skip("the package is not installed with its console script")
    result = subprocess.run([script, "train", "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "--data" in result.stdout and "--lr" in result.stdout
    result = subprocess.run([script, "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert result.stdout == f"tinygrad-xent {tinygrad_xent.__version__}\n"
