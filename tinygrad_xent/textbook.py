"""The textbook walkthrough: every worked number of the sources, recomputed with the package.

Each lesson follows one source (:data:`SOURCES`): one of five lecture notes, named by topic,
CS231n's lecture on linear classifiers, or the SimCLR and SupCon papers. A lesson is a list of
:class:`Row`: what is computed, our value (from ``tinygrad_xent.functional``), the book's
value exactly as the source prints it, and a note. The ``kind`` of a row says how the two
relate:

- ``agrees``: the book's number, and ours printed at the book's precision, are the same;
- ``rounding``: the book rounded an intermediate value first (or truncated): ours differs in
  the last digit and the note shows how the book got its number;
- ``slip``: the book is wrong (a typo, a wrong formula); the note gives the right value;
- ``formula``: the book states a formula or a fact, ours is a number that illustrates it;
- ``ours``: a number the source does not print, derived by us; the book column is empty;
- ``random``: the source drew its data or weights from an unseeded random generator: ours are
  seeded, so they are close to the source's numbers, not equal.

Run it with ``tinygrad-xent textbook [--lesson N] [--source NAME]`` or
``python examples/textbook.py``.
"""

from __future__ import annotations

import functools
import math
import textwrap
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import functional as F
from .tensor import Tensor, maximum

KINDS = ("agrees", "rounding", "slip", "formula", "ours", "random")


@dataclass(frozen=True)
class Source:
    """Where a lesson's numbers come from: ``name`` selects it (``--source``); ``url`` is its
    address where it has a public one ("" for the handwritten and unpublished notes)."""

    name: str
    topic: str
    reference: str
    url: str = ""


SOURCES = {
    s.name: s
    for s in (
        Source(
            "log-sum-exp",
            "the log-sum-exp note",
            "'Loss - Function - Forward' (handwritten note: softmax with the max subtracted)",
        ),
        Source(
            "bits",
            "the bits note",
            "S. N. Chaurasia, 'Deep Learning: Cross-Entropy Loss Function' (lecture slides, "
            "BHU, 2023)",
        ),
        Source(
            "multi-class",
            "the multi-class note",
            "'Multi-Class and Cross Entropy Loss' (The Truth of Sisyphus, GitBook notes)",
            "https://sisyphus.gitbook.io/project/deep-learning-basics/basics/"
            "multi-class-and-cross-entropy-loss",
        ),
        Source(
            "derivation",
            "the derivation note",
            "'Cross-Entropy Loss: Detailed Explanation and Derivation' (Happy Sisyphe blog, 2024)",
        ),
        Source(
            "cs231n",
            "CS231n's notes",
            "Stanford CS231n, lecture 3 'Loss Functions and Optimization' and the notes on "
            "linear classification",
            "https://cs231n.github.io/linear-classify/",
        ),
        Source(
            "cs231n-case-study",
            "CS231n's case study",
            "Stanford CS231n, 'Putting it together: Minimal Neural Network Case Study' (course "
            "notes)",
            "https://cs231n.github.io/neural-networks-case-study/",
        ),
        Source(
            "cross-entropy",
            "the cross-entropy note",
            "C. Ryu, 'Cross Entropy Loss, Softmax Loss, NT-Xent Loss' (lecture note)",
        ),
        Source(
            "simclr",
            "the SimCLR paper",
            "T. Chen et al., 'A Simple Framework for Contrastive Learning of Visual "
            "Representations', ICML 2020, arXiv:2002.05709",
            "https://arxiv.org/abs/2002.05709",
        ),
        Source(
            "supcon",
            "the SupCon paper",
            "P. Khosla et al., 'Supervised Contrastive Learning', NeurIPS 2020, arXiv:2004.11362",
            "https://arxiv.org/abs/2004.11362",
        ),
    )
}


@dataclass(frozen=True)
class Row:
    """One number (or formula) of a lesson: ours beside the book's, and how they relate."""

    what: str
    ours: str
    book: str = ""
    kind: str = "agrees"
    note: str = ""


@dataclass(frozen=True)
class Lesson:
    """A worked example from one source: its title, what it shows, and its rows."""

    title: str
    source: str
    explanation: str
    rows: Callable[[], list[Row]]


def fmt(value, digits: int) -> str:
    """A number or a vector at a given precision, e.g. ``0.443`` or ``[0.214, 0.642]``."""
    values = np.atleast_1d(np.asarray(value, dtype=np.float64))
    text = ", ".join(f"{v:.{digits}f}" for v in values)
    return text if np.ndim(value) == 0 else f"[{text}]"


