"""Write the notebooks of docs/notebooks/ and run them, so that they keep their outputs.

    python docs/notebooks/make_notebooks.py

Each notebook is a list of cells below (markdown text, or code run top to bottom in a fresh
kernel); nbclient executes them and nbformat writes the .ipynb with every output stored, so a
code host shows the numbers and pictures without running anything. tests/test_notebooks.py
runs them again and checks what they print against the package.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent

SCALAR = [
    (
        "md",
        """# Start here: the chain rule on three numbers

Backprop on numbers alone, before softmax and batches: f = (x + y) z with x = -2, y = 5,
z = -4 (the start of CS231n's notes on backpropagation, https://cs231n.github.io/optimization-2/).
The forward pass gives q = x + y = 3 and f = q z = -12. By the chain rule df/dz = q = 3,
df/dq = z = -4, and x and y reach f only through q, whose local derivatives are 1:
df/dx = df/dy = -4.""",
    ),
    (
        "code",
        """import numpy as np

import tinygrad_xent as tx
from tinygrad_xent import Tensor

x = Tensor(-2.0, requires_grad=True, name="x")
y = Tensor(5.0, requires_grad=True, name="y")
z = Tensor(-4.0, requires_grad=True, name="z")
f = (x + y) * z
f.backward()
print(f.item(), x.grad, y.grad, z.grad)""",
    ),
    (
        "md",
        """`tx.explain` prints the walk, newest node first: `mul` receives g = 1 and hands g * z
to q and g * q to z; `add` hands its g, unchanged, to both x and y.""",
    ),
    ("code", """tx.explain(f)"""),
    (
        "md",
        """## The gates

`add` distributes g to both inputs, `mul` swaps (each input gets g times the other), `maximum`
routes g to the larger input, `exp` reuses its output (dx = g * y). CS231n's example
f = 2 (x y + max(z, w)) with x = 3, y = -4, z = 2, w = -1 shows three of them:""",
    ),
    (
        "code",
        """x = Tensor(3.0, requires_grad=True, name="x")
y = Tensor(-4.0, requires_grad=True, name="y")
z = Tensor(2.0, requires_grad=True, name="z")
w = Tensor(-1.0, requires_grad=True, name="w")
f = 2.0 * (x * y + tx.maximum(z, w))
f.backward()
print("gradients:", x.grad, y.grad, z.grad, w.grad)
tx.explain(f)""",
    ),
    (
        "code",
        """a = Tensor(0.5, requires_grad=True, name="a")
e = a.exp()
e.backward()
print("exp reuses its output:", e.item() == a.grad)""",
    ),
    (
        "md",
        """## A value used twice: gradients add

f = (x + y) x: x reaches f through q and directly, and the multivariable chain rule sums the
two paths, df/dx = x + q = -2 + 3 = 1. `explain` shows x's gradient as the sum of 2 uses, and
central finite differences agree.""",
    ),
    (
        "code",
        """x = Tensor(-2.0, requires_grad=True, name="x")
y = Tensor(5.0, requires_grad=True, name="y")
f = (x + y) * x
f.backward()
print(f.item(), x.grad, y.grad)
h = 1e-6
fd = (((-2.0 + h) + 5.0) * (-2.0 + h) - ((-2.0 - h) + 5.0) * (-2.0 - h)) / (2 * h)
print("finite differences:", round(fd, 6))
tx.explain(f)""",
    ),
    (
        "md",
        """## The step to vectors

With arrays each gate applies the same rule element by element, and broadcasting is reuse:
a scalar z times a vector is used once per element, so its gradient is a sum. For a batch,
the gradient arriving at a linear layer's logits is (P - Y) / N; `full=True` prints it
whole, and the batch is labelled as the graph's input x.""",
    ),
    (
        "code",
        """import tinygrad_xent.functional as F
from tinygrad_xent import nn

x = Tensor([-2.0, 1.0, 0.5], requires_grad=True, name="x")
z = Tensor(-4.0, requires_grad=True, name="z")
(x * z).sum().backward()
print("z.grad = sum of x:", z.grad, x.data.sum())

rng = np.random.default_rng(0)
points = rng.normal(size=(8, 2))
labels = np.array([0, 1, 2, 0, 1, 2, 0, 1])
model = nn.Linear(2, 3, rng=0)
logits = model(points)
loss = F.cross_entropy(logits, labels)
loss.backward()
P = F.softmax(logits).data
print("(P - Y) / N:")
print(((P - np.eye(3)[labels]) / 8).round(4))
text = tx.explain(loss, file=None, full=True)
print(text[text.index("\\nnode 0 ") + 1 :])""",
    ),
]

