"""Time the package against the fused numpy references, workload by workload.

    python benchmarks/run.py                       # everything, float32 and float64
    python benchmarks/run.py --workloads W1,W3 --dtype float32 --repeat 21
    python benchmarks/run.py --quick               # tiny sizes, a few seconds (CI)
    python benchmarks/run.py --plot benchmarks/ratios.png

Each workload runs in this one process, alternating ours and the reference (after a warm-up
of both), and the table reports the median of the repeated runs and the ratio ours /
reference. Before any timing, ours and the reference must agree on every value and gradient
(1e-5 relative in float32, 1e-10 in float64); a disagreement aborts the run, since timing two
things that compute different answers says nothing.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import os
import platform
import pstats
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))  # reference.py sits beside this file

import reference as ref  # noqa: E402

import tinygrad_xent as tx  # noqa: E402
import tinygrad_xent.functional as F  # noqa: E402
from tinygrad_xent import data, nn, optim  # noqa: E402

HERE = Path(__file__).resolve().parent
DEFAULT_JSON = HERE / "results.json"
DTYPES = {"float32": np.float32, "float64": np.float64}
# Agreement before timing: the largest difference relative to the reference's largest
# magnitude (so a gradient entry of 1e-9 is not held to 1e-5 of itself).
TOLERANCE = {"float32": 1e-5, "float64": 1e-10}
OPENBLAS_VARIABLES = (
    "OPENBLAS_CORETYPE",
    "OPENBLAS_L2_SIZE",
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
)


class Disagreement(Exception):
    """Ours and the reference computed different answers: nothing is timed."""


@dataclass
class Case:
    """One workload at one dtype, ready to time.

    ``ours`` and ``reference`` each run the workload once. ``compare`` runs both from the same
    starting point and returns (what, ours, reference) triples that must agree. Times are
    divided by ``per`` (W5 reports per op).
    """

    ours: Callable[[], object]
    reference: Callable[[], object]
    compare: Callable[[], list[tuple[str, np.ndarray, np.ndarray]]]
    per: float = 1.0


@dataclass
class Workload:
    key: str
    title: str
    unit: str  # "ms", "s" or "us/op"
    scale: float  # seconds -> unit
    target: str  # what the issue asks for, as printed
    make: Callable[[type, bool], Case]  # (dtype, quick) -> Case
    quick_title: str = ""  # the title at --quick's tiny sizes
    target_ratio: float | None = None
    target_absolute: float | None = None  # for W5, in the workload's unit


# ---- the workloads --------------------------------------------------------------------------
def _leaf(array: np.ndarray) -> tx.Tensor:
    return tx.Tensor(array, requires_grad=True)


def _cross_entropy(dtype: type, quick: bool) -> Case:
    n, c = (64, 10) if quick else (4096, 1000)
    rng = np.random.default_rng(0)
    x = rng.normal(0.0, 3.0, (n, c)).astype(dtype)
    t = rng.integers(0, c, n)
    return _loss_case(F.cross_entropy, ref.cross_entropy, x, t)


def _bce(dtype: type, quick: bool) -> Case:
    shape = (64, 10) if quick else (4096, 1000)
    rng = np.random.default_rng(1)
    x = rng.normal(0.0, 3.0, shape).astype(dtype)
    y = (rng.random(shape) < 0.3).astype(dtype)
    return _loss_case(
        F.binary_cross_entropy_with_logits, ref.binary_cross_entropy_with_logits, x, y
    )


def _loss_case(loss_fn, reference_fn, x: np.ndarray, target: np.ndarray) -> Case:
    """A loss of logits ``x`` against ``target``: ours through the tape, the reference fused."""
    logits = _leaf(x)

    def ours():
        logits.zero_grad()
        loss = loss_fn(logits, target)
        loss.backward()
        return loss

    def compare():
        loss = ours()
        ref_loss, ref_grad = reference_fn(x, target)
        return [("loss", loss.data, ref_loss), ("dlogits", logits.grad, ref_grad)]

    return Case(ours, lambda: reference_fn(x, target), compare)


TEMPERATURE = 0.5


def _nt_xent(dtype: type, quick: bool) -> Case:
    n, d = (16, 8) if quick else (512, 128)
    rng = np.random.default_rng(2)
    za = rng.normal(size=(n, d)).astype(dtype)
    zb = (za + 0.3 * rng.normal(size=(n, d))).astype(dtype)  # two views of the same samples
    a, b = _leaf(za), _leaf(zb)

    def ours():
        a.zero_grad()
        b.zero_grad()
        loss = F.nt_xent(a, b, TEMPERATURE)
        loss.backward()
        return loss

    def compare():
        loss = ours()
        ref_loss, ref_da, ref_db = ref.nt_xent(za, zb, TEMPERATURE)
        return [("loss", loss.data, ref_loss), ("dz_a", a.grad, ref_da), ("dz_b", b.grad, ref_db)]

    return Case(ours, lambda: ref.nt_xent(za, zb, TEMPERATURE), compare)


def _model_and_copy(sizes: list[int], dtype: type, seed: int):
    """Our MLP, its Linear layers, and their weights copied as (W, b) for the reference.

    Both store W as (in, out), so the copies go straight into the reference's x @ W + b.
    """
    model = nn.MLP(sizes, rng=seed, dtype=dtype)
    layers = [layer for layer in model.layers if isinstance(layer, nn.Linear)]
    params = [(np.array(layer.weight.data), np.array(layer.bias.data)) for layer in layers]
    return model, layers, params


def _sgd_step(model, optimizer, x: np.ndarray, t: np.ndarray) -> tx.Tensor:
    optimizer.zero_grad()
    loss = F.cross_entropy(model(x), t)
    loss.backward()
    optimizer.step()
    return loss


def _compare_steps(sizes, dtype, seed, x, t, lr, steps) -> list:
    """Run ``steps`` SGD steps of ours and of the reference from the same weights."""
    model, layers, params = _model_and_copy(sizes, dtype, seed)
    optimizer = optim.SGD(model.parameters(), lr=lr)
    pairs = []
    for step in range(steps):
        loss = _sgd_step(model, optimizer, x, t)
        ref_loss, ref_grads = ref.mlp_sgd_step(params, x, t, lr)
        pairs.append((f"loss at step {step}", loss.data, ref_loss))
    for i, (layer, (w, b), (dw, db)) in enumerate(zip(layers, params, ref_grads)):
        pairs += [
            (f"dW{i + 1} at the last step", layer.weight.grad, dw),
            (f"db{i + 1} at the last step", layer.bias.grad, db),
            (f"W{i + 1} after {steps} steps", layer.weight.data, w),
            (f"b{i + 1} after {steps} steps", layer.bias.data, b),
        ]
    return pairs


def _mlp_step(dtype: type, quick: bool) -> Case:
    sizes, batch = ([32, 16, 16, 10], 16) if quick else ([784, 256, 256, 10], 256)
    rng = np.random.default_rng(3)
    x = rng.normal(size=(batch, sizes[0])).astype(dtype)
    t = rng.integers(0, sizes[-1], batch)
    lr = 0.01
    model, _, params = _model_and_copy(sizes, dtype, seed=3)
    optimizer = optim.SGD(model.parameters(), lr=lr)
    return Case(
        lambda: _sgd_step(model, optimizer, x, t),
        lambda: ref.mlp_sgd_step(params, x, t, lr),
        lambda: _compare_steps(sizes, dtype, 3, x, t, lr, steps=2),
    )


CHAIN_OPS = 1000


def _chain_factors(dtype: type) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(4)
    # Multipliers and divisors close to 1 keep 250 of each from overflowing or vanishing.
    return (
        rng.uniform(0.99, 1.01, (4, 4)).astype(dtype),
        rng.normal(size=(4, 4)).astype(dtype),
        rng.normal(size=(4, 4)).astype(dtype),
        rng.uniform(0.99, 1.01, (4, 4)).astype(dtype),
    )


def _chain_case(x0: np.ndarray, operands: tuple, arrays: tuple, n_ops: int) -> Case:
    """The chain y * a, y + b, y - c, y / d on the leaf x0, ``operands`` as a, b, c, d.

    ``arrays`` are the same operands as plain arrays: the reference runs on them, and the
    gradient in closed form is computed from them.
    """
    x = _leaf(x0)
    upstream = np.ones(x0.shape, dtype=x0.dtype)

    def ours():
        x.zero_grad()
        # The same chain as the reference: its operators work on Tensors as on arrays.
        y = ref.elementwise_chain(x, operands, n_ops)
        y.backward(upstream)
        return y

    def compare():
        y = ours()
        return [
            ("chain output", y.data, ref.elementwise_chain(x0, arrays, n_ops)),
            ("dx", x.grad, ref.elementwise_chain_grad(x0, arrays, n_ops)),
        ]

    return Case(ours, lambda: ref.elementwise_chain(x0, arrays, n_ops), compare, per=n_ops)


def _chain(dtype: type, quick: bool) -> Case:
    """W5: 1,000 ops with (4, 4) Tensor constants that need no gradient."""
    factors = _chain_factors(dtype)
    x0 = np.random.default_rng(5).normal(size=(4, 4)).astype(dtype)
    constants = tuple(tx.Tensor(f) for f in factors)
    return _chain_case(x0, constants, factors, 100 if quick else CHAIN_OPS)


USER_CHAIN_OPS = 200
# What learners write: a number on either side of a Tensor (y * 1.0001, y + 0.001).
USER_FACTORS = (1.0001, 0.001, 0.0005, 1.0002)


def _number_chain(dtype: type, quick: bool) -> Case:
    """W7: 200 ops with Python numbers as a, b, c, d, as learners write them (y * 1.0001)."""
    x0 = np.random.default_rng(7).normal(size=(4, 4)).astype(dtype)
    arrays = tuple(np.full((4, 4), f, dtype) for f in USER_FACTORS)
    return _chain_case(x0, USER_FACTORS, arrays, 40 if quick else USER_CHAIN_OPS)


def _named_chain(dtype: type, quick: bool) -> Case:
    """W8: the same numbers as named 0-d Tensors, as the losses make their constants (the row
    max, 1 / temperature): explain shows them, so each op keeps a reference to them."""
    x0 = np.random.default_rng(7).normal(size=(4, 4)).astype(dtype)
    arrays = tuple(np.full((4, 4), f, dtype) for f in USER_FACTORS)
    named = tuple(tx.Tensor(np.asarray(f, dtype), name=f"c{i}") for i, f in enumerate(USER_FACTORS))
    return _chain_case(x0, named, arrays, 40 if quick else USER_CHAIN_OPS)


def _hand_step(leaves: list, x: np.ndarray, t: np.ndarray, lr: float) -> tx.Tensor:
    """One SGD step of the 2-layer MLP written with tensors, as a learner writes it."""
    (w1, b1), (w2, b2) = leaves
    h = tx.maximum(x @ w1 + b1, 0)
    loss = F.cross_entropy(h @ w2 + b2, t)
    params = (w1, b1, w2, b2)
    for p in params:
        p.zero_grad()
    loss.backward()
    with tx.no_grad():
        for p in params:
            p.data -= lr * p.grad
    return loss


def _spiral_by_hand(dtype: type, quick: bool) -> Case:
    """W9: 50 SGD steps of the 2-100-3 spiral MLP written with tensors:
    ``h = tx.maximum(x @ W1 + b1, 0)``, cross-entropy, an update under no_grad."""
    steps = 5 if quick else 50
    lr = 0.5
    x, t = data.spiral(n_per_class=100, n_classes=3, seed=6)  # (300, 2), (300,)
    x = x.astype(dtype)
    _, _, params = _model_and_copy([2, 100, 3], dtype, seed=6)
    leaves = [(_leaf(w.copy()), _leaf(b.copy())) for w, b in params]

    def ours():
        for _ in range(steps):
            loss = _hand_step(leaves, x, t, lr)
        return loss

    def reference():
        for _ in range(steps):
            loss, _ = ref.mlp_sgd_step(params, x, t, lr)
        return loss

    def compare():
        pairs = []
        for i in range(3):
            loss = _hand_step(leaves, x, t, lr)
            ref_loss, _ = ref.mlp_sgd_step(params, x, t, lr)
            pairs.append((f"loss at step {i}", loss.data, ref_loss))
        for i, ((w, b), (w_ref, b_ref)) in enumerate(zip(leaves, params)):
            pairs += [(f"W{i + 1}", w.data, w_ref), (f"b{i + 1}", b.data, b_ref)]
        return pairs

    return Case(ours, reference, compare)


def _spiral(dtype: type, quick: bool) -> Case:
    steps = 20 if quick else 1000
    sizes = [2, 100, 3]
    lr = 0.5
    x, t = data.spiral(n_per_class=100, n_classes=3, seed=6)  # (300, 2), (300,)
    x = x.astype(dtype)
    model, _, params = _model_and_copy(sizes, dtype, seed=6)
    optimizer = optim.SGD(model.parameters(), lr=lr)

    def ours():
        for _ in range(steps):
            loss = _sgd_step(model, optimizer, x, t)
        return loss

    def reference():
        for _ in range(steps):
            loss, _ = ref.mlp_sgd_step(params, x, t, lr)
        return loss

    return Case(ours, reference, lambda: _compare_steps(sizes, dtype, 6, x, t, lr, steps=5))


WORKLOADS = [
    Workload(
        "W1",
        "cross-entropy fwd+bwd, logits (4096, 1000)",
        "ms",
        1e3,
        "<= 1.3x",
        _cross_entropy,
        "cross-entropy fwd+bwd, logits (64, 10)",
        target_ratio=1.3,
    ),
    Workload(
        "W2",
        "BCE with logits fwd+bwd, (4096, 1000)",
        "ms",
        1e3,
        "<= 1.3x",
        _bce,
        "BCE with logits fwd+bwd, (64, 10)",
        target_ratio=1.3,
    ),
    Workload(
        "W3",
        "NT-Xent fwd+bwd, z_a, z_b (512, 128)",
        "ms",
        1e3,
        "<= 1.2x",
        _nt_xent,
        "NT-Xent fwd+bwd, z_a, z_b (16, 8)",
        target_ratio=1.2,
    ),
    Workload(
        "W4",
        "SGD step, MLP 784-256-256-10, batch 256",
        "ms",
        1e3,
        "<= 1.1x",
        _mlp_step,
        "SGD step, MLP 32-16-16-10, batch 16",
        target_ratio=1.1,
    ),
    Workload(
        "W5",
        "1,000 elementwise ops on (4, 4), fwd+bwd",
        "us/op",
        1e6,
        "<= 4 us/op",
        _chain,
        "100 elementwise ops on (4, 4), fwd+bwd",
        target_absolute=4.0,
    ),
    Workload(
        "W6",
        "spiral: 1,000 SGD steps, MLP 2-100-3",
        "s",
        1.0,
        "<= 1.3x",
        _spiral,
        "spiral: 20 SGD steps, MLP 2-100-3",
        target_ratio=1.3,
    ),
    Workload(
        "W7",
        "200 ops on (4, 4) with Python numbers (y * 1.0001, y + 0.001)",
        "us/op",
        1e6,
        "<= 4 us/op",
        _number_chain,
        "40 ops on (4, 4) with Python numbers",
        target_absolute=4.0,
    ),
    Workload(
        "W8",
        "200 ops on (4, 4) with named 0-d constants",
        "us/op",
        1e6,
        "<= 4 us/op",
        _named_chain,
        "40 ops on (4, 4) with named 0-d constants",
        target_absolute=4.0,
    ),
    Workload(
        "W9",
        "spiral by hand: 50 SGD steps, tx.maximum(h, 0), cross-entropy",
        "ms",
        1e3,
        "<= 1.3x",
        _spiral_by_hand,
        "spiral by hand: 5 SGD steps",
        target_ratio=1.3,
    ),
]


# ---- agreement --------------------------------------------------------------------------------
def check_agreement(case: Case, dtype_name: str, label: str) -> float:
    """Raise Disagreement unless every (ours, reference) pair agrees; return the worst error.

    Both sides must also have the dtype asked for: a float32 workload that comes back float64
    was silently promoted somewhere.
    """
    tolerance = TOLERANCE[dtype_name]
    worst = 0.0
    for what, ours, expected in case.compare():
        ours, expected = np.asarray(ours), np.asarray(expected)
        for side, array in (("ours", ours), ("reference", expected)):
            if array.dtype != np.dtype(dtype_name):
                raise Disagreement(
                    f"{label}: {what} of {side} has dtype {array.dtype}, expected {dtype_name}"
                )
        if ours.shape != expected.shape:
            raise Disagreement(
                f"{label}: {what} has shape {ours.shape} in ours but "
                f"{expected.shape} in the reference"
            )
        scale = float(np.max(np.abs(expected), initial=0.0)) or 1.0
        error = float(np.max(np.abs(ours.astype(np.float64) - expected), initial=0.0)) / scale
        if not error <= tolerance:  # also catches nan
            raise Disagreement(
                f"{label}: {what} differs from the fused reference: largest "
                f"difference {error:.3g} of the reference's largest magnitude, "
                f"more than the {tolerance:g} allowed in {dtype_name}"
            )
        worst = max(worst, error)
    return worst


# ---- timing -----------------------------------------------------------------------------------
def _time_once(fn: Callable[[], object]) -> float:
    gc.collect()  # a collection left over from the other side should not land in this sample
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def time_case(case: Case, repeat: int, warmup: int) -> tuple[list[float], list[float]]:
    """Alternate ours and the reference ``repeat`` times after ``warmup`` runs of each.

    Who goes first swaps every round, so neither side always meets a warm or a cold cache.
    """
    for _ in range(warmup):
        case.ours()
        case.reference()
    ours, reference = [], []
    for round_ in range(repeat):
        if round_ % 2 == 0:
            ours.append(_time_once(case.ours))
            reference.append(_time_once(case.reference))
        else:
            reference.append(_time_once(case.reference))
            ours.append(_time_once(case.ours))
    return ours, reference


def peak_memory(fn: Callable[[], object]) -> int:
    """The most bytes ``fn`` held at once beyond what existed before it ran (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        fn()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak - before


def measure_w1_memory(dtype: type, quick: bool) -> dict:
    """Peak memory of one W1 forward + backward, as a multiple of the logits' size.

    The gradient of the logits is part of the result, so 1x is the floor for either side.
    """
    case = _cross_entropy(dtype, quick)
    logits_bytes = (64 * 10 if quick else 4096 * 1000) * np.dtype(dtype).itemsize
    return {
        "ours": peak_memory(case.ours) / logits_bytes,
        "reference": peak_memory(case.reference) / logits_bytes,
    }


def _function_name(filename: str, function: str) -> str:
    """A readable name for a profiled function: ``tensor.py:_exp_backward``."""
    if filename == "~":  # a built-in, such as numpy's C functions
        return function
    return f"{Path(filename).name}:{function}"


def profile(case: Case, label: str, top: int) -> None:
    """Print the ``top`` functions where one run of ours spends its own time (cProfile)."""
    profiler = cProfile.Profile()
    profiler.runcall(case.ours)
    stats = pstats.Stats(profiler).stats  # (file, line, function) -> (cc, calls, own, cum, _)
    total = sum(own for _, _, own, _, _ in stats.values())
    print(
        f"  {label}, one run of ours under cProfile: {total * 1e3:.1f} ms; own time of the "
        f"top {top} functions:"
    )
    ranked = sorted(stats.items(), key=lambda item: -item[1][2])[:top]
    for (filename, _, function), (_, calls, own, _, _) in ranked:
        print(
            f"    {own * 1e3:8.2f} ms {own / total:6.1%} {calls:>6} calls  "
            f"{_function_name(filename, function)}"
        )


# ---- the machine ------------------------------------------------------------------------------
def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def blas_info() -> str:
    """The BLAS numpy uses: threadpoolctl's report when installed, else numpy's build config."""
    try:
        import threadpoolctl
    except ImportError:
        threadpoolctl = None
    if threadpoolctl is not None:
        pools = [p for p in threadpoolctl.threadpool_info() if p.get("user_api") == "blas"]
        if pools:
            return "; ".join(
                f"{p.get('internal_api')} {p.get('version')} "
                f"({p.get('num_threads')} threads, {p.get('architecture')})"
                for p in pools
            )
    try:
        config = np.show_config(mode="dicts")
        blas = config["Build Dependencies"]["blas"]
        return f"{blas.get('name')} {blas.get('version')} (numpy build config)"
    except (TypeError, KeyError):
        return "unknown"


def machine() -> dict:
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "blas": blas_info(),
        "environment": {name: os.environ.get(name, "unset") for name in OPENBLAS_VARIABLES},
    }


