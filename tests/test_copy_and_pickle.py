"""Values that survive a copy: every exception class, tensors, models, optimizers, histories.

A sweep in a process pool pickles what a worker raises or returns; copy.deepcopy copies a model
to keep its best weights. Every exception class the package defines (found by walking its
modules, so a new one is covered) must round-trip through pickle as itself, with its message
and attributes; a leaf Tensor copies with its data, grad, requires_grad and name; a tensor made
by an op is refused with a clear TypeError, whatever the length of its graph (its history is
not copied, as in PyTorch), never a RecursionError.
"""

import concurrent.futures
import copy
import importlib
import inspect
import math
import pickle
import pkgutil

import numpy as np
import pytest

import tinygrad_xent as tx
from tinygrad_xent import data, nn, optim, train


def package_exceptions():
    found = {}
    for info in pkgutil.walk_packages(tx.__path__, tx.__name__ + "."):
        if info.name.endswith("__main__"):  # importing it runs the command line
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and value.__module__.startswith(tx.__name__)
            ):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return found


EXCEPTIONS = package_exceptions()
ARGUMENTS = {train.Diverged: (7, math.nan, 0.25, "optimizer")}


def test_the_walk_finds_the_exception_classes():
    assert train.Diverged in EXCEPTIONS.values()
    assert len(EXCEPTIONS) >= 6


@pytest.mark.parametrize("name", sorted(EXCEPTIONS))
@pytest.mark.parametrize("copier", ["pickle", "deepcopy"])
def test_every_exception_class_round_trips(name, copier):
    cls = EXCEPTIONS[name]
    err = cls(*ARGUMENTS.get(cls, ("what went wrong",)))
    back = pickle.loads(pickle.dumps(err)) if copier == "pickle" else copy.deepcopy(err)
    assert type(back) is cls and str(back) == str(err)
    assert {k: repr(v) for k, v in vars(back).items()} == {k: repr(v) for k, v in vars(err).items()}


@pytest.mark.parametrize("step", [0, 5])
def test_diverged_keeps_its_fields_and_message(step):
    err = train.Diverged(step, math.inf, 1.5)
    back = pickle.loads(pickle.dumps(err))
    assert (back.step, back.loss, back.last_finite, back.cause) == (
        err.step,
        err.loss,
        err.last_finite,
        err.cause,
    )


def diverging_run(lr):
    x, y = data.blobs(seed=0)
    model = nn.MLP([2, 8, 3], rng=0)
    return train.fit(
        model, x, y, optimizer=optim.SGD(model.parameters(), lr=lr), steps=30, log_every=0
    )


def test_a_divergence_in_a_process_pool_arrives_as_diverged():
    with concurrent.futures.ProcessPoolExecutor(max_workers=1) as pool:
        future = pool.submit(diverging_run, 1e6)
        with pytest.raises(train.Diverged, match="smaller learning rate"):
            future.result(timeout=120)
        history = pool.submit(diverging_run, 0.1).result(timeout=120)  # the pool still works
    assert len(history.loss) == 30


# ---- tensors ----------------------------------------------------------------------------------
COPIERS = {
    "pickle": lambda t: pickle.loads(pickle.dumps(t)),
    "deepcopy": copy.deepcopy,
    "copy": copy.copy,
}


@pytest.mark.parametrize("copier", COPIERS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64, np.bool_])
def test_a_leaf_copies_with_everything_it_holds(copier, dtype):
    floating = np.dtype(dtype).kind == "f"
    t = tx.Tensor(np.arange(6).reshape(2, 3).astype(dtype), requires_grad=floating, name="w")
    if floating:
        t.grad = np.full((2, 3), 0.5, dtype)
    back = COPIERS[copier](t)
    assert type(back) is tx.Tensor and back.node is None
    assert back.dtype == t.dtype and back.requires_grad == t.requires_grad and back.name == "w"
    np.testing.assert_array_equal(back.data, t.data)
    assert (back.grad is None) == (t.grad is None)
    if copier != "copy":  # a deep copy owns its arrays
        back.data[...] = 0
        assert t.data.any() or not np.arange(6).astype(dtype).any()


@pytest.mark.parametrize("copier", COPIERS)
@pytest.mark.parametrize("length", [1, 100, 5000])
def test_a_tensor_made_by_an_op_is_refused_clearly(copier, length):
    x = tx.Tensor(np.ones(3), requires_grad=True)
    y = x
    for _ in range(length):
        y = y * 1.0
    with pytest.raises(TypeError, match=r"made by an op \(mul\).*detach"):
        COPIERS[copier](y)
    back = COPIERS[copier](y.detach())  # the way out the message names
    np.testing.assert_array_equal(back.data, y.data)


def test_a_tensor_made_under_no_grad_is_a_leaf_and_copies():
    with tx.no_grad():
        y = tx.Tensor(np.ones(3), requires_grad=True) * 2.0
    np.testing.assert_array_equal(copy.deepcopy(y).data, np.full(3, 2.0))


# ---- what holds tensors -----------------------------------------------------------------------
def test_models_optimizers_and_histories_copy():
    x, y = data.blobs(seed=0)
    model = nn.MLP([2, 8, 3], rng=0)
    opt = optim.Adam(model.parameters(), lr=0.01)
    history = train.fit(model, x, y, optimizer=opt, steps=5, log_every=0)
    for copier in (COPIERS["pickle"], copy.deepcopy):
        model2, opt2, history2 = copier((model, opt, history))
        np.testing.assert_array_equal(model2(tx.Tensor(x)).data, model(tx.Tensor(x)).data)
        assert history2.loss == history.loss
        assert all(a is b for a, b in zip(opt2.params, model2.parameters()))
        opt2.zero_grad()
        opt2.step()  # the copy steps on its own parameters