# ---- the log-sum-exp note --------------------------------------------------------------------
def _softmax_cross_entropy_gradient() -> list[Row]:
    logits = Tensor([1.2, 2.3, 0.8], requires_grad=True)
    q = F.softmax(logits).data
    loss = F.cross_entropy(logits, 1)
    loss.backward()
    z, m = logits.data, logits.data.max()
    return [
        Row("sum of exp(y_j)", fmt(np.exp(z).sum(), 2), "15.52"),
        Row(
            "q = softmax",
            fmt(q, 3),
            "[0.214, 0.642, 0.144]",
            "rounding",
            "the note rounded each exp to 3.32, 9.97, 2.23 and divided by 15.52",
        ),
        Row(
            "L = -log q_2",
            fmt(loss.item(), 3),
            "0.443",
            "rounding",
            f"the note took -log of its rounded 0.642: {-math.log(0.642):.4f}; "
            f"ours unrounded {loss.item():.4f}",
        ),
        Row(
            "e^(y_1 - max)",
            fmt(np.exp(z[0] - m), 4),
            "e^((-max) * y_1)",
            "slip",
            f"the exponent was multiplied: e^(-2.3 * 1.2) = {math.exp(-m * z[0]):.4f}; "
            "e^(y - max) = e^(-max) * e^y",
        ),
        Row(
            "softmax, max subtracted",
            fmt(F.softmax(z - m).data, 4),
            "e^(y_i) / sum_k e^(y_k)",
            "formula",
            "the shift changes nothing: the same q",
        ),
        Row(
            "mean loss, last line",
            fmt(loss.item(), 4),
            "-(1/N) sum(-(y_i - max) + log ...)",
            "slip",
            f"the minus is taken twice: as printed it gives {-loss.item():.4f}; "
            "Loss = (1/N) sum(...)",
        ),
        Row(
            "d L / d logits",
            fmt(logits.grad, 4),
            "",
            "ours",
            "from backward(): q - one_hot(target) = q - [0, 1, 0]",
        ),
    ]


# ---- the bits note ---------------------------------------------------------------------------
def _cross_entropy_in_bits() -> list[Row]:
    logits = np.array([3.2, 1.3, 0.2, 0.8])
    p = F.softmax(logits).data
    nats = F.cross_entropy(logits, 0).item()
    trained = np.log(np.array([0.938, 1 - 0.938]))  # logits whose softmax is [0.938, 0.062]
    later = F.cross_entropy(trained, 0).item() / math.log(2)
    rows = [
        Row(f"exp({x})", fmt(np.exp(x), 4), book)
        for x, book in zip(logits, ("24.5325", "3.6693", "1.2214", "2.2255"))
    ]
    return rows + [
        Row("S(3.2) = softmax[0]", fmt(p[0], 3), "0.775"),
        Row("softmax (model output)", fmt(p, 3), "[0.775, 0.116, 0.039, 0.070]"),
        Row(
            "the cat's p in the sum",
            fmt(p[1], 3),
            "0.126",
            "slip",
            "a typo: the note's own output vector and softmax give 0.116",
        ),
        Row(
            "CE = -log2 0.775, bits",
            fmt(nats / math.log(2), 4),
            "0.3677",
            "rounding",
            f"from the rounded 0.775: {-math.log2(0.775):.4f} (the note's '-log(0.775)' means "
            "log2: in nats it is 0.2549)",
        ),
        Row("the same CE in nats", fmt(nats, 4), "", "ours", "what F.cross_entropy returns"),
        Row(
            "later: -log2 0.938, bits",
            fmt(later, 4),
            "0.095",
            "slip",
            f"-log2 0.938 = {later:.4f}, not 0.095 (still below 0.3677, as the note says)",
        ),
    ]


def _entropy_of_containers() -> list[Row]:
    rows = []
    for first, book in ((26, "0.5665"), (14, "0.9968"), (1, "0.2108")):
        p = np.array([first, 30 - first]) / 30
        rows.append(
            Row(f"H({first}/30, {30 - first}/30), bits", fmt(F.entropy(p, base=2).item(), 4), book)
        )
    p = np.array([26, 4]) / 30
    as_printed = float(np.sum(p * np.log2(p)))
    rows.append(
        Row(
            "H, discrete case",
            fmt(F.entropy(p, base=2).item(), 4),
            "sum_x p(x) log p(x)",
            "slip",
            f"the minus sign is missing: as printed, container 1 gives {as_printed:.4f}",
        )
    )
    return rows


def _softmax_against_plain_normalization() -> list[Row]:
    rows = []
    for logits, book in (([2.0, 4.0], "[0.119, 0.881]"), ([4.0, 8.0], "[0.018, 0.982]")):
        x = np.array(logits)
        rows.append(Row(f"softmax({logits})", fmt(F.softmax(x).data, 3), book))
        rows.append(Row(f"x / sum(x), {logits}", fmt(x / x.sum(), 3), "[0.333, 0.667]"))
    return rows


# ---- the multi-class note --------------------------------------------------------------------
def _softmax_sharpens() -> list[Row]:
    p = F.softmax(np.array([1.0, 2.0, 5.0])).data
    return [
        Row(
            "softmax([1, 2, 3])",
            fmt(F.softmax(np.array([1.0, 2.0, 3.0])).data, 2),
            "[0.09, 0.24, 0.67]",
        ),
        Row(
            "softmax([1, 2, 5])",
            fmt(p, 2),
            "[0.02, 0.05, 0.93]",
            "rounding",
            f"the note cut {p[2]:.4f} to 0.93; rounded it is 0.94",
        ),
    ]