SOFTMAX = [
    (
        "md",
        """# Backprop through softmax, step by step

Softmax turns logits z into probabilities p_k = exp(z_k) / sum_j exp(z_j). This notebook
takes its derivative three ways: the whole Jacobian, the tape's vector-Jacobian product, and
the tape node by node.""",
    ),
    (
        "code",
        """import numpy as np

import tinygrad_xent as tx
import tinygrad_xent.functional as F
from tinygrad_xent import Tensor

z = np.array([1.2, 2.3, 0.8])
p = F.softmax(Tensor(z)).data
print("p =", p.round(4))""",
    ),
    (
        "md",
        """## The Jacobian, and diag(p) - p p^T

`tx.jacobian(f, x)` builds J one row at a time: backward with the upstream gradient e_k gives
row k, J[k, j] = dp_k/dz_j. For softmax the closed form is J = diag(p) - p p^T. Every row
sums to 0 because softmax ignores a shift (adding c to every z_j changes no p_k, so
sum_j dp_k/dz_j = 0); every column sums to 0 because the probabilities sum to 1
(sum_k p_k = 1 whatever z, so sum_k dp_k/dz_j = 0).""",
    ),
    (
        "code",
        """J = tx.jacobian(F.softmax, z)
closed_form = np.diag(p) - np.outer(p, p)
print(J.round(4))
print("largest difference from diag(p) - p p^T:", np.abs(J - closed_form).max())
print("diagonal:", J.diagonal().round(5))
print("largest |row sum|:", np.abs(J.sum(axis=1)).max())
print("largest |column sum|:", np.abs(J.sum(axis=0)).max())""",
    ),
    (
        "md",
        """## J^T g without forming J

Backward never builds J. Given the gradient g of the loss with respect to p, softmax's nodes
hand back J^T g = p * (g - sum(g p)): the same numbers, for the price of one pass.""",
    ),
    (
        "code",
        """g = np.array([0.5, -1.0, 2.0])
x = Tensor(z, requires_grad=True)
F.softmax(x).backward(g)
print("tape:       ", x.grad.round(6))
print("J^T g:      ", (J.T @ g).round(6))
print("closed form:", (p * (g - (g * p).sum())).round(6))""",
    ),
    (
        "md",
        """## The tape, node by node

With g = e_1 the leaf receives row 1 of J. Softmax is four nodes: subtract the row max (a
constant), exp, sum, divide. The divide's rule is the quotient rule: da = g / b sends the
gradient to the numerator, db = -g y / b to the denominator; exp's output is used twice (by
the sum and by the divide), so the gradient arriving there is the sum of both.""",
    ),
    (
        "code",
        """from tinygrad_xent.explain import worked_example

out = worked_example("softmax")
tx.explain(out)""",
    ),
    ("code", """tx.draw(out)"""),
    (
        "md",
        """The same graph, one node at a time: `interactive=True` shows a page that steps through
the backward walk (the buttons, or click it and use the arrow keys). It needs no extension and
no server, and it works in Colab too; `tx.draw(out, "graph.html")` writes it as a file.""",
    ),
    ("code", """tx.draw(out, interactive=True)"""),
    (
        "md",
        """## And cross-entropy on top

Cross-entropy's gradient with respect to the logits is softmax - one_hot. By the Jacobian
route it takes two lines. L = -log p_y involves only p_y, so

dL/dp_k = -[k = y] / p_y,   that is   g = dL/dp = -one_hot / p_y.

Then J^T g picks row y of J and divides it by -p_y:
(J^T g)_j = -p_y ([y = j] - p_j) / p_y = p_j - [j = y]: the 1/p_y of the log cancels the p_y
of the softmax.""",
    ),
    (
        "code",
        """logits = Tensor(z, requires_grad=True)
F.cross_entropy(logits, 1).backward()
g = -np.eye(3)[1] / p[1]
print("tape:           ", logits.grad.round(4))
print("J^T g:          ", (J.T @ g).round(4))
print("softmax-one_hot:", (p - np.eye(3)[1]).round(4))""",
    ),
]

TRAINING = [
    (
        "md",
        """# Train a classifier and watch the loss leave log C

A classifier that knows nothing spreads its probability evenly over the C classes; its
cross-entropy is log C. `nn.MLP` starts there (its last layer is scaled down), so the first
loss sits on the chance line and everything below it is learned.""",
    ),
    (
        "code",
        """import math

from tinygrad_xent import data, nn, optim, train

x, y = data.spiral(n_per_class=100, n_classes=3, noise=0.2, seed=0)
model = nn.MLP([2, 50, 3], rng=0)
history = train.fit(model, x, y, optimizer=optim.SGD(model.parameters(), lr=1.0),
                    steps=300, log_every=100)
print(f"log 3 = {math.log(3):.4f}; first loss {history.loss[0]:.4f}; "
      f"final loss {history.final_loss:.4f}; final accuracy {history.final_accuracy:.3f}")""",
    ),
    ("code", """history"""),
    (
        "code",
        """%matplotlib inline
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(5, 3), dpi=70)
ax.plot(history.loss, label="loss")
ax.axhline(history.chance, color="gray", linestyle="--", label="log 3, chance")
ax.set_xlabel("step")
ax.legend()
plt.show()""",
    ),
]

