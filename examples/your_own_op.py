"""A fused softmax cross-entropy written as an op of your own, checked against the composed one.

F.cross_entropy is composed from primitive ops, so its backward runs through log-sum-exp,
indexing and a mean, node by node. Fused into one op, the whole backward is one line, the
gradient derived on paper: d(mean CE)/d(logits) = (softmax(logits) - one_hot(target)) / N.
This script writes that op with tx.Function, checks it three ways (against the composed loss,
against finite differences with tx.gradcheck, and the same check on a deliberately wrong
backward that forgets the 1/N of the mean), and shows it on the tape.

    python examples/your_own_op.py
"""

import numpy as np

import tinygrad_xent as tx
import tinygrad_xent.functional as F


class SoftmaxCrossEntropy(tx.Function):
    """y = mean_i (logsumexp(x_i) - x_i[t_i]);  dx = (softmax(x) - one_hot(t)) / N"""

    @staticmethod
    def forward(ctx, logits, target):
        n = logits.shape[0]
        shifted = logits - logits.max(axis=1, keepdims=True)  # log-sum-exp: nothing overflows
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        target = target.astype(np.int64)
        ctx.save_for_backward(np.exp(log_probs), target)
        return -log_probs[np.arange(n), target].mean()

    @staticmethod
    def backward(ctx, g):
        probs, target = ctx.saved_tensors
        n = probs.shape[0]
        dlogits = probs.copy()
        dlogits[np.arange(n), target] -= 1  # softmax - one_hot
        return g * dlogits / n, None  # the target is a label: no gradient


class ForgetsTheMean(tx.Function):
    """y = mean CE;  dx = softmax(x) - one_hot(t)  (wrong: the 1/N of the mean is missing)"""

    @staticmethod
    def forward(ctx, logits, target):
        return SoftmaxCrossEntropy.forward(ctx, logits, target)

    @staticmethod
    def backward(ctx, g):
        dlogits, _ = SoftmaxCrossEntropy.backward(ctx, g)
        return dlogits * ctx.saved_tensors[0].shape[0], None


def main() -> None:
    rng = np.random.default_rng(0)
    logits = tx.Tensor(rng.normal(size=(4, 3)), requires_grad=True)
    target = np.array([0, 2, 1, 1])

    fused = SoftmaxCrossEntropy.apply(logits, target)
    fused.backward()
    fused_grad = logits.grad
    logits.zero_grad()
    composed = F.cross_entropy(logits, target)
    composed.backward()
    print(f"loss: fused {fused.item():.6f}, composed {composed.item():.6f}")
    print(f"largest gradient difference: {np.abs(fused_grad - logits.grad).max():.1e}")

    print("gradcheck of the fused op:", tx.gradcheck(SoftmaxCrossEntropy.apply, logits, target))
    try:
        tx.gradcheck(ForgetsTheMean.apply, logits, target)
    except tx.GradcheckError as error:
        print("gradcheck of the op that forgets 1/N:")
        print(error)

    print(tx.tape(fused))


if __name__ == "__main__":
    main()
