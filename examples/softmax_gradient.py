"""The gradient of cross-entropy through a softmax, on the tape and by the formula.

Logits z = [1.2, 2.3, 0.8], correct class 1. The loss is -log softmax(z)[1], and its gradient
with respect to the logits is softmax(z) - one_hot(1). Run: python examples/softmax_gradient.py
"""

import numpy as np

import tinygrad_xent as tx
from tinygrad_xent import Tensor


def softmax(z: Tensor) -> Tensor:
    shifted = z - z.detach().max()  # log-sum-exp trick: a constant shift leaves softmax unchanged
    e = shifted.exp()
    return e / e.sum()


def loss_of(z: Tensor) -> Tensor:
    return -softmax(z)[1].log()


z = Tensor([1.2, 2.3, 0.8], requires_grad=True)
loss = loss_of(z)
loss.backward()

print("tape of the loss:")
print(tx.tape(loss))
print("softmax(z)         ", np.round(softmax(z).data, 4))
print("loss               ", round(loss.item(), 4))
print("dloss/dz, the tape ", np.round(z.grad, 4))
print("softmax(z) - y     ", np.round(softmax(z).data - np.eye(3)[1], 4))
print("finite differences agree:", tx.gradcheck(loss_of, z))