CONTRASTIVE = [
    (
        "md",
        """# NT-Xent and SupCon, with temperature

NT-Xent (SimCLR) asks each of the 2N views to pick out its partner among the other 2N - 1:
a (2N - 1)-way cross-entropy over similarities divided by the temperature tau. When every
embedding is the same, nothing can be told apart and the loss is log(2N - 1), chance.""",
    ),
    (
        "code",
        """import math

import numpy as np

import tinygrad_xent.functional as F
from tinygrad_xent import Tensor

n = 4
same = np.ones((n, 3))
print(f"identical embeddings: {F.nt_xent(same, same).item():.6f}  "
      f"log(2N - 1) = {math.log(2 * n - 1):.6f}")""",
    ),
    (
        "md",
        """## Temperature

Two views that agree (a small perturbation of each other): a low tau sharpens the softmax
over similarities, so the loss drops towards 0 when the partners are the nearest; a high tau
flattens it towards log(2N - 1).""",
    ),
    (
        "code",
        """rng = np.random.default_rng(0)
z_a = rng.normal(size=(n, 3))
z_b = z_a + 0.1 * rng.normal(size=(n, 3))
for tau in (0.1, 0.5, 1.0, 5.0):
    print(f"tau {tau:>4}: NT-Xent {F.nt_xent(z_a, z_b, temperature=tau).item():.6f}")""",
    ),
    (
        "md",
        """## SupCon

SupCon uses labels: every row of the same class is a positive. With two views of each
sample and every sample its own class, it is NT-Xent again; with real classes, more positives
pull together.""",
    ),
    (
        "code",
        """features = np.vstack([z_a, z_b])
own_class = np.concatenate([np.arange(n), np.arange(n)])
print(f"SupCon, each sample its own class: {F.supcon(features, own_class, 0.5).item():.6f}")
print(f"NT-Xent at the same tau:           {F.nt_xent(z_a, z_b, 0.5).item():.6f}")
two_classes = own_class % 2
print(f"SupCon, two classes:               {F.supcon(features, two_classes, 0.5).item():.6f}")""",
    ),
    (
        "code",
        """z = Tensor(z_a, requires_grad=True)
loss = F.nt_xent(z, z_b, temperature=0.5)
loss.backward()
print("gradient norm of NT-Xent w.r.t. z_a:", round(float(np.linalg.norm(z.grad)), 6))""",
    ),
]