# ---- report -----------------------------------------------------------------------------------
def _verdict(workload: Workload, ours: float, ratio: float) -> str:
    if workload.target_absolute is not None:
        return "met" if ours <= workload.target_absolute else "missed"
    return "met" if ratio <= workload.target_ratio else "missed"


def format_table(rows: list[dict], memory: list[dict]) -> str:
    """The results as a fixed-width text table, one row per workload and dtype."""
    header = f"{'':4}{'workload':<44}{'dtype':<9}{'ours':>12}{'reference':>12}{'ratio':>8}  target"
    lines = [header, "-" * (len(header) + 20)]
    for row in rows:
        ours, reference = (f"{row[side]:.3g} {row['unit']}" for side in ("ours", "reference"))
        lines.append(
            f"{row['key']:<4}{row['title']:<44}{row['dtype']:<9}{ours:>12}"
            f"{reference:>12}{row['ratio']:>7.2f}x  {row['target']} "
            f"({row['verdict']})"
        )
    for row in memory:
        ours, reference = f"{row['ours']:.2f}x", f"{row['reference']:.2f}x"
        lines.append(
            f"{'W1':<4}{'peak memory, multiple of the logits size':<44}"
            f"{row['dtype']:<9}{ours:>12}{reference:>12}"
            f"{row['ours'] / row['reference']:>7.2f}x  <= 4x ({row['verdict']})"
        )
    return "\n".join(lines)


