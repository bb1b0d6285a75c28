"""Every script in examples/ and docs/make_*.py runs, exits 0 and prints its key numbers.

The scripts run in a temporary folder (anything they write lands there), the quick ones all
started at once so that they overlap; each test then waits for its own. The slow ones (marked
slow) start in their own test, so the quick tier does not pay for them. The command-line tests of
`textbook` and `graph` are here too: they are subprocess runs of the same kind.
"""

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from run_cli import run_cli

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = sorted(ROOT.glob("examples/*.py")) + sorted(ROOT.glob("docs/make_*.py"))
# Scripts that take an output folder as their one argument.
TAKES_OUT = {"temperature", "hinge_vs_ce", "make_figures", "cs231n_case_study"}
# Scripts that take seconds (the rest take well under one).
# textbook: its lesson 13 trains CS231n's case study (10,000 steps of a 2-layer net).
SLOW = {"contrastive", "hinge_vs_ce", "make_figures", "spiral", "cs231n_case_study", "textbook"}


def _softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


def _hinge_vs_ce_line(s: float) -> str:
    ce = np.log(1 + 2 * np.exp(-s))
    slope = _softmax(np.array([s, 0.0, 0.0]))[0] - 1  # softmax - one_hot at the correct class
    return (
        f"s = {s:.1f}: hinge 0.0000 (slope +0.0000),  cross-entropy {ce:.4f} (slope {slope:+.4f})"
    )


def _temperature_line(t: float) -> str:
    p = _softmax(np.array([1.2, 2.3, 0.8, -0.5, 1.9]) / t)
    shown = np.array2string(p, precision=4, floatmode="fixed", suppress_small=True)
    return f"T = {t:>4}: softmax {shown}, largest {p.max():.4f}"


# What each script must print (regular expressions or literal lines); the rest just exit 0.
EXPECTED = {
    "backprop_by_hand": [
        "by the tape (backward):      [ 0.213927 -0.357327  0.1434  ]",
        "by finite differences:       [ 0.213927 -0.357327  0.1434  ]",
    ],
    "temperature": [_temperature_line(0.1), _temperature_line(1.0), _temperature_line(10.0)],
    "hinge_vs_ce": [
        _hinge_vs_ce_line(2.0),
        _hinge_vs_ce_line(4.0),
        "s = 0.0: hinge 0.6667 (slope -0.6667),  cross-entropy 1.0986 (slope -0.6667)",
    ],
    "nan_hunt": [
        "the loss is nan",
        "detect_anomaly: forward of log",
        "log_softmax(x) instead of log(softmax(x))",
        "trained 60 steps: loss 0.0000",
    ],
    "make_figures": ["wrote .*graph_ce.png", "wrote .*temperature.png"],
    "cs231n_case_study": [
        r"step     0: loss  1\.09\d+  1\.096956",  # the notes' first loss beside ours, near log 3
        r"step  9000: loss  0\.24\d+  0\.245292",
        r"training accuracy      0\.(4\d|5\d)      0\.49",  # the linear model stalls near 50%
        r"training accuracy      0\.9[89]      0\.98",
        "wrote .*case_study_regions.png",
    ],
}


