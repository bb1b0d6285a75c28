"""The textbook walkthrough: worked numbers from the usual lessons, recomputed on the tape.

Each lesson computes its numbers with ``tinygrad_xent.functional`` and prints them beside the
value the book prints. Where a book rounded an intermediate value before going on, truncated
instead of rounding, or used log base 2, the note next to the number says so: the unrounded
value is the one the code gives.

Run it with ``tinygrad-xent textbook`` or ``python examples/textbook.py``.
"""

from __future__ import annotations

import math

import numpy as np

from . import functional as F
from .tensor import Tensor, maximum


def _fmt(value, digits: int) -> str:
    """A number or a vector at the book's precision, e.g. 0.443 or [0.214, 0.642]."""
    values = np.atleast_1d(np.asarray(value, dtype=np.float64))
    text = ", ".join(f"{v:.{digits}f}" for v in values)
    return text if np.ndim(value) == 0 else f"[{text}]"


def _row(what: str, ours: str, book: str, note: str = "") -> None:
    print(f"  {what:<28} {ours:<28} {book:<30} {note}".rstrip())


def _lesson(title: str, explanation: str) -> None:
    print()
    print(title)
    print("-" * len(title))
    for line in explanation.splitlines():
        print(f"  {line}")
    _row("", "tinygrad_xent", "book")


def softmax_and_its_gradient() -> None:
    logits = Tensor([1.2, 2.3, 0.8], requires_grad=True)
    p = F.softmax(logits)
    loss = F.cross_entropy(logits, np.int64(1))
    loss.backward()
    _lesson("1. Softmax, cross-entropy and its gradient",
            "Logits [1.2, 2.3, 0.8], the true class is 1. softmax = exp(x) / sum exp(x);\n"
            "cross-entropy = -log p[1]; its gradient with respect to the logits is\n"
            "softmax - one_hot, read from backward().")
    _row("sum of exp(x)", _fmt(np.exp(logits.data).sum(), 2), "15.52")
    rounded_exp = np.round(np.exp(logits.data), 2)  # the book's 3.32, 9.97, 2.23
    _row("softmax", _fmt(p.data, 3), "[0.214, 0.642, 0.144]",
         f"unrounded {_fmt(p.data, 4)}")
    _row("  the book's way", _fmt(rounded_exp / 15.52, 3), "[0.214, 0.642, 0.144]",
         f"exp rounded to {_fmt(rounded_exp, 2)}, over 15.52")
    _row("cross-entropy, class 1", _fmt(loss.item(), 4), "0.443",
         f"book: -log of the rounded 0.642 = {-math.log(0.642):.4f}")
    _row("d loss / d logits", _fmt(logits.grad, 4), "[0.2139, -0.3573, 0.1434]",
         "= softmax - [0, 1, 0]")


def cross_entropy_in_bits() -> None:
    logits = np.array([3.2, 1.3, 0.2, 0.8])
    p = F.softmax(logits).data
    nats = F.cross_entropy(logits, np.int64(0)).item()
    _lesson("2. Cross-entropy in bits",
            "Logits [3.2, 1.3, 0.2, 0.8], the true class is 0. A loss in bits is the loss\n"
            "in nats divided by log 2.")
    _row("softmax", _fmt(p, 3), "[0.775, 0.116, 0.039, 0.070]")
    _row("cross-entropy, bits", _fmt(nats / math.log(2), 4), "0.3677",
         f"book: -log2 of the rounded 0.775 = {-math.log2(0.775):.4f}")
    _row("cross-entropy, nats", _fmt(nats, 4), "(not given)", "what F.cross_entropy returns")


def softmax_against_plain_normalization() -> None:
    _lesson("3. Softmax is not plain normalization",
            "x / sum(x) only sees ratios: [2, 4] and [4, 8] give the same answer. softmax\n"
            "sees differences, so doubling the logits makes it more confident.")
    for logits, book in (([2.0, 4.0], "[0.119, 0.881]"), ([4.0, 8.0], "[0.018, 0.982]")):
        x = np.array(logits)
        _row(f"softmax({logits})", _fmt(F.softmax(x).data, 3), book)
        _row(f"x / sum(x) for {logits}", _fmt(x / x.sum(), 3), "[0.333, 0.667]")


def softmax_sharpens() -> None:
    _lesson("4. A larger gap, a sharper softmax",
            "Raising one logit from 3 to 5 moves most of the mass to it.")
    _row("softmax([1, 2, 3])", _fmt(F.softmax(np.array([1.0, 2.0, 3.0])).data, 2),
         "[0.09, 0.24, 0.67]")
    p = F.softmax(np.array([1.0, 2.0, 5.0])).data
    _row("softmax([1, 2, 5])", _fmt(p, 2), "[0.02, 0.05, 0.93]",
         f"book prints 0.93; unrounded {p[2]:.3f}, 0.94 at two decimals")


