"""Check each gradient derived in docs/losses/ against what backward() computes.

    python examples/check_derivations.py

Every loss in tinygrad_xent.functional is composed from primitive ops, so its gradient comes
from the tape. The docs derive the same gradients by hand (softmax - y, sigmoid - y, ...).
Each check below evaluates one hand-derived formula in plain numpy on random inputs, runs
backward() on the same inputs, and returns the largest difference. They agree to rounding.
"""

from __future__ import annotations

import numpy as np

import tinygrad_xent.functional as F
from tinygrad_xent import Tensor


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def leaf(values: np.ndarray) -> Tensor:
    return Tensor(np.array(values, dtype=np.float64), requires_grad=True)


def largest_error(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b)))


# ---- softmax-cross-entropy.md -----------------------------------------------------------------
def softmax_jacobian(rng: np.random.Generator) -> float:
    """(J^T g)_j = p_j (g_j - sum_k g_k p_k)"""
    x, g = leaf(rng.normal(size=(4, 5))), rng.normal(size=(4, 5))
    F.softmax(x).backward(g)
    p = softmax(x.data)
    return largest_error(x.grad, p * (g - (g * p).sum(axis=1, keepdims=True)))


def log_softmax_vjp(rng: np.random.Generator) -> float:
    """d log p_k / dx_j = delta_kj - p_j, so the product with g is g_j - p_j sum_k g_k"""
    x, g = leaf(rng.normal(size=(4, 5))), rng.normal(size=(4, 5))
    F.log_softmax(x).backward(g)
    p = softmax(x.data)
    return largest_error(x.grad, g - p * g.sum(axis=1, keepdims=True))


def logsumexp_is_softmax(rng: np.random.Generator) -> float:
    """d LSE / dx_j = p_j"""
    x = leaf(rng.normal(size=(4, 5)) * 10)
    F.logsumexp(x).sum().backward()
    return largest_error(x.grad, softmax(x.data))


def cross_entropy_softmax_minus_y(rng: np.random.Generator) -> float:
    """mean cross-entropy: dL/dX = (P - Y) / N"""
    x, y = leaf(rng.normal(size=(6, 4))), rng.integers(0, 4, size=6)
    F.cross_entropy(x, y).backward()
    return largest_error(x.grad, (softmax(x.data) - np.eye(4)[y]) / 6)


def cross_entropy_weights_ignore(rng: np.random.Generator) -> float:
    """dL/dx_ij = w_yi / sum_i' w_yi' (p_ij - delta_j,yi), 0 for ignored samples"""
    x, y, w = leaf(rng.normal(size=(6, 4))), rng.integers(0, 4, size=6), rng.uniform(0.5, 2, 4)
    y[2] = -100
    F.cross_entropy(x, y, weight=w).backward()
    kept = y != -100
    sample_w = np.where(kept, w[np.where(kept, y, 0)], 0.0)
    onehot = np.eye(4)[np.where(kept, y, 0)]
    expected = sample_w[:, None] * (softmax(x.data) - onehot) / sample_w.sum()
    return largest_error(x.grad, expected)


def cross_entropy_label_smoothing(rng: np.random.Generator) -> float:
    """unweighted: dl/dx_j = p_j - t'_j with t' = (1 - eps) onehot + eps / C"""
    x, y, eps = leaf(rng.normal(size=(6, 4))), rng.integers(0, 4, size=6), 0.2
    F.cross_entropy(x, y, label_smoothing=eps, reduction="sum").backward()
    smoothed = (1 - eps) * np.eye(4)[y] + eps / 4
    return largest_error(x.grad, softmax(x.data) - smoothed)


def cross_entropy_smoothing_with_weights(rng: np.random.Generator) -> float:
    """(1 - eps) w_y (p_j - delta_jy) + (eps / C)(p_j sum_c w_c - w_j), over sum_i w_yi"""
    x, y, eps = leaf(rng.normal(size=(6, 4))), rng.integers(0, 4, size=6), 0.3
    w = rng.uniform(0.5, 2, 4)
    F.cross_entropy(x, y, weight=w, label_smoothing=eps).backward()
    p = softmax(x.data)
    per_sample = (1 - eps) * w[y][:, None] * (p - np.eye(4)[y]) + eps / 4 * (p * w.sum() - w)
    return largest_error(x.grad, per_sample / w[y].sum())


def cross_entropy_probability_targets(rng: np.random.Generator) -> float:
    """weighted soft targets: dl_i/dx_ij = p_ij W_i - w_j t_ij with W_i = sum_c w_c t_ic"""
    x, w = leaf(rng.normal(size=(6, 4))), rng.uniform(0.5, 2, 4)
    t = softmax(rng.normal(size=(6, 4)))
    F.cross_entropy(x, t, weight=w, reduction="sum").backward()
    big_w = (w * t).sum(axis=1, keepdims=True)
    return largest_error(x.grad, softmax(x.data) * big_w - w * t)


# ---- binary-cross-entropy.md ------------------------------------------------------------------
def bce_probabilities(rng: np.random.Generator) -> float:
    """dl/dp = w (p - y) / (p (1 - p))"""
    p, y, w = leaf(rng.uniform(0.05, 0.95, 8)), rng.uniform(size=8), rng.uniform(0.5, 2, 8)
    F.binary_cross_entropy(p, y, weight=w, reduction="sum").backward()
    return largest_error(p.grad, w * (p.data - y) / (p.data * (1 - p.data)))


def bce_clamp_is_flat(rng: np.random.Generator) -> float:
    """where the log is clamped at -100 (p = 0 with y = 1, p = 1 with y = 0) the slope is 0"""
    p = leaf(np.array([0.0, 1.0, 0.0, 1.0]))
    F.binary_cross_entropy(p, np.array([1.0, 0.0, 1.0, 0.0]), reduction="sum").backward()
    return largest_error(p.grad, np.zeros(4))


