"""Write the three notebooks of docs/notebooks/ and run them, so that they keep their outputs.

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
row k. For softmax the closed form is J = diag(p) - p p^T, and every row sums to 0 (the
probabilities always sum to 1, so nudging the logits cannot change that sum).""",
    ),
    (
        "code",
        """J = tx.jacobian(F.softmax, z)
closed_form = np.diag(p) - np.outer(p, p)
print(J.round(4))
print("largest difference from diag(p) - p p^T:", np.abs(J - closed_form).max())
print("diagonal:", J.diagonal().round(5))
print("largest |row sum|:", np.abs(J.sum(axis=1)).max())""",
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

Cross-entropy's gradient with respect to the logits is softmax - one_hot: the chain rule
through J collapses to that simple vector, because g = -one_hot / p.""",
    ),
    (
        "code",
        """logits = Tensor(z, requires_grad=True)
F.cross_entropy(logits, 1).backward()
print("tape:           ", logits.grad.round(4))
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

NOTEBOOKS = {
    "backprop-through-softmax.ipynb": SOFTMAX,
    "train-a-classifier.ipynb": TRAINING,
    "nt-xent-and-supcon.ipynb": CONTRASTIVE,
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
