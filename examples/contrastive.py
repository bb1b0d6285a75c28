"""Contrastive learning on the 8x8 digits: NT-Xent on two views, then SupCon on the labels.

    python examples/contrastive.py      # 10-15 s on two cores; plots go to runs/contrastive/

NT-Xent (SimCLR) sees no labels. Each batch of N images becomes 2N augmented views; every view
must pick out its partner among the other 2N - 1 views, a (2N - 1)-way classification, so an
encoder whose embeddings are all alike scores log(2N - 1), this loss's chance level. SupCon
(Khosla et al. 2020) uses the labels: every view of the same digit counts as a positive.

To see what an encoder learned without training a classifier, each test image gets the label
of its nearest training image in embedding space (cosine similarity): a good embedding puts
images of one digit close together.
"""

import math
import os

import numpy as np

import tinygrad_xent as tx
import tinygrad_xent.functional as F
from tinygrad_xent import Tensor, data, nn, optim, plot
from tinygrad_xent.train import History

STEPS = 300
BATCH = 128  # N images per step, so 2N = 256 views
OUT = os.path.join("runs", "contrastive")


def train_encoder(loss_name: str, split: data.Split, seed: int = 0) -> tuple[nn.MLP, History]:
    """Train a 64-64-16 encoder with "nt_xent" (labels unused) or "supcon" (labels used)."""
    rng = np.random.default_rng(seed)
    encoder = nn.MLP([64, 64, 16], rng=seed, out_scale=1.0)
    opt = optim.Adam(encoder.parameters(), lr=3e-3)
    chance = math.log(2 * BATCH - 1)
    history = History(n_classes=2 * BATCH - 1, chance=chance)
    order = data.batches(len(split.y_train), BATCH, rng)
    for step in range(STEPS):
        index = next(order)
        view_a, view_b = data.two_views(split.x_train[index], rng, image_shape=(8, 8))
        opt.zero_grad()
        z_a, z_b = encoder(Tensor(view_a)), encoder(Tensor(view_b))  # (N, 16) each
        if loss_name == "nt_xent":
            loss = F.nt_xent(z_a, z_b, temperature=0.5)
        else:
            labels = np.concatenate([split.y_train[index], split.y_train[index]])  # (2N,)
            loss = F.supcon(tx.concatenate([z_a, z_b], axis=0), labels, temperature=0.1)
        history.loss.append(loss.item())
        history.accuracy.append(math.nan)  # no per-step accuracy for a contrastive loss
        loss.backward()
        opt.step()
        if step % 50 == 0 or step == STEPS - 1:
            print(
                f"{loss_name:8s} step {step:3d}  loss {loss.item():.4f}  "
                f"(chance: log(2N - 1) = log {2 * BATCH - 1} = {chance:.4f})"
            )
    return encoder, history


def nearest_neighbour_accuracy(encoder: nn.MLP, split: data.Split) -> float:
    """Share of test images whose nearest training image (cosine) has the same label."""
    with tx.no_grad():
        train = encoder(Tensor(split.x_train)).data  # (N_train, 16)
        test = encoder(Tensor(split.x_test)).data  # (N_test, 16)
    train = train / np.linalg.norm(train, axis=1, keepdims=True)
    test = test / np.linalg.norm(test, axis=1, keepdims=True)
    nearest = (test @ train.T).argmax(axis=1)  # (N_test,)
    return float(np.mean(split.y_train[nearest] == split.y_test))


def main() -> None:
    split = data.load_digits(seed=0)
    os.makedirs(OUT, exist_ok=True)
    written = []
    for loss_name, title in (
        ("nt_xent", "NT-Xent (no labels)"),
        ("supcon", "SupCon (labels as positives)"),
    ):
        encoder, history = train_encoder(loss_name, split)
        accuracy = nearest_neighbour_accuracy(encoder, split)
        print(
            f"{loss_name:8s} first loss {history.initial_loss:.4f} vs chance "
            f"{history.chance:.4f}; last {history.loss[-1]:.4f}; nearest-neighbour test "
            f"accuracy {100 * accuracy:.1f}%"
        )
        written.append(
            plot.loss_curve(
                history,
                os.path.join(OUT, f"{loss_name}_loss.png"),
                title=f"{title}: loss against log(2N - 1)",
                loss_label=f"loss ({loss_name}, batch of 2N = {2 * BATCH} views)",
            )
        )
        with tx.no_grad():
            z = encoder(Tensor(split.x_test)).data  # (N_test, 16)
        written.append(
            plot.embeddings(
                z,
                split.y_test,
                os.path.join(OUT, f"{loss_name}_embeddings.png"),
                title=f"{title}\ntest digits, nearest-neighbour accuracy {100 * accuracy:.0f}%",
            )
        )
    print("wrote " + ", ".join(written))


if __name__ == "__main__":
    main()
