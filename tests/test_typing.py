"""A user's type checker sees Tensor through the operators: mypy run on a small user script.

mypy is in the dev extra, not the test extra, so without it this test is skipped; .ci/run
runs it again once the dev extra is installed.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mypy", reason="mypy comes with the dev extra: pip install -e '.[dev]'")

ROOT = Path(__file__).resolve().parents[1]

USER_SCRIPT = """\
import numpy as np
import tinygrad_xent as tx
from tinygrad_xent import Tensor

x = tx.randn(3, 3, requires_grad=True)
y = Tensor(np.ones((3, 3)))
idx = np.array([0, 2])
reveal_type(x @ y)
reveal_type(x * 2)
reveal_type(2 - x)
reveal_type(x / y)
reveal_type(-x)
reveal_type(x ** 2)
reveal_type(x[idx])
reveal_type(x.sum())
reveal_type(x.exp())
reveal_type(x.max())
reveal_type(x.max(dim=1))
reveal_type(x.max(dim=1).values)
"""

EXPECTED = [
    "tinygrad_xent.tensor.Tensor",  # x @ y
    "tinygrad_xent.tensor.Tensor",  # x * 2
    "tinygrad_xent.tensor.Tensor",  # 2 - x
    "tinygrad_xent.tensor.Tensor",  # x / y
    "tinygrad_xent.tensor.Tensor",  # -x
    "tinygrad_xent.tensor.Tensor",  # x ** 2
    "tinygrad_xent.tensor.Tensor",  # x[idx]
    "tinygrad_xent.tensor.Tensor",  # x.sum()
    "tinygrad_xent.tensor.Tensor",  # x.exp()
    "tinygrad_xent.tensor.Tensor",  # x.max()
    "ValuesIndices",  # x.max(dim=1)
    "tinygrad_xent.tensor.Tensor",  # .values
]


@pytest.mark.slow  # a real browser (or mypy) takes seconds to start
def test_mypy_sees_tensor_through_the_operators(tmp_path):
    script = tmp_path / "user.py"
    script.write_text(USER_SCRIPT)
    env = {**os.environ, "MYPYPATH": str(ROOT)}  # the package as a user's mypy finds it
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-error-summary", "--cache-dir", str(tmp_path / "c")]
        + ["--follow-imports=silent", str(script)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    revealed = [line for line in run.stdout.splitlines() if "Revealed type is" in line]
    assert len(revealed) == len(EXPECTED), run.stdout + run.stderr
    for line, expected in zip(revealed, EXPECTED):
        assert expected in line and "Any" not in line, line
