"""Ctrl-C at any moment of the command line, start-up included, is one line and status 130."""

import signal
import subprocess
import sys
import time

import pytest


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.1, 0.3, 1.0], ids=["imports", "later-imports", "training"])
def test_ctrl_c_is_one_line_whenever_it_comes(delay, tmp_path):
    command = [sys.executable, "-m", "tinygrad_xent", "train", "--steps", "100000"]
    process = subprocess.Popen(
        [*command, "--no-plots", "--no-model"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(delay)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert err == "tinygrad-xent: interrupted\n"
    # 130 from the command's own handler; -2 (killed by SIGINT, Python's way to end on an
    # uncaught interrupt) while the imports still run
    assert process.returncode in (130, -signal.SIGINT)


def test_imported_as_a_library_the_excepthook_is_python_s():
    code = "import sys, tinygrad_xent; print(sys.excepthook is sys.__excepthook__)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == "True\n"
