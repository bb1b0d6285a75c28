"""Every cache is bounded, and memory after a call returns to where it was."""

import gc
import importlib
import pkgutil
import tracemalloc

import numpy as np
import pytest

import tinygrad_xent
import tinygrad_xent.functional as F
from tinygrad_xent import data, nn, train

MODULES = [
    importlib.import_module(f"tinygrad_xent.{m.name}")
    for m in pkgutil.iter_modules(tinygrad_xent.__path__)
    if m.name not in ("__main__", "cli")
] + [importlib.import_module("tinygrad_xent.cli")]


def _caches():
    """Every functools cache defined at module level in the package."""
    return [
        (module.__name__, name, value)
        for module in MODULES
        for name, value in vars(module).items()
        if callable(value) and hasattr(value, "cache_info")
    ]


def test_there_is_a_cache_to_check():
    # nt_xent's diagonal push is the one cache today; the test below must see it.
    assert ("tinygrad_xent.functional", "_cached_diagonal_push") in [
        (m, n) for m, n, _ in _caches()
    ]


@pytest.mark.parametrize("module, name, cache", _caches(), ids=[n for _, n, _ in _caches()])
def test_every_functools_cache_has_a_size_limit(module, name, cache):
    assert cache.cache_parameters()["maxsize"] is not None, f"{module}.{name} is unbounded"


def test_the_diagonal_cache_holds_only_small_arrays():
    F._cached_diagonal_push.cache_clear()
    for n in (1, 2, 50, 181, 182, 300, 1000):
        z = np.ones((n, 2))
        F.nt_xent(z, z)
    kept = F._cached_diagonal_push.cache_info().currsize
    assert kept <= F._cached_diagonal_push.cache_parameters()["maxsize"]
    # 2N x 2N float64: N = 181 is 362^2 * 8 bytes = 1.0 MiB and kept; N = 182 is not.
    assert kept == 4


def _containers():
    """Lengths of every module-level dict, list and set: none may grow with use."""
    return {
        (module.__name__, name): len(value)
        for module in MODULES
        for name, value in vars(module).items()
        if isinstance(value, (dict, list, set)) and not name.startswith("__")
    }


def test_module_level_containers_do_not_grow_with_use(tmp_path):
    before = _containers()
    for n in (3, 7, 400):
        z = np.random.default_rng(n).standard_normal((n, 4))
        F.nt_xent(z, z[::-1])
        F.supcon(np.vstack([z, z]), np.arange(2 * n) % 3)
        F.cross_entropy(z, np.arange(n) % 4)
    x, y = data.blobs(10, 3, seed=0)
    model = nn.MLP([2, 5, 3], rng=0)
    train.fit(model, x, y, steps=3, log_every=0)
    tinygrad_xent.save(model, tmp_path / "m.npz")
    model.load_state_dict(tinygrad_xent.load(tmp_path / "m.npz"))
    assert _containers() == before


@pytest.mark.parametrize("n, dtype", [(1024, np.float64), (1500, np.float32)])
def test_memory_after_a_large_nt_xent_returns_to_where_it_was(n, dtype):
    rng = np.random.default_rng(0)
    z_a = tinygrad_xent.Tensor(rng.standard_normal((n, 8)).astype(dtype), requires_grad=True)
    z_b = rng.standard_normal((n, 8)).astype(dtype)
    F.nt_xent(z_a[:2], z_b[:2]).backward()  # warm up whatever is made once
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        loss = F.nt_xent(z_a, z_b)
        loss.backward()
        peak = tracemalloc.get_traced_memory()[1]
        del loss
        z_a.grad = None
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    matrix = (2 * n) ** 2 * np.dtype(dtype).itemsize
    assert peak - before > matrix  # the call did make (2N)^2 arrays: the test can see them
    assert after - before < 64 * 1024  # and none of them is kept afterwards
