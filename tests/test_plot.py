"""Each plot writes a non-empty PNG file, with no display."""

import numpy as np
import pytest

from tinygrad_xent import data, nn, plot
from tinygrad_xent.train import History

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _is_png(path):
    with open(path, "rb") as f:
        head = f.read(8)
    return head == PNG_MAGIC


def test_loss_curve(tmp_path):
    history = History(
        loss=[1.1, 0.9, 0.5, 0.3], accuracy=[0.3, 0.5, 0.8, 0.9], chance=np.log(3), n_classes=3
    )
    path = plot.loss_curve(history, tmp_path / "loss.png")
    assert path == str(tmp_path / "loss.png") and _is_png(path)
    # Without accuracies (a contrastive loss) there is no second axis, but still a plot.
    history.accuracy = [float("nan")] * 4
    assert _is_png(plot.loss_curve(history, tmp_path / "loss2.png"))


def test_decision_regions(tmp_path):
    x, y = data.blobs(20, 3, seed=0)
    path = plot.decision_regions(nn.MLP([2, 5, 3], rng=0), x, y, tmp_path / "r.png", resolution=50)
    assert _is_png(path) and (tmp_path / "r.png").stat().st_size > 5000
    with pytest.raises(ValueError, match=r"decision_regions: x must be \(N, 2\)"):
        plot.decision_regions(
            nn.MLP([3, 2]), np.zeros((4, 3)), np.zeros(4, int), tmp_path / "bad.png"
        )


@pytest.mark.parametrize("dim", [2, 8])
def test_embeddings(tmp_path, dim):
    z = np.random.default_rng(0).standard_normal((40, dim))
    labels = np.repeat(np.arange(4), 10)
    assert _is_png(plot.embeddings(z, labels, tmp_path / "e.png"))
    with pytest.raises(ValueError, match="embeddings: need z"):
        plot.embeddings(z, labels[:5], tmp_path / "bad.png")
