"""The closed-form gradients derived in docs/losses/, evaluated against backward().

The formulas live in examples/check_derivations.py (which prints the largest error of each);
here each one runs on several random draws and must agree with the tape to rounding.
"""

import re
import runpy
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "losses"
EXAMPLE = runpy.run_path(str(ROOT / "examples" / "check_derivations.py"))
CHECKS = [(page, check) for page, checks in EXAMPLE["CHECKS"].items() for check in checks]


@pytest.mark.parametrize("page,check", CHECKS, ids=[c.__name__ for _, c in CHECKS])
@given(seed=st.integers(0, 2**32 - 1))
def test_closed_form_matches_backward(page, check, seed):
    assert check(np.random.default_rng(seed)) < 1e-12


def test_a_wrong_formula_would_be_caught():
    """The checks compare real numbers: softmax - y without the 1/N of the mean is caught."""
    import tinygrad_xent.functional as F

    rng = np.random.default_rng(0)
    x = EXAMPLE["leaf"](rng.normal(size=(6, 4)))
    y = rng.integers(0, 4, size=6)
    F.cross_entropy(x, y).backward()
    wrong = EXAMPLE["softmax"](x.data) - np.eye(4)[y]
    assert EXAMPLE["largest_error"](x.grad, wrong) > 0.1


def test_every_page_is_checked_indexed_and_states_its_formulas():
    pages = {path.name for path in DOCS.glob("*.md")} - {"README.md"}
    assert pages == set(EXAMPLE["CHECKS"])
    index = (DOCS / "README.md").read_text()
    assert set(re.findall(r"\]\(([\w-]+\.md)\)", index)) == pages
    formulas = {
        "softmax-cross-entropy.md": [
            r"p_k\,(\delta_{kj} - p_j)",
            r"p_j - \delta_{jy}",
            r"p_j - t'_j",
            r"\frac{w_{y_i}}{\sum_{i'} w_{y_{i'}}}",
        ],
        "binary-cross-entropy.md": [
            r"\frac{p - y}{p(1-p)}",
            r"\sigma(x) - y",
            r"\big(q y + 1 - y\big)\,\sigma(x) - q y",
        ],
        "nt-xent-supcon.md": [
            r"P_{ik} - Y_{ik}",
            r"\big(G + G^\top\big)\,U",
            r"I - u u^\top",
            r"P_{ik} - M_{ik}",
        ],
        "hinge-entropy.md": [r"\frac{a_j}{C}", r"-\big(\log p_k + 1\big)"],
    }
    for page, needed in formulas.items():
        text = (DOCS / page).read_text()
        assert text.count("$$") % 2 == 0, page  # display math is balanced
        for formula in needed:
            assert formula in text, (page, formula)


def test_example_prints_every_check(capsys):
    EXAMPLE["main"]()
    lines = capsys.readouterr().out.strip().splitlines()[1:]
    assert len(lines) == len(CHECKS)
    for line, (_, check) in zip(lines, CHECKS):
        assert check.__name__ in line and float(line.split()[-1]) < 1e-12