def _start(script: Path, folder: Path) -> subprocess.Popen:
    args = [sys.executable, str(script)] + ([str(folder)] if script.stem in TAKES_OUT else [])
    return subprocess.Popen(
        args, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


@pytest.fixture(scope="module")
def runs(tmp_path_factory, request):
    """Start every script the run selects at once (the slow ones too, unless -m "not slow"
    leaves them out): two cores run them side by side; map its name to (Popen, its folder)."""
    with_slow = "not slow" not in (request.config.getoption("markexpr") or "")
    started = {}
    for script in SCRIPTS:
        if script.stem != "textbook" and (with_slow or script.stem not in SLOW):
            folder = tmp_path_factory.mktemp(script.stem)
            started[script.stem] = (_start(script, folder), folder)
    yield started
    for process, _ in started.values():
        process.kill()


@pytest.mark.parametrize(
    "script",
    [
        pytest.param(script, marks=pytest.mark.slow) if script.stem in SLOW else script
        for script in SCRIPTS
        # (textbook runs beside the command it prints, in the test after this one)
        if script.stem != "textbook"
    ],
    ids=lambda p: p.stem,
)
def test_script_runs_and_prints_its_numbers(runs, script, tmp_path):
    process, folder = (
        runs[script.stem] if script.stem in runs else (_start(script, tmp_path), tmp_path)
    )
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, f"{script.name} failed:\n{err}"
    assert out.strip(), f"{script.name} printed nothing"
    for expected in EXPECTED.get(script.stem, []):
        assert expected in out or re.search(expected, out), f"missing {expected!r} in\n{out}"
    if script.stem == "backprop_by_hand":
        worst = float(re.search(r"largest disagreement: (\S+)", out).group(1))
        assert worst < 1e-10
    if script.stem == "make_figures":
        pngs = sorted(p.name for p in folder.glob("*.png"))
        assert pngs == [
            "case_study_regions.png",
            "graph_bce.png",
            "graph_ce.png",
            "graph_nt_xent.png",
            "graph_softmax.png",
            "hinge_vs_ce.png",
            "play_bce.png",
            "play_softmax.png",
            "play_temperature.png",
            "spiral_linear_loss.png",
            "spiral_linear_regions.png",
            "spiral_mlp_loss.png",
            "spiral_mlp_regions.png",
            "temperature.png",
        ]
        assert all(p.stat().st_size > 10_000 for p in folder.glob("*.png"))
        # every figure the docs show is one the script makes, or a screenshot of a page in
        # the browser, taken by docs/stepper_screenshots.py (tests/test_stepper.py runs it)
        shown = {
            m
            for page in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]
            for m in re.findall(r"img/([\w.-]+\.png)", page.read_text())
        }
        shots = (ROOT / "docs" / "stepper_screenshots.py").read_text()
        assert shown <= set(pngs) | set(re.findall(r'"(\w+\.png)"', shots))


# Each example's leaf gradient: softmax - one_hot; row 1 of softmax's Jacobian,
# p_1 (one_hot(1) - p); (sigmoid - y) / 2; NT-Xent's two views.
GRAPH_GRADIENTS = {
    "ce": "[ 0.2139, -0.3573,  0.1434]",
    "softmax": "[-0.1375,  0.2296, -0.0922]",
    "bce": "[-0.1550,  0.0912]",
    "nt_xent": "leaf 1 (2, 2).grad (1 use):",
}


@pytest.mark.slow  # over half a second: the whole suite runs it
@pytest.mark.parametrize("example", sorted(GRAPH_GRADIENTS))
def test_cli_graph_draws_and_explains(tmp_path, example):
    result = run_cli("graph", "--example", example, "--out", "g.png", cwd=tmp_path)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert GRAPH_GRADIENTS[example] in result.stdout
    assert "graph written to g.png" in result.stdout
    assert (tmp_path / "g.png").stat().st_size > 20_000


def test_cli_graph_errors_are_one_line_and_exit_2(tmp_path):
    result = run_cli("graph", "--out", str(tmp_path / "missing" / "g.png"), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "does not exist" in result.stderr
    result = run_cli("graph", "--example", "mse", cwd=tmp_path)
    assert result.returncode == 2 and "invalid choice: 'mse'" in result.stderr
    assert result.stderr.count("\n") == 1


@pytest.mark.slow  # lesson 13 trains for seconds
def test_cli_textbook_is_the_textbook_example(tmp_path):
    # The two run side by side (each trains the case study's net for seconds).
    commands = [
        [sys.executable, "-m", "tinygrad_xent", "textbook"],
        [sys.executable, str(ROOT / "examples" / "textbook.py")],
    ]
    running = [
        subprocess.Popen(c, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for c in commands
    ]
    (cli_out, cli_err), (script_out, _) = (p.communicate(timeout=60) for p in running)
    assert running[0].returncode == 0, cli_err
    assert cli_out == script_out
    result = subprocess.CompletedProcess(commands[0], 0, cli_out, cli_err)
    assert "cross-entropy" in result.stdout.lower()
