"""Plots written as PNG files: the loss curve, a 2-D classifier's regions, learned embeddings.

Each function draws on a ``matplotlib.figure.Figure`` and saves it through the Agg canvas, so
nothing needs a display and no global pyplot state is touched. Each returns the path written.
"""

from __future__ import annotations

import numpy as np
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .autograd import no_grad
from .checks import check_number
from .files import write_atomically
from .nn import Module
from .tensor import Tensor

_DPI = 120


def _save(fig: Figure, path) -> str:
    """Write the figure as a PNG, atomically: never a half-written picture."""
    FigureCanvasAgg(fig)
    return write_atomically(
        path, lambda stream: fig.savefig(stream, format="png", dpi=_DPI), "plot"
    )


def loss_curve(
    history, path, title: str = "Training loss", loss_label: str = "loss (cross-entropy)"
) -> str:
    """The loss per step against the chance line log C, with accuracy on a second axis.

    Parameters
    ----------
    history : History
        A :class:`~tinygrad_xent.train.History` (``loss``, ``accuracy``, ``chance``,
        ``n_classes``).
    path : str or os.PathLike
        The PNG file to write.
    title : str
        The figure's title.
    loss_label : str
        The loss curve's legend entry.

    Returns
    -------
    str
        The path written.
    """
    steps = np.arange(len(history.loss))
    fig = Figure(figsize=(7.5, 4.6), layout="constrained")
    # A thin row under the plot holds the legend: inside the axes it would hide part of one
    # curve or the chance line (a row, not loc="outside ...", which matplotlib 3.6 lacks).
    ax, legend_ax = fig.subplots(2, 1, height_ratios=(1, 0.06))
    ax.plot(steps, history.loss, color="tab:blue", lw=1.5, label=loss_label)
    ax.axhline(
        history.chance,
        color="tab:gray",
        ls="--",
        lw=1.2,
        label=f"chance = log C = log {history.n_classes} = {history.chance:.3f}",
    )
    ax.set_xlabel("step")
    ax.set_ylabel("loss (nats)", color="tab:blue")
    ax.set_ylim(0, max(max(history.loss), history.chance) * 1.08)
    ax.grid(alpha=0.3)
    handles, labels = ax.get_legend_handles_labels()
    accuracy = np.asarray(history.accuracy, dtype=float)
    if accuracy.size and not np.isnan(accuracy).all():
        acc_ax = ax.twinx()
        acc_ax.plot(
            steps,
            100 * accuracy,
            color="tab:orange",
            lw=1.0,
            alpha=0.8,
            label="accuracy on the step's batch",
        )
        acc_ax.set_ylabel("accuracy (%)", color="tab:orange")
        acc_ax.set_ylim(0, 101)
        more_handles, more_labels = acc_ax.get_legend_handles_labels()
        handles, labels = handles + more_handles, labels + more_labels
    legend_ax.axis("off")
    legend_ax.legend(handles, labels, loc="center", ncols=len(handles), fontsize="small")
    ax.set_title(title)
    return _save(fig, path)


@no_grad()
def decision_regions(
    model: Module,
    x: np.ndarray,
    y: np.ndarray,
    path,
    title: str = "Decision regions",
    resolution: int = 300,
) -> str:
    """Colour the plane by the class ``model`` predicts there, with the data on top.

    Parameters
    ----------
    model : Module
        Maps (N, 2) points to (N, C) logits.
    x : (N, 2) array
        The points.
    y : (N,) int array
        Their class labels.
    path : str or os.PathLike
        The PNG file to write.
    title : str
        The figure's title.
    resolution : int
        Grid points per axis, >= 2.

    Returns
    -------
    str
        The path written.
    """
    resolution = check_number("decision_regions", "resolution", resolution, 2, integer=True)
    x = np.asarray(x)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"decision_regions: x must be (N, 2) points, got shape {x.shape}")
    pad = 0.1 * (x.max(axis=0) - x.min(axis=0))
    lo, hi = x.min(axis=0) - pad, x.max(axis=0) + pad
    gx, gy = np.meshgrid(
        np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
    )
    grid = np.stack([gx.ravel(), gy.ravel()], axis=1).astype(x.dtype)  # (R*R, 2)
    predicted = model(Tensor(grid)).data.argmax(axis=1).reshape(gx.shape)  # (R, R)
    n_classes = int(max(predicted.max(), np.max(y)) + 1)
    cmap = _class_cmap(n_classes)
    fig = Figure(figsize=(5.6, 5), layout="constrained")
    ax = fig.add_subplot()
    ax.contourf(
        gx,
        gy,
        predicted,
        levels=np.arange(n_classes + 1) - 0.5,
        colors=[cmap(c) for c in range(n_classes)],
        alpha=0.3,
    )
    for c in range(n_classes):
        ax.scatter(
            x[y == c, 0],
            x[y == c, 1],
            s=14,
            color=cmap(c),
            edgecolors="black",
            linewidths=0.4,
            label=f"class {c}",
        )
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_aspect("equal")
    ax.legend(
        loc="upper right",
        fontsize="small",
        title="data (shaded: prediction)",
        title_fontsize="small",
    )
    ax.set_title(title)
    return _save(fig, path)


def embeddings(z, labels, path, title: str = "Learned embeddings") -> str:
    """Scatter embeddings coloured by label, after L2 normalisation (as the losses see them).

    Two-dimensional embeddings are drawn as they are, on the unit circle; wider ones are
    projected onto their two principal directions (an SVD of the centred, normalised rows).

    Parameters
    ----------
    z : (N, d) array or Tensor
        The embeddings.
    labels : (N,) int array
        Integer labels, for the colours.
    path : str or os.PathLike
        The PNG file to write.
    title : str
        The figure's title.

    Returns
    -------
    str
        The path written.
    """
    z = np.asarray(z.data if isinstance(z, Tensor) else z, dtype=np.float64)
    labels = np.asarray(labels)
    if z.ndim != 2 or len(labels) != len(z):
        raise ValueError(
            f"embeddings: need z (N, d) and labels (N,), got {z.shape} and {labels.shape}"
        )
    u = z / np.maximum(np.linalg.norm(z, axis=1, keepdims=True), 1e-12)  # (N, d)
    if u.shape[1] > 2:
        centred = u - u.mean(axis=0)
        _, _, vt = np.linalg.svd(centred, full_matrices=False)
        points, axis_names = (
            centred @ vt[:2].T,
            ("principal direction 1", "principal direction 2"),
        )  # (N, 2)
    else:
        points, axis_names = u, ("$u_1$", "$u_2$")
    classes = np.unique(labels)
    cmap = _class_cmap(len(classes))
    fig = Figure(figsize=(5.8, 5), layout="constrained")
    ax = fig.add_subplot()
    for i, c in enumerate(classes):
        ax.scatter(
            points[labels == c, 0],
            points[labels == c, 1],
            s=10,
            color=cmap(i),
            alpha=0.75,
            label=f"{c}",
        )
    ax.set_xlabel(axis_names[0])
    ax.set_ylabel(axis_names[1])
    ax.set_aspect("equal")
    ax.legend(
        title="label",
        fontsize="small",
        markerscale=1.5,
        loc="center left",
        bbox_to_anchor=(1.0, 0.5),
    )
    ax.set_title(title)
    return _save(fig, path)


def _class_cmap(n_classes: int):
    """A qualitative colour map whose integer i is the colour of class i."""
    return colormaps["tab10" if n_classes <= 10 else "tab20"]