def _untrained_classifier() -> list[Row]:
    rows = [
        Row(
            "initial loss",
            "log C",
            "-log(1/C) = log(C)",
            "formula",
            "uniform logits give every class 1/C",
        )
    ]
    for classes in (3, 4, 10):
        loss = F.cross_entropy(np.zeros((1, classes)), np.array([0])).item()
        rows.append(Row(f"C = {classes}, zero logits", fmt(loss, 4), "", "ours", f"log {classes}"))
    return rows


def _infinite_cross_entropy() -> list[Row]:
    logits = Tensor(np.array([[0.0, 200.0]], dtype=np.float32))
    p = F.softmax(logits)  # p[0] = exp(-200) underflows to 0 in float32
    with np.errstate(divide="ignore"):
        naive = -p.log()[0, 0].item()
    tiny = float(np.finfo(np.float32).tiny)  # the smallest normal float32, 1.18e-38
    clamped = -maximum(p, tiny).log()[0, 0].item()
    true = F.cross_entropy(logits, np.array([0])).item()
    return [
        Row(
            "-log softmax(x)[0], float32",
            f"{naive}",
            "never infinite",
            "slip",
            "exp(-200) underflows to 0 and log 0 = -inf: the loss is inf",
        ),
        Row(
            "  p clamped to tiny",
            fmt(clamped, 4),
            "87.3365",
            "agrees",
            "the 'loss jumps to 87.3365' plateau the note's index names",
        ),
        Row(
            "cross_entropy (log-sum-exp)",
            fmt(true, 4),
            "",
            "ours",
            "lse(x) - x_0, never a probability: the true loss",
        ),
    ]