def entropy_of_containers() -> None:
    _lesson("5. Entropy in bits of three containers of 30 balls",
            "H = -sum p log2 p: a near-even mix is almost 1 bit, a near-pure one little.")
    for first, book in ((26, "0.5665"), (14, "0.9968"), (1, "0.2108")):
        p = np.array([first, 30 - first]) / 30
        _row(f"({first}/30, {30 - first}/30)", _fmt(F.entropy(p, base=2).item(), 4), book)


def binary_cross_entropy() -> None:
    _lesson("6. Binary cross-entropy",
            "A confident right answer costs little, a confident wrong one a lot.\n"
            "Probabilities [0.9, 0.3] with labels [1, 0]: the mean of -log 0.9 and -log 0.7.")
    _row("-log(0.9)", _fmt(F.binary_cross_entropy([0.9], [1.0]).item(), 3), "0.105")
    minus_log_tenth = F.binary_cross_entropy([0.1], [1.0]).item()
    _row("-log(0.1)", _fmt(minus_log_tenth, 4), "2.302",
         f"book truncated {minus_log_tenth:.6f}; rounded it is 2.303")
    _row("BCE([0.9, 0.3], [1, 0])",
         _fmt(F.binary_cross_entropy([0.9, 0.3], [1.0, 0.0]).item(), 3), "0.231")


def multi_label_bce() -> None:
    logits, labels = [2.0, -1.0, 0.5], [1.0, 0.0, 1.0]
    each = F.binary_cross_entropy_with_logits(logits, labels, reduction="none").data
    mean = F.binary_cross_entropy_with_logits(logits, labels).item()
    _lesson("7. Multi-label classification: one binary problem per label",
            "Logits [2.0, -1.0, 0.5], labels [1, 0, 1], the stable form\n"
            "max(x, 0) - x y + log(1 + exp(-|x|)). The book rounded sigmoid to two decimals\n"
            "(0.88, 0.27, 0.62) before taking the log.")
    _row("per-label loss", _fmt(each, 2), "[0.13, 0.31, 0.48]",
         f"unrounded {_fmt(each, 3)}; -log(0.62) = {-math.log(0.62):.3f}")
    _row("mean", _fmt(mean, 3), "0.31", "book: the mean of its rounded 0.13, 0.31, 0.48")


def untrained_classifier() -> None:
    _lesson("8. An untrained classifier's loss is log(C)",
            "Uniform logits give every class 1/C, so the first loss of a healthy training run\n"
            "sits near log C; far above it, the initialization is off.")
    for classes, book in ((4, "1.386"), (10, "2.303")):
        loss = F.cross_entropy(np.zeros((1, classes)), np.array([0])).item()
        _row(f"C = {classes}", _fmt(loss, 3), book)


def float32_pitfall() -> None:
    logits = Tensor(np.array([[0.0, 200.0]], dtype=np.float32))
    p = F.softmax(logits)  # p[0] = exp(-200) underflows to 0 in float32
    tiny = float(np.finfo(np.float32).tiny)  # the smallest normal float32, 1.18e-38
    clamped = -maximum(p, tiny).log()[0, 0].item()
    _lesson("9. The float32 pitfall: softmax, then log",
            "Logits [0, 200] in float32, the true class is 0: the right loss is 200. softmax\n"
            "rounds exp(-200) to 0, log(0) = -inf, and clamping p to the smallest normal\n"
            "float32 caps every confidently wrong loss at the same plateau.")
    _row("-log(max(softmax, tiny))", _fmt(clamped, 4), "87.3365", "the plateau")
    _row("cross_entropy (log_softmax)", _fmt(F.cross_entropy(logits, np.array([0])).item(), 4),
         "200", "lse(x) - x_0, never a probability")


LESSONS = (softmax_and_its_gradient, cross_entropy_in_bits, softmax_against_plain_normalization,
           softmax_sharpens, entropy_of_containers, binary_cross_entropy, multi_label_bce,
           untrained_classifier, float32_pitfall)


def main() -> None:
    """Print every textbook number beside the value the book gives, lesson by lesson."""
    print("Textbook numbers, recomputed with tinygrad_xent.functional")
    print("(book values as printed; the notes say where a book rounded first)")
    for lesson in LESSONS:
        lesson()


if __name__ == "__main__":
    main()
