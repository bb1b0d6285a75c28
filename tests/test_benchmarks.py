"""The benchmark suite: its fused references are right, agree with the package, and it runs.

Speed is reported by ``benchmarks/run.py``, never asserted here. What is asserted: each
hand-fused reference matches finite differences on its own, the package agrees with it through
the very check the benchmark runs before timing (at the benchmark's quick sizes, in float64 to
1e-10 and float32 to 1e-5), that check really rejects a wrong answer, the losses stay composed
of primitive ops, and ``run.py --quick`` finishes cleanly.
"""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import tinygrad_xent as tx
import tinygrad_xent.functional as F
from tinygrad_xent import tensor

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import reference as ref  # noqa: E402
import run  # noqa: E402

# The engine's primitive ops, from the registry: a loss's tape may hold nothing else.
PRIMITIVES = set(tx.PRIMITIVES)


def numerical_grad(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central differences of the scalar f at x, one entry at a time (float64)."""
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        up = f(x)
        x[i] = old - eps
        down = f(x)
        x[i] = old
        grad[i] = (up - down) / (2 * eps)
    return grad


# ---- the references on their own: values from the textbook formula, gradients by differences
def test_cross_entropy_reference_matches_formula_and_differences():
    rng = np.random.default_rng(0)
    x, t = rng.normal(0, 3, (5, 4)), np.array([0, 3, 1, 1, 2])

    def formula(x):
        p = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
        return -np.log(p[np.arange(5), t]).mean()

    loss, grad = ref.cross_entropy(x, t)
    assert loss == pytest.approx(formula(x), rel=1e-12)
    np.testing.assert_allclose(grad, numerical_grad(formula, x.copy()), atol=1e-8)


def test_bce_reference_matches_formula_and_differences():
    rng = np.random.default_rng(1)
    x, y = rng.normal(0, 3, (4, 3)), rng.random((4, 3))

    def formula(x):
        p = 1 / (1 + np.exp(-x))
        return -(y * np.log(p) + (1 - y) * np.log(1 - p)).mean()

    loss, grad = ref.binary_cross_entropy_with_logits(x, y)
    assert loss == pytest.approx(formula(x), rel=1e-12)
    np.testing.assert_allclose(grad, numerical_grad(formula, x.copy()), atol=1e-8)


def test_bce_reference_is_finite_for_huge_logits():
    x = np.array([-1e4, -50.0, 0.0, 50.0, 1e4])
    y = np.array([1.0, 0.0, 1.0, 1.0, 0.0])
    loss, grad = ref.binary_cross_entropy_with_logits(x, y)
    # max(x, 0) - x y + log(1 + e^-|x|): 1e4 + 0 + log 2 + 0 + 1e4, up to e^-50 terms.
    assert loss == pytest.approx((2e4 + np.log(2)) / 5, rel=1e-12)
    np.testing.assert_allclose(grad, (np.array([0, 0, 0.5, 1, 1]) - y) / 5, atol=1e-20)


def test_nt_xent_reference_matches_formula_and_differences():
    rng = np.random.default_rng(2)
    za, zb, tau = rng.normal(size=(3, 4)), rng.normal(size=(3, 4)), 0.5

    def formula(z):
        u = z / np.linalg.norm(z, axis=1, keepdims=True)
        s = u @ u.T / tau
        losses = [
            np.log(sum(np.exp(s[i, k]) for k in range(6) if k != i)) - s[i, (i + 3) % 6]
            for i in range(6)
        ]
        return np.mean(losses)

    loss, da, db = ref.nt_xent(za, zb, tau)
    z = np.concatenate([za, zb])
    assert loss == pytest.approx(formula(z), rel=1e-12)
    np.testing.assert_allclose(np.concatenate([da, db]), numerical_grad(formula, z), atol=1e-8)


def test_mlp_step_reference_gradients_match_differences_and_update():
    rng = np.random.default_rng(3)
    params = [
        (rng.normal(size=(3, 5)), rng.normal(size=5)),
        (rng.normal(size=(5, 4)), rng.normal(size=4)),
    ]
    x, t = rng.normal(size=(6, 3)), rng.integers(0, 4, 6)
    before = [(w.copy(), b.copy()) for w, b in params]

    def loss_of(w1):
        h = np.maximum(x @ w1 + before[0][1], 0) @ before[1][0] + before[1][1]
        return ref.cross_entropy(h, t)[0]

    loss, grads = ref.mlp_sgd_step(params, x, t, lr=0.1)
    assert loss == pytest.approx(loss_of(before[0][0]), rel=1e-12)
    np.testing.assert_allclose(grads[0][0], numerical_grad(loss_of, before[0][0].copy()), atol=1e-8)
    for (w, b), (w0, b0), (dw, db) in zip(params, before, grads):
        np.testing.assert_allclose(w, w0 - 0.1 * dw, rtol=1e-14)
        np.testing.assert_allclose(b, b0 - 0.1 * db, rtol=1e-14)


def test_elementwise_chain_gradient_closed_form():
    rng = np.random.default_rng(4)
    factors = tuple(rng.uniform(0.5, 1.5, (2, 2)) for _ in range(4))
    x = rng.normal(size=(2, 2))
    grad = numerical_grad(lambda x: ref.elementwise_chain(x, factors, 11).sum(), x.copy())
    np.testing.assert_allclose(ref.elementwise_chain_grad(x, factors, 11), grad, rtol=1e-7)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_references_keep_the_dtype(dtype):
    rng = np.random.default_rng(5)
    x = rng.normal(size=(4, 3)).astype(dtype)
    outputs = [
        *ref.cross_entropy(x, np.array([0, 1, 2, 0])),
        *ref.binary_cross_entropy_with_logits(x, (x > 0).astype(dtype)),
        *ref.nt_xent(x, x[::-1].copy(), 0.5),
    ]
    assert all(out.dtype == dtype for out in outputs)


# ---- the package against the references: the check the benchmark runs before timing ---------
@pytest.mark.parametrize("dtype_name", ["float64", "float32"])
@pytest.mark.parametrize("workload", run.WORKLOADS, ids=lambda w: w.key)
def test_package_agrees_with_reference(workload, dtype_name):
    case = workload.make(run.DTYPES[dtype_name], True)
    worst = run.check_agreement(case, dtype_name, f"{workload.key} {dtype_name}")
    assert worst <= run.TOLERANCE[dtype_name]


def _fixed_case(ours: np.ndarray, expected: np.ndarray) -> run.Case:
    return run.Case(
        ours=lambda: None, reference=lambda: None, compare=lambda: [("dlogits", ours, expected)]
    )


def test_agreement_check_rejects_a_wrong_gradient():
    expected = np.linspace(-1.0, 1.0, 12).reshape(3, 4)
    wrong = expected.copy()
    wrong[1, 2] += 1e-8  # 1e-8 of the largest magnitude: fine in float32, not in float64
    run.check_agreement(
        _fixed_case(wrong.astype(np.float32), expected.astype(np.float32)), "float32", "test"
    )
    with pytest.raises(run.Disagreement, match="dlogits differs"):
        run.check_agreement(_fixed_case(wrong, expected), "float64", "test")


def test_agreement_check_rejects_nan_and_promotion():
    expected = np.ones((2, 2), dtype=np.float32)
    with pytest.raises(run.Disagreement, match="differs"):
        run.check_agreement(_fixed_case(expected * np.nan, expected), "float32", "test")
    with pytest.raises(run.Disagreement, match="dtype float64, expected float32"):
        run.check_agreement(_fixed_case(expected.astype(np.float64), expected), "float32", "test")


# ---- the losses stay composed of primitive ops ------------------------------------------------
def test_primitive_names_are_the_engines_ops():
    assert all(getattr(tensor, name) is op.forward for name, op in tx.PRIMITIVES.items())


@pytest.mark.parametrize(
    "make_loss",
    [
        lambda x, rng: F.cross_entropy(x, rng.integers(0, 5, 4)),
        lambda x, rng: F.binary_cross_entropy_with_logits(x, (rng.random((4, 5)) < 0.5) * 1.0),
        lambda x, rng: F.nt_xent(x, x * 2.0 + 1.0, 0.5),
    ],
    ids=["cross_entropy", "bce_with_logits", "nt_xent"],
)
def test_loss_tapes_hold_only_primitive_ops(make_loss):
    rng = np.random.default_rng(6)
    x = tx.Tensor(rng.normal(size=(4, 5)), requires_grad=True)
    names = [node.name for node in tx.tape(make_loss(x, rng))]
    assert names, "the loss recorded no ops"
    assert set(names) <= PRIMITIVES, f"non-primitive ops on the tape: {set(names) - PRIMITIVES}"


# ---- the suite runs end to end ----------------------------------------------------------------
@pytest.mark.slow
def test_quick_run_finishes_and_writes_json_and_plot(tmp_path):
    out, picture = tmp_path / "results.json", tmp_path / "ratios.png"
    done = subprocess.run(
        [
            sys.executable,
            str(BENCHMARKS / "run.py"),
            "--quick",
            "--json",
            str(out),
            "--plot",
            str(picture),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    results = json.loads(out.read_text())
    assert {(row["key"], row["dtype"]) for row in results["results"]} == {
        (w.key, d) for w in run.WORKLOADS for d in ("float32", "float64")
    }
    assert all(row["ours"] > 0 and row["reference"] > 0 for row in results["results"])
    assert "W6" in done.stdout and "peak memory" in done.stdout
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_unknown_workload_is_a_clear_error():
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "run.py"), "--workloads", "W99"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "--workloads: unknown W99" in done.stderr


def test_compare_times_two_checkouts_side_by_side():
    done = subprocess.run(
        [
            sys.executable,
            str(BENCHMARKS / "compare.py"),
            str(BENCHMARKS.parent),
            str(BENCHMARKS.parent),
            "--quick",
            "--repeat",
            "1",
            "--workloads",
            "W1,W5",
            "--dtype",
            "float32",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    rows = [line.split() for line in done.stdout.splitlines() if line.startswith("W")]
    assert [row[:2] for row in rows] == [["W1", "float32"], ["W5", "float32"]]
    assert all(float(row[-1].rstrip("x")) > 0 for row in rows)  # after / before, a ratio