def _hinge_as_printed() -> list[Row]:
    scores = np.array([[1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])  # CS231n's car and frog images
    target = np.array([1, 2])
    hinge = F.multi_margin_loss(scores, target, reduction="none").data * 3  # summed, not / C
    rows = []
    for name, s, y, loss in zip(("car", "frog"), scores, target, hinge):
        as_printed = max(s[j] + 1 - s[y] for j in range(3) if j != y)
        rows.append(
            Row(
                f"L_{name} (lesson 11's scores)",
                fmt(loss, 1),
                "max(Yj + 1 - Yi)",
                "slip",
                f"read as printed, the largest Yj + 1 - Yi, it gives "
                f"{as_printed:.1f}: the max(0, .) and the sum over j != y are "
                "lost",
            )
        )
    return rows


# ---- the derivation note ---------------------------------------------------------------------
def _binary_cross_entropy() -> list[Row]:
    minus_log_tenth = F.binary_cross_entropy([0.1], [1.0]).item()
    return [
        Row("-log(0.9)", fmt(F.binary_cross_entropy([0.9], [1.0]).item(), 3), "0.105"),
        Row(
            "-log(0.1)",
            fmt(minus_log_tenth, 3),
            "2.302",
            "rounding",
            f"the note truncated {minus_log_tenth:.6f}",
        ),
        Row("-log(1 - 0.3)", fmt(F.binary_cross_entropy([0.3], [0.0]).item(), 3), "0.357"),
        Row(
            "BCE([0.9, 0.3], [1, 0])",
            fmt(F.binary_cross_entropy([0.9, 0.3], [1.0, 0.0]).item(), 3),
            "0.231",
        ),
    ]


def _multi_label_bce() -> list[Row]:
    logits, labels = [2.0, -1.0, 0.5], [1.0, 0.0, 1.0]
    each = F.binary_cross_entropy_with_logits(logits, labels, reduction="none").data
    mean = F.binary_cross_entropy_with_logits(logits, labels).item()
    return [
        Row("sigmoid(logits)", fmt(F.sigmoid(np.array(logits)).data, 2), "[0.88, 0.27, 0.62]"),
        Row(
            "per-label loss",
            fmt(each, 2),
            "[0.13, 0.31, 0.48]",
            "rounding",
            f"from the rounded sigmoids; ours {fmt(each, 3)}, -log 0.62 = {-math.log(0.62):.3f}",
        ),
        Row(
            "mean",
            fmt(mean, 2),
            "0.31",
            "rounding",
            f"the mean of the rounded 0.13, 0.31, 0.48; ours {mean:.4f}",
        ),
    ]


# ---- the cross-entropy note ------------------------------------------------------------------
def _confident_is_cheaper() -> list[Row]:
    good, bad = (F.binary_cross_entropy([p], [1.0]).item() for p in (0.7, 0.2))
    logits = np.array([1.2, 2.3, 0.8])
    by_index = F.cross_entropy(logits, 1).item()
    by_one_hot = F.cross_entropy(logits[None], np.array([[0.0, 1.0, 0.0]])).item()
    return [
        Row(
            "-log 0.7",
            fmt(good, 4),
            "Loss(0.7) < Loss(0.2)",
            "formula",
            f"as the note says: {good:.4f} < {bad:.4f}",
        ),
        Row("-log 0.2", fmt(bad, 4), "", "ours", "the other side of the note's inequality"),
        Row(
            "one-hot target",
            fmt(by_one_hot, 4),
            "-log(e^s_p / sum_j e^s_j)",
            "formula",
            f"only the positive class's term survives: index target gives {by_index:.4f}",
        ),
    ]


def _contrastive_views() -> tuple[np.ndarray, np.ndarray]:
    """Two views of two samples in 2-D: each view close to its partner, far from the other."""
    z_a = np.array([[1.0, 0.2], [-0.3, 1.0]])
    z_b = np.array([[0.9, -0.1], [0.1, 1.1]])
    return z_a, z_b


def _supervised_nt_xent_as_printed() -> list[Row]:
    # Two samples of one class and one of another, two views each: rows 0-2 then 3-5.
    z = np.array([[1.0, 0.2], [0.8, 0.5], [-0.3, 1.0], [0.9, -0.1], [0.7, 0.6], [0.1, 1.1]])
    labels = np.array([0, 0, 1, 0, 0, 1])
    tau = 0.5
    u = z / np.linalg.norm(z, axis=1, keepdims=True)
    s = u @ u.T / tau
    others = ~np.eye(6, dtype=bool)
    log_p = s - np.log(np.where(others, np.exp(s), 0.0).sum(axis=1, keepdims=True))
    n_y = np.bincount(labels)[labels] / 2  # samples of each anchor's class
    as_printed = np.mean(-(log_p.sum(axis=1)) / (2 * n_y - 1))  # every j, positive or not
    ours = F.supcon(z, labels, temperature=tau).item()
    return [
        Row(
            "SupCon, 3 samples x 2 views",
            fmt(ours, 4),
            "-1/(2N_y - 1) sum_{j=1}^{2N} log ...",
            "slip",
            f"the sum must keep only j != i with y_j = y_i; over every j it gives {as_printed:.4f}",
        )
    ]


# ---- CS231n ----------------------------------------------------------------------------------
def _multiclass_svm() -> list[Row]:
    scores = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])  # cat, car, frog
    target = np.array([0, 1, 2])
    per_image = F.multi_margin_loss(scores, target, reduction="none").data
    classes = scores.shape[1]
    rows = [
        Row(f"L_{name}, sum over j != y", fmt(loss * classes, 1), book)
        for name, loss, book in zip(("cat", "car", "frog"), per_image, ("2.9", "0", "12.9"))
    ]
    rows[1] = Row("L_car, sum over j != y", fmt(per_image[1] * classes, 0), "0")
    mean = F.multi_margin_loss(scores, target).item()
    return rows + [
        Row("L = mean over the images", fmt(mean * classes, 2), "5.27"),
        Row(
            "multi_margin_loss, per image",
            fmt(per_image, 4),
            "",
            "ours",
            "divided by C = 3, as PyTorch's multi_margin_loss does",
        ),
        Row("multi_margin_loss, mean", fmt(mean, 4), "", "ours", "5.27 / 3"),
        Row(
            "dL_cat / d scores",
            fmt(_cat_gradient(lambda s: F.multi_margin_loss(s, 0) * classes), 1),
            "",
            "ours",
            "the source prints none; from backward(). Each wrong class whose margin is "
            "violated (the car: 5.1 - 3.2 + 1 = 2.9 > 0) gets +1 and takes 1 from the cat's "
            "score; the frog (-3.9) gets 0: CS231n's optimization notes give this rule as a "
            "formula, https://cs231n.github.io/optimization-1/",
        ),
    ]


def _cat_gradient(loss_of: Callable[[Tensor], Tensor]) -> np.ndarray:
    """The gradient of a loss of the cat's scores [3.2, 5.1, -1.7] (class 0) w.r.t. them."""
    scores = Tensor([3.2, 5.1, -1.7], requires_grad=True)
    loss_of(scores).backward()
    assert scores.grad is not None  # the loss depends on every score
    return scores.grad


def _softmax_loss_of_the_cat() -> list[Row]:
    scores = np.array([3.2, 5.1, -1.7])
    p = F.softmax(scores).data
    return [
        Row("exp(3.2)", fmt(np.exp(scores[0]), 1), "24.5"),
        Row("exp(5.1)", fmt(np.exp(scores[1]), 1), "164.0"),
        Row("exp(-1.7)", fmt(np.exp(scores[2]), 2), "0.18"),
        Row("probabilities", fmt(p, 2), "[0.13, 0.87, 0.00]"),
        Row("L_cat = -log 0.13", fmt(F.cross_entropy(scores, 0).item(), 2), "2.04"),
        Row(
            "dL_cat / d scores",
            fmt(_cat_gradient(lambda s: F.cross_entropy(s, 0)), 2),
            "",
            "ours",
            "the source prints none; from backward(): p - one_hot(cat) = "
            f"{fmt(p - np.eye(3)[0], 4)}. The cat's score is pushed up by 1 - 0.13, the car's "
            "down by its 0.87",
        ),
    ]