def plot_ratios(rows: list[dict], path: Path) -> None:
    """Bars of ours / reference per workload and dtype, on a log scale with the targets."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    keys = list(dict.fromkeys(row["key"] for row in rows))
    dtypes = list(dict.fromkeys(row["dtype"] for row in rows))
    figure = Figure(figsize=(8, 4.5))
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    width = 0.8 / len(dtypes)
    for j, dtype_name in enumerate(dtypes):
        ratios = {row["key"]: row["ratio"] for row in rows if row["dtype"] == dtype_name}
        positions = [i + (j - (len(dtypes) - 1) / 2) * width for i in range(len(keys))]
        axes.bar(positions, [ratios.get(k, np.nan) for k in keys], width, label=dtype_name)
    for i, key in enumerate(keys):
        target = next(w.target_ratio for w in WORKLOADS if w.key == key)
        if target is not None:
            axes.hlines(target, i - 0.45, i + 0.45, colors="black", linestyles="dashed")
    axes.axhline(1.0, color="grey", linewidth=0.8)
    axes.set_yscale("log")
    axes.set_xticks(range(len(keys)))
    axes.set_xticklabels([f"{k}\n{'us/op vs raw numpy' if k == 'W5' else ''}" for k in keys])
    axes.set_ylabel("time ours / fused numpy reference (median)")
    axes.set_title("tinygrad_xent vs hand-fused numpy (dashed: target)")
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=120)


# ---- command line -----------------------------------------------------------------------------
def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--workloads",
        default=",".join(w.key for w in WORKLOADS),
        help="comma-separated workloads to run (default: all, W1..W6)",
    )
    parser.add_argument("--dtype", choices=["float32", "float64", "both"], default="both")
    parser.add_argument(
        "--repeat",
        type=int,
        default=None,
        help="timed runs of each side (default 11, or 3 with --quick)",
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=None,
        help="untimed runs of each side first (default 2, or 1 with --quick)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="tiny sizes and few runs: checks the suite works, times nothing "
        "meaningful; writes JSON only if --json is given",
    )
    parser.add_argument(
        "--json",
        type=Path,
        default=None,
        help=f"where to write the results (default {DEFAULT_JSON.name} beside this script)",
    )
    parser.add_argument("--plot", type=Path, default=None, help="draw the ratios to this file")
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="TOP",
        help="also print the TOP functions of one profiled run of ours for "
        "each workload (cProfile)",
    )
    args = parser.parse_args(argv)
    known = {w.key for w in WORKLOADS}
    args.workloads = [k.strip().upper() for k in args.workloads.split(",") if k.strip()]
    unknown = [k for k in args.workloads if k not in known]
    if unknown:
        parser.error(
            f"--workloads: unknown {', '.join(unknown)}; choose from {', '.join(sorted(known))}"
        )
    if args.repeat is None:
        args.repeat = 3 if args.quick else 11
    if args.warmup is None:
        args.warmup = 1 if args.quick else 2
    if args.repeat < 1 or args.warmup < 0:
        parser.error(
            f"--repeat must be >= 1 and --warmup >= 0, got {args.repeat} and {args.warmup}"
        )
    if args.json is None and not args.quick:
        args.json = DEFAULT_JSON
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    dtype_names = ["float32", "float64"] if args.dtype == "both" else [args.dtype]
    info = machine()
    print(
        f"machine: {info['cpu']}, {info['cores']} cores; Python {info['python']}, "
        f"numpy {info['numpy']}"
    )
    print(f"BLAS: {info['blas']}")
    print("environment: " + ", ".join(f"{k}={v}" for k, v in info["environment"].items()))
    if args.quick:
        print("--quick: tiny sizes, the times below mean nothing")
    print()

    selected = [w for w in WORKLOADS if w.key in args.workloads]
    rows, memory = [], []
    for workload in selected:
        for dtype_name in dtype_names:
            label = f"{workload.key} {dtype_name}"
            case = workload.make(DTYPES[dtype_name], args.quick)
            try:
                error = check_agreement(case, dtype_name, label)
            except Disagreement as problem:
                print(f"aborting before timing: {problem}", file=sys.stderr)
                return 1
            ours, reference = time_case(case, args.repeat, args.warmup)
            ours_median = float(np.median(ours)) * workload.scale / case.per
            ref_median = float(np.median(reference)) * workload.scale / case.per
            ratio = ours_median / ref_median
            title = workload.quick_title if args.quick else workload.title
            rows.append(
                {
                    "key": workload.key,
                    "title": title,
                    "dtype": dtype_name,
                    "unit": workload.unit,
                    "ours": ours_median,
                    "reference": ref_median,
                    "ratio": ratio,
                    "target": workload.target,
                    "verdict": _verdict(workload, ours_median, ratio),
                    "agreement_error": error,
                }
            )
            print(
                f"{label}: ours {ours_median:.4g} {workload.unit}, reference "
                f"{ref_median:.4g} {workload.unit}, ratio {ratio:.2f}x "
                f"(agreed to {error:.1e})",
                flush=True,
            )
            if args.profile:
                profile(case, label, args.profile)
        if workload.key == "W1":
            for dtype_name in dtype_names:
                peak = measure_w1_memory(DTYPES[dtype_name], args.quick)
                peak["dtype"] = dtype_name
                peak["verdict"] = "met" if peak["ours"] <= 4.0 else "missed"
                memory.append(peak)

    print()
    print(format_table(rows, memory))
    if args.json is not None:
        settings = {"repeat": args.repeat, "warmup": args.warmup, "quick": args.quick}
        args.json.write_text(
            json.dumps(
                {"machine": info, "settings": settings, "results": rows, "w1_peak_memory": memory},
                indent=2,
            )
            + "\n"
        )
        print(f"\nwrote {args.json}")
    if args.plot is not None:
        plot_ratios(rows, args.plot)
        print(f"drew {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