def bce_logits_sigmoid_minus_y(rng: np.random.Generator) -> float:
    """dl/dx = sigmoid(x) - y, here for logits up to +-30"""
    x, y = leaf(rng.normal(size=8) * 10), rng.uniform(size=8)
    F.binary_cross_entropy_with_logits(x, y, reduction="sum").backward()
    return largest_error(x.grad, sigmoid(x.data) - y)


def bce_logits_pos_weight(rng: np.random.Generator) -> float:
    """dl/dx = (q y + 1 - y) sigmoid(x) - q y"""
    x, y = leaf(rng.normal(size=(3, 4)) * 3), (rng.uniform(size=(3, 4)) > 0.5).astype(float)
    q = rng.uniform(0.5, 3, 4)
    F.binary_cross_entropy_with_logits(x, y, pos_weight=q, reduction="sum").backward()
    return largest_error(x.grad, (q * y + 1 - y) * sigmoid(x.data) - q * y)


# ---- nt-xent-supcon.md ------------------------------------------------------------------------
def _through_normalization(z: np.ndarray, g: np.ndarray, tau: float) -> np.ndarray:
    """dL/dU = (G + G^T) U / tau, then the projection (I - u u^T) / ||z|| of each row."""
    norms = np.linalg.norm(z, axis=1, keepdims=True)
    u = z / norms
    du = (g + g.T) @ u / tau
    return (du - u * (u * du).sum(axis=1, keepdims=True)) / norms


def _softmax_without_diagonal(z: np.ndarray, tau: float) -> np.ndarray:
    u = z / np.linalg.norm(z, axis=1, keepdims=True)
    s = u @ u.T / tau
    np.fill_diagonal(s, -np.inf)  # k = i is not a candidate
    return softmax(s)


def nt_xent_gradient(rng: np.random.Generator) -> float:
    """G = (P - Y) / 2N with Y the other view, then through U U^T / tau and the normalization"""
    n, tau = 5, 0.4
    za, zb = leaf(rng.normal(size=(n, 3))), leaf(rng.normal(size=(n, 3)))
    F.nt_xent(za, zb, temperature=tau).backward()
    z = np.concatenate([za.data, zb.data])
    other_view = np.eye(2 * n)[(np.arange(2 * n) + n) % (2 * n)]
    g = (_softmax_without_diagonal(z, tau) - other_view) / (2 * n)
    return largest_error(np.concatenate([za.grad, zb.grad]), _through_normalization(z, g, tau))


def supcon_gradient(rng: np.random.Generator) -> float:
    """G = D (P - M) / A with M the positives spread evenly, D the anchors that have one"""
    tau, labels = 0.3, np.array([0, 1, 0, 2, 1, 0, 3])
    f = leaf(rng.normal(size=(7, 4)))
    F.supcon(f, labels, temperature=tau).backward()
    same = (labels[:, None] == labels[None, :]) & ~np.eye(7, dtype=bool)
    counts = same.sum(axis=1, keepdims=True)
    has_positive = counts > 0
    spread = same / np.maximum(counts, 1)
    g = has_positive * (_softmax_without_diagonal(f.data, tau) - spread) / has_positive.sum()
    return largest_error(f.grad, _through_normalization(f.data, g, tau))


# ---- hinge-entropy.md -------------------------------------------------------------------------
def multi_margin_gradient(rng: np.random.Generator) -> float:
    """ds_j = a_j / C for j != y, ds_y = -sum_j a_j / C, a_j = [margin - s_y + s_j > 0]"""
    s, y = leaf(rng.normal(size=(6, 4))), rng.integers(0, 4, size=6)
    F.multi_margin_loss(s, y, reduction="sum").backward()
    rows = np.arange(6)
    active = (1.0 - s.data[rows, y][:, None] + s.data > 0).astype(float)
    active[rows, y] = 0.0
    expected = active / 4
    expected[rows, y] = -active.sum(axis=1) / 4
    return largest_error(s.grad, expected)


def entropy_gradient(rng: np.random.Generator) -> float:
    """dH/dp_k = -(log p_k + 1) / ln(base), 0 where p_k = 0"""
    p = rng.dirichlet(np.ones(5), size=3)
    p[0, 1] = 0.0
    q = leaf(p)
    F.entropy(q, base=2).sum().backward()
    safe = np.where(p > 0, p, 1.0)
    expected = np.where(p > 0, -(np.log(safe) + 1) / np.log(2), 0.0)
    return largest_error(q.grad, expected)


CHECKS = {
    "softmax-cross-entropy.md": (
        softmax_jacobian,
        log_softmax_vjp,
        logsumexp_is_softmax,
        cross_entropy_softmax_minus_y,
        cross_entropy_weights_ignore,
        cross_entropy_label_smoothing,
        cross_entropy_smoothing_with_weights,
        cross_entropy_probability_targets,
    ),
    "binary-cross-entropy.md": (
        bce_probabilities,
        bce_clamp_is_flat,
        bce_logits_sigmoid_minus_y,
        bce_logits_pos_weight,
    ),
    "nt-xent-supcon.md": (nt_xent_gradient, supcon_gradient),
    "hinge-entropy.md": (multi_margin_gradient, entropy_gradient),
}


def main() -> None:
    rng = np.random.default_rng(0)
    print(f"{'docs/losses/ page':<26} {'closed form':<38} largest |formula - backward|")
    for page, checks in CHECKS.items():
        for check in checks:
            print(f"{page:<26} {check.__name__:<38} {check(rng):.1e}")
            page = ""


if __name__ == "__main__":
    main()