# ---- SimCLR and SupCon -----------------------------------------------------------------------
def _nt_xent() -> list[Row]:
    z_a, z_b = _contrastive_views()
    n = len(z_a)
    same = np.ones((n, 2))
    return [
        Row("negatives per anchor", f"{2 * n - 2}", "2(N - 1)", "formula", f"N = {n}"),
        Row(
            "NT-Xent, tau = 0.5",
            fmt(F.nt_xent(z_a, z_b, temperature=0.5).item(), 4),
            "",
            "ours",
            "the views are close to their partners: below chance",
        ),
        Row(
            "identical embeddings",
            fmt(F.nt_xent(same, same).item(), 4),
            "",
            "ours",
            f"chance: log(2N - 1) = log {2 * n - 1}",
        ),
        _anchor_gradient_row(
            "d l_0 / d u_0, Table 2",
            "(1-P+)/tau v+ - sum P-/tau v-",
            np.array([True, False, False]),
            "the paper's Table 2 gives the gradient of the negative loss, -l, with respect to "
            "the anchor's unit embedding u (the others held fixed): ours, from backward(), is "
            "minus it",
        ),
    ]


def _anchor_gradient_row(what: str, book: str, positive: np.ndarray, note: str) -> Row:
    """The gradient of anchor 0's loss w.r.t. its unit embedding u, on the tape and by formula.

    The anchor is the first of the four unit views of :func:`_contrastive_views`; the other
    three (its other view, then the other sample's two) are held fixed, at temperature 0.5.
    The loss is -mean over the positives of log softmax(others @ u / tau): NT-Xent's term for
    one positive, SupCon's L_out term for several. Both papers work its gradient by hand:
    (others^T (P - X)) / tau, X spreading 1 evenly over the positives.
    """
    z_a, z_b = _contrastive_views()
    views = np.concatenate([z_a, z_b])
    views = views / np.linalg.norm(views, axis=1, keepdims=True)
    others = views[[2, 1, 3]]  # anchor 0's other view first, then the other sample's views
    u = Tensor(views[0], requires_grad=True)
    log_p = F.log_softmax(Tensor(others) @ u / 0.5)  # (3,)
    (-(log_p[positive]).mean()).backward()
    assert u.grad is not None
    p = F.softmax(others @ views[0] / 0.5).data
    by_hand = others.T @ (p - positive / positive.sum()) / 0.5
    agree = bool(np.abs(u.grad - by_hand).max() < 1e-14)
    return Row(what, fmt(u.grad, 4), book, "formula", f"{note} (agree to 1e-14: {agree})")


def _supcon() -> list[Row]:
    z_a, z_b = _contrastive_views()
    both = np.concatenate([z_a, z_b])
    own_class = F.supcon(both, np.array([0, 1, 0, 1]), temperature=0.5).item()
    return [
        Row(
            "SupCon, one sample per class",
            fmt(own_class, 4),
            "-1/|P(i)| sum_{p in P(i)} log ...",
            "formula",
            f"equals NT-Xent ({F.nt_xent(z_a, z_b, temperature=0.5).item():.4f}) "
            "when the only positive is the other view",
        ),
        _anchor_gradient_row(
            "d L_i / d z_i",
            "1/tau [z_p(P_ip - X_ip) + z_n P_in]",
            np.array([True, True, False]),
            "the paper's gradient of L_out for the anchor, summed over the positives p and the "
            "negatives n, others fixed, X_ip = 1 / |P(i)|; "
            "here the anchor's two positives are its other view and the other sample's first "
            "view (one class), from backward()",
        ),
    ]


# ---- CS231n's case study ---------------------------------------------------------------------
CASE_STUDY_STEPS = {"linear": 200, "net": 10_000}  # the notes' numbers of steps
HIDDEN = 100  # the net's hidden ReLUs
STEP_SIZE = 1.0
REG = 1e-3