CASE_STUDY = [
    (
        "md",
        """# CS231n's minimal neural network case study, on the tape

https://cs231n.github.io/neural-networks-case-study/ trains a softmax linear classifier and
then a 2-layer net on a spiral of three arms, writing every gradient by hand. Here the same
loops run on the tape: `backward()` computes the gradients. The notes' random generator is
unseeded, so their numbers and ours (numpy's `default_rng(0)`) are close, not equal.

The data: N = 100 points per class, K = 3 arms, D = 2; arm j has radii linspace(0, 1, N)
and angles linspace(4j, 4(j + 1), N) plus N(0, 0.2^2) noise.""",
    ),
    (
        "code",
        """import numpy as np

import tinygrad_xent.functional as F
from tinygrad_xent import Tensor
from tinygrad_xent.textbook import cs231n_spiral

rng = np.random.default_rng(0)
X, y = cs231n_spiral(rng)  # the notes' generator, line for line
print(X.shape, y.shape, np.bincount(y))""",
    ),
    (
        "md",
        """## A softmax linear classifier

W = 0.01 randn(D, K), b = 0; loss = mean cross-entropy + 0.5 reg sum(W^2); 200 steps of
size 1, reg 1e-3. Where the notes compute `dscores`, `dW` and `db` by hand, `loss.backward()`
fills `W.grad` and `b.grad`. The first loss is near log 3 = 1.0986: scores near 0 give every
class about 1/3. The notes print 1.096956 at step 0 and 0.786302 at step 190.""",
    ),
    (
        "code",
        """step_size, reg = 1.0, 1e-3
W = Tensor(0.01 * rng.standard_normal((2, 3)), requires_grad=True)
b = Tensor(np.zeros((1, 3)), requires_grad=True)
for i in range(200):
    scores = X @ W + b  # (300, 3)
    loss = F.cross_entropy(scores, y) + 0.5 * reg * (W * W).sum()
    if i % 50 == 0 or i == 190:
        print(f"iteration {i}: loss {loss.item():.6f}")
    W.zero_grad()
    b.zero_grad()
    loss.backward()
    W.data -= step_size * W.grad
    b.data -= step_size * b.grad
linear_accuracy = np.mean(np.argmax(X @ W.data + b.data, axis=1) == y)
print(f"training accuracy: {linear_accuracy:.2f}   (the notes: 0.49)")""",
    ),
    (
        "md",
        """## A 2-layer net

100 hidden ReLUs, the same loss with both weight matrices regularized, 10,000 steps (a few
seconds). The notes print 1.098744 at step 0 and 0.245292 at step 9000, and 98%.""",
    ),
    (
        "code",
        """rng = np.random.default_rng(0)
X, y = cs231n_spiral(rng)  # the same data again, then the net's own weights
h = 100
W1 = Tensor(0.01 * rng.standard_normal((2, h)), requires_grad=True)
b1 = Tensor(np.zeros((1, h)), requires_grad=True)
W2 = Tensor(0.01 * rng.standard_normal((h, 3)), requires_grad=True)
b2 = Tensor(np.zeros((1, 3)), requires_grad=True)
params = [W1, b1, W2, b2]
for i in range(10_000):
    hidden = (X @ W1 + b1).relu()  # (300, 100)
    scores = hidden @ W2 + b2  # (300, 3)
    loss = F.cross_entropy(scores, y) + 0.5 * reg * ((W1 * W1).sum() + (W2 * W2).sum())
    if i % 1000 == 0:
        print(f"iteration {i}: loss {loss.item():.6f}")
    for p in params:
        p.zero_grad()
    loss.backward()
    for p in params:
        p.data -= step_size * p.grad
hidden = np.maximum(0, X @ W1.data + b1.data)
net_accuracy = np.mean(np.argmax(hidden @ W2.data + b2.data, axis=1) == y)
print(f"training accuracy: {net_accuracy:.2f}   (the notes: 0.98)")""",
    ),
    (
        "md",
        """## Why the linear model stalls near 50%

A linear classifier gives each class the points where its score is the largest: the
intersection of two half-planes, a convex wedge. Each arm turns through about 229 degrees,
so no wedge can hold one, and the best three wedges catch about half of the points. The
net's ReLUs make the scores piecewise linear, bending along each hidden unit's line, and its
regions follow the arms.""",
    ),
    (
        "code",
        """%matplotlib inline
import matplotlib.pyplot as plt

grid = np.linspace(-1.1, 1.1, 200)
gx, gy = np.meshgrid(grid, grid)
points = np.stack([gx.ravel(), gy.ravel()], axis=1)
linear_regions = (points @ W.data + b.data).argmax(axis=1)
net_regions = (np.maximum(0, points @ W1.data + b1.data) @ W2.data + b2.data).argmax(axis=1)
fig, axes = plt.subplots(1, 2, figsize=(8, 4), dpi=60)
for ax, regions, name in zip(axes, (linear_regions, net_regions), ("linear", "2-layer net")):
    ax.contourf(gx, gy, regions.reshape(gx.shape), levels=[-0.5, 0.5, 1.5, 2.5],
                cmap="Spectral", alpha=0.4)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="Spectral", s=10, edgecolors="k", linewidths=0.3)
    ax.set_title(name)
    ax.set_aspect("equal")
plt.show()""",
    ),
]

NOTEBOOKS = {
    "scalar-start.ipynb": SCALAR,
    "backprop-through-softmax.ipynb": SOFTMAX,
    "train-a-classifier.ipynb": TRAINING,
    "nt-xent-and-supcon.ipynb": CONTRASTIVE,
    "cs231n-case-study.ipynb": CASE_STUDY,
}


def build(cells: list) -> nbformat.NotebookNode:
    """A notebook of ``cells``, each ("md", text) or ("code", source)."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    make = {"md": nbformat.v4.new_markdown_cell, "code": nbformat.v4.new_code_cell}
    nb.cells = [make[kind](source) for kind, source in cells]
    return nb


def run(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Execute every cell in a fresh kernel, in the notebooks' folder; outputs are stored."""
    NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(HERE)}}
    ).execute()
    return nb


def main() -> None:
    for name, cells in NOTEBOOKS.items():
        nb = run(build(cells))
        for i, cell in enumerate(nb.cells):  # ids that do not change from one run to the next
            cell["id"] = f"cell-{i}"
        nbformat.write(nb, HERE / name)
        print(f"wrote {HERE / name}")


if __name__ == "__main__":
    main()