def cs231n_spiral(rng: np.random.Generator, n: int = 100, d: int = 2, k: int = 3):
    """CS231n's spiral, line for line, drawing its noise from ``rng`` (the notes' is unseeded).

    Arm j has n points at radii linspace(0, 1, n) and angles linspace(4 j, 4 (j + 1), n) plus
    N(0, 0.2^2) noise; a point is r (sin t, cos t).

    Parameters
    ----------
    rng : numpy.random.Generator
        Where the angle noise comes from (anything with ``standard_normal(size)``).
    n, d, k : int
        Points per arm, dimensions (2), arms.

    Returns
    -------
    x : (n k, d) float64 array
        The points.
    y : (n k,) int64 array
        Their arm, 0..k-1.
    """
    x = np.zeros((n * k, d))
    y = np.zeros(n * k, dtype=np.int64)
    for j in range(k):
        ix = range(n * j, n * (j + 1))
        r = np.linspace(0.0, 1, n)  # radius
        t = np.linspace(j * 4, (j + 1) * 4, n) + rng.standard_normal(n) * 0.2  # theta
        x[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        y[ix] = j
    return x, y


@dataclass(frozen=True)
class CaseStudyRun:
    """One training run of the case study: its data, final parameters and every step's loss."""

    model: str
    x: np.ndarray
    y: np.ndarray
    params: tuple
    losses: tuple
    accuracy: float

    def scores(self, points) -> np.ndarray:
        """(N, 3) class scores of (N, 2) points, with the final parameters."""
        points = np.asarray(points, dtype=np.float64)
        if self.model == "linear":
            w, b = self.params
            return points @ w + b
        w1, b1, w2, b2 = self.params
        return np.maximum(0, points @ w1 + b1) @ w2 + b2


def _forward(model: str, x: np.ndarray, params: list) -> Tensor:
    """The notes' score function: X W + b, or a hidden layer of ReLUs first."""
    if model == "linear":
        w, b = params
        return x @ w + b  # (N, K)
    w1, b1, w2, b2 = params
    hidden = (x @ w1 + b1).relu()  # (N, h)
    return hidden @ w2 + b2  # (N, K)


@functools.lru_cache(maxsize=8)
def case_study(model: str, steps: int | None = None, seed: int = 0) -> CaseStudyRun:
    """Train the case study's softmax classifier ("linear") or 2-layer net ("net") on the tape.

    As in the notes: the spiral first, then W = 0.01 randn and b = 0 from the same generator,
    loss = mean cross-entropy + 0.5 reg sum(W^2) over the weight matrices, full-batch gradient
    descent with step size 1 and reg 1e-3; the gradients come from ``backward()``, where the
    notes write them by hand. Cached: the lesson, the example and the notebook share a run.

    Parameters
    ----------
    model : {"linear", "net"}
    steps : int or None
        Gradient steps; None for the notes' 200 (linear) or 10,000 (net).
    seed : int
        Seeds numpy's default_rng, which draws the data and then the weights.

    Returns
    -------
    CaseStudyRun
        The data, the final parameters, the loss before each step, the training accuracy.
    """
    rng = np.random.default_rng(seed)
    x, y = cs231n_spiral(rng)
    shapes = [(2, 3), (1, 3)] if model == "linear" else [(2, HIDDEN), (1, HIDDEN)]
    shapes += [] if model == "linear" else [(HIDDEN, 3), (1, 3)]
    params = [
        Tensor(0.01 * rng.standard_normal(shape) if shape[0] > 1 else np.zeros(shape))
        for shape in shapes
    ]
    for param in params:
        param.requires_grad = True
    losses = []
    for _ in range(CASE_STUDY_STEPS[model] if steps is None else steps):
        data_loss = F.cross_entropy(_forward(model, x, params), y)
        loss = data_loss + sum(0.5 * REG * (w * w).sum() for w in params[::2])
        losses.append(loss.item())
        for param in params:
            param.zero_grad()
        loss.backward()
        for param in params:
            assert param.grad is not None  # every parameter reaches the loss
            param.data -= STEP_SIZE * param.grad  # in place: the notes' W += -step_size * dW
    run = CaseStudyRun(model, x, y, tuple(p.data.copy() for p in params), tuple(losses), 0.0)
    accuracy = float(np.mean(run.scores(x).argmax(axis=1) == y))
    return CaseStudyRun(model, x, y, run.params, run.losses, accuracy)


def _dscores_at_step_0() -> tuple[np.ndarray, bool]:
    """The tape's gradient of the linear model's data loss w.r.t. its scores, before training,
    and whether the notes' hand-derived dscores = (probs - 1 at y) / N gives the same."""
    rng = np.random.default_rng(0)
    x, y = cs231n_spiral(rng)
    scores = Tensor(x @ (0.01 * rng.standard_normal((2, 3))), requires_grad=True)  # b = 0
    F.cross_entropy(scores, y).backward()
    probs = F.softmax(scores.data).data
    dscores = probs.copy()
    dscores[range(len(y)), y] -= 1  # the notes' three lines
    dscores /= len(y)
    assert scores.grad is not None
    return scores.grad, bool(np.abs(scores.grad - dscores).max() < 1e-15)


def _case_study() -> list[Row]:
    linear, net = case_study("linear"), case_study("net")
    tape, same = _dscores_at_step_0()
    return [
        Row(
            "linear: loss at step 0",
            fmt(linear.losses[0], 6),
            "1.096956",
            "random",
            "the notes draw their data and weights from numpy's global generator, we from "
            "default_rng(0): "
            f"close, not equal. Both near log 3 = {math.log(3):.6f}, chance: scores near 0 give "
            "every class about 1/3",
        ),
        Row(
            "N dscores, last point",
            fmt(len(linear.y) * tape[-1], 4),
            "probs - 1 at y",
            "formula",
            "300 times the tape's gradient w.r.t. the scores before training: p - one_hot(2) "
            "for the last point, of class 2. The notes derive dscores = (probs - 1 at y) / N by "
            "hand (as in https://cs231n.github.io/optimization-2/); it is the same to 1e-15: "
            f"{same}",
        ),
        Row(
            "linear: loss at step 190",
            fmt(linear.losses[190], 6),
            "0.786302",
            "random",
            "converged: the last steps barely move it",
        ),
        Row(
            "linear: training accuracy",
            f"{linear.accuracy:.0%}",
            "49%",
            "random",
            "near 50%: no three convex regions hold the arms",
        ),
        Row(
            "net: loss at step 0",
            fmt(net.losses[0], 6),
            "1.098744",
            "random",
            "even nearer log 3: the scores are 0.01 W times 0.01 W2",
        ),
        Row(
            "net: loss at step 9000",
            fmt(net.losses[9000], 6),
            "0.245292",
            "random",
            "most of what is left is the regularization",
        ),
        Row(
            "net: training accuracy",
            f"{net.accuracy:.0%}",
            "98%",
            "random",
            "the hidden ReLUs bend the boundaries around the arms",
        ),
    ]


LESSONS = (
    Lesson(
        "Softmax, cross-entropy and the max shift",
        "log-sum-exp",
        "Network output [1.2, 2.3, 0.8], one-hot target [0, 1, 0]. Subtracting the largest\n"
        "entry before exp changes nothing and keeps exp from overflowing.",
        _softmax_cross_entropy_gradient,
    ),
    Lesson(
        "Cross-entropy in bits",
        "bits",
        "A dog image, logits [3.2, 1.3, 0.2, 0.8] for dog, cat, horse, cheetah. The note\n"
        "takes log base 2: a loss in bits is the loss in nats divided by log 2.",
        _cross_entropy_in_bits,
    ),
    Lesson(
        "Entropy in bits of three containers of 30 shapes",
        "bits",
        "H = -sum p log2 p: a near-even mix is almost 1 bit, a near-pure one little.",
        _entropy_of_containers,
    ),
    Lesson(
        "Softmax is not plain normalization",
        "bits",
        "x / sum(x) only sees ratios: [2, 4] and [4, 8] give the same answer. softmax\n"
        "sees differences, so doubling the logits makes it more confident.",
        _softmax_against_plain_normalization,
    ),
    Lesson(
        "A larger gap, a sharper softmax",
        "multi-class",
        "Raising one logit from 3 to 5 moves most of the mass to it.",
        _softmax_sharpens,
    ),
    Lesson(
        "An untrained classifier's loss is log C",
        "multi-class",
        "Uniform logits give every class 1/C, so a first loss near log C is a good check.",
        _untrained_classifier,
    ),
    Lesson(
        "Can cross-entropy be infinite?",
        "multi-class",
        "The note says no. In float32, -log of a softmax that underflowed is inf; a clamp\n"
        "turns it into a plateau; log-sum-exp gives the true loss, 200.",
        _infinite_cross_entropy,
    ),
    Lesson(
        "The multi-class SVM loss, as printed",
        "multi-class",
        "The note's formula, L_i = max(Yj + 1 - Yi) for j != i, lost the max(0, .) of each\n"
        "term and the sum over the wrong classes: L_i = sum_{j != y} max(0, s_j - s_y + 1).",
        _hinge_as_printed,
    ),
    Lesson(
        "Binary cross-entropy",
        "derivation",
        "A confident right answer costs little, a confident wrong one a lot. Probabilities\n"
        "[0.9, 0.3] with labels [1, 0]: the mean of -log 0.9 and -log 0.7.",
        _binary_cross_entropy,
    ),
    Lesson(
        "Multi-label classification: one binary problem per label",
        "derivation",
        "Logits [2.0, -1.0, 0.5], labels [1, 0, 1] for cat, bird, dog; the stable form\n"
        "max(x, 0) - x y + log(1 + exp(-|x|)). The note rounds sigmoid before the log.",
        _multi_label_bce,
    ),
    Lesson(
        "The multi-class SVM (hinge) loss",
        "cs231n",
        "Scores for cat, car, frog of three images (a cat, a car, a frog), margin 1:\n"
        "L_i = sum_{j != y} max(0, s_j - s_y + 1). PyTorch's multi_margin_loss, like\n"
        "F.multi_margin_loss, also divides by the number of classes C.",
        _multiclass_svm,
    ),
    Lesson(
        "The softmax loss of the cat image",
        "cs231n",
        "The same cat scores [3.2, 5.1, -1.7]: exp, normalize, -log of the cat's share.",
        _softmax_loss_of_the_cat,
    ),
    Lesson(
        "CS231n's case study: a linear classifier and a 2-layer net on the spiral",
        "cs231n-case-study",
        "CS231n's spiral (N = 100 points per class, K = 3 arms, D = 2, angle noise 0.2), step\n"
        "size 1, reg 1e-3, loss = mean cross-entropy + 0.5 reg sum W^2: a softmax linear\n"
        "classifier for 200 steps, then a net with 100 hidden ReLUs for 10,000. A linear\n"
        "classifier gives each class the points where its score is largest: an intersection of\n"
        "half-planes, so a convex wedge. Each arm turns through about 229 degrees, so no wedge\n"
        "holds an arm, and the best three catch about half the points: it stalls near 50%.\n"
        "The net's ReLUs make the scores piecewise linear, with a bend along each unit's line,\n"
        "and the regions follow the arms. (python examples/cs231n_case_study.py draws both.)",
        _case_study,
    ),
    Lesson(
        "Cross-entropy: a likelier right answer costs less",
        "cross-entropy",
        "With a one-hot target only the positive class's -log p stays in the sum.",
        _confident_is_cheaper,
    ),
    Lesson(
        "Supervised NT-Xent, as printed",
        "cross-entropy",
        "The note's supervised formula (after Khosla et al.) sums over every j; only the\n"
        "positives (same label, j != i) belong in it. Temperature 0.5.",
        _supervised_nt_xent_as_printed,
    ),
    Lesson(
        "NT-Xent: find your other view among 2N - 1",
        "simclr",
        "Two views of N = 2 samples in 2-D. Each of the 2N views is an anchor; its positive\n"
        "is its other view, the other 2(N - 1) are negatives.",
        _nt_xent,
    ),
    Lesson(
        "SupCon: every same-label view is a positive",
        "supcon",
        "The L_out form averages -log p over the positives outside the log.",
        _supcon,
    ),
)


def select(lesson: int | None = None, source: str | None = None) -> list[tuple[int, Lesson]]:
    """The lessons to print, numbered from 1: all, one by number, or those of one source.

    Parameters
    ----------
    lesson : int or None
        One lesson's number, from 1; None for every lesson.
    source : str or None
        A name in :data:`SOURCES`; None for every source.

    Returns
    -------
    list of (int, Lesson)
        Each chosen lesson with its number, in order.

    Raises
    ------
    ValueError
        Naming the argument, the value given and the valid ones, for a lesson number or a
        source that does not exist, or a lesson that is not from the source given.
    """
    if lesson is not None and not 1 <= lesson <= len(LESSONS):
        raise ValueError(f"textbook: --lesson {lesson} does not exist; choose 1 to {len(LESSONS)}")
    if source is not None and source not in SOURCES:
        raise ValueError(
            f"textbook: --source {source!r} is not a source; choose one of {', '.join(SOURCES)}"
        )
    if lesson is not None and source is not None and LESSONS[lesson - 1].source != source:
        raise ValueError(
            f"textbook: lesson {lesson} is not from --source {source!r} (it is "
            f"from {LESSONS[lesson - 1].source!r})"
        )
    return [
        (number, each)
        for number, each in enumerate(LESSONS, start=1)
        if lesson in (None, number) and source in (None, each.source)
    ]


def _print_row(what: str, ours: str, book: str, note: str = "") -> None:
    print(f"  {what:<30} {ours:<28} {book}".rstrip())
    for line in textwrap.wrap(note, width=100 - 8):
        print(f"        {line}")


# How the note under a row starts, by kind: a reader scanning for slips looks for "SLIP".
_MARK = {
    "agrees": "",
    "rounding": "book rounded: ",
    "slip": "SLIP: ",
    "formula": "",
    "ours": "ours",
    "random": "unseeded: ",
}


def main(lesson: int | None = None, source: str | None = None) -> None:
    """Print the chosen lessons: each number of the source beside ours, slips flagged."""
    chosen = select(lesson, source)
    print("Textbook numbers, recomputed with tinygrad_xent.functional. The book column is")
    print("what the source prints; an empty book column is a number we derived (ours).")
    for number, each in chosen:
        src = SOURCES[each.source]
        title = f"{number}. {each.title}"
        print()
        print(title)
        print("-" * len(title))
        for line in textwrap.wrap(
            f"source: {src.topic} ({src.name}): {src.reference}",
            width=100 - 2,
            subsequent_indent="  ",
        ):
            print(f"  {line}")
        if src.url:
            print(f"  {src.url}")
        for line in each.explanation.splitlines():
            print(f"  {line}")
        _print_row("", "ours (tinygrad_xent)", "book")
        for row in each.rows():
            mark = _MARK[row.kind]
            note = f"{mark}: {row.note}" if mark == "ours" and row.note else mark + row.note
            _print_row(row.what, row.ours, row.book, note)


def list_lessons() -> None:
    """Print the lessons by number and the sources by name, for ``--list``."""
    for number, each in enumerate(LESSONS, start=1):
        print(f"{number:>2}. {each.title}  [{each.source}]")
    print()
    for src in SOURCES.values():
        print(f"{src.name:<17} {src.topic}: {src.reference}")
        if src.url:
            print(f"{'':<17} {src.url}")


if __name__ == "__main__":
    main()
