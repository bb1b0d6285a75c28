"""No silently wrong number: means over nothing, dropped checkpoint keys, a parameter updated
twice, None taken for nan, a Tensor that numpy cannot see into or that is always true."""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_xent as tx
import tinygrad_xent.functional as F
from tinygrad_xent import nn
from tinygrad_xent.optim import SGD, Adam

RNG = np.random.default_rng(0)
X = RNG.standard_normal((4, 3))


# ---- a mean over no sample: nan, with a gradient of exactly 0 (as in PyTorch) ----------------
EMPTY_MEANS = {
    "cross_entropy, every target ignore_index": lambda x, r: F.cross_entropy(
        x, np.full(4, -100), reduction=r
    ),
    "cross_entropy, a custom ignore_index": lambda x, r: F.cross_entropy(
        x, np.full(4, 2), ignore_index=2, reduction=r
    ),
    "cross_entropy, class weights 0 for every target": lambda x, r: F.cross_entropy(
        x, np.array([0, 1, 0, 1]), weight=[0.0, 0.0, 1.0], reduction=r
    ),
    "cross_entropy, every target ignored, label smoothing": lambda x, r: F.cross_entropy(
        x, np.full(4, -100), label_smoothing=0.1, reduction=r
    ),
    "cross_entropy, every target ignored, class weights, label smoothing": lambda x, r: (
        F.cross_entropy(
            x, np.full(4, -100), weight=[0.0, 1.0, 2.0], label_smoothing=0.2, reduction=r
        )
    ),
    "cross_entropy, (N, C, d) every target ignored": lambda x, r: F.cross_entropy(
        x.reshape(2, 3, 2), np.full((2, 2), -100), reduction=r
    ),
    "nll_loss, every target ignored": lambda x, r: F.nll_loss(
        F.log_softmax(x), np.full(4, -100), reduction=r
    ),
    "nll_loss, class weights 0": lambda x, r: F.nll_loss(
        F.log_softmax(x), np.array([1, 1, 1, 1]), weight=[1.0, 0.0, 1.0], reduction=r
    ),
}


@pytest.mark.parametrize("loss_of", EMPTY_MEANS.values(), ids=EMPTY_MEANS.keys())
def test_mean_over_nothing_is_nan_with_zero_gradient(loss_of):
    x = tx.Tensor(X.copy(), requires_grad=True)
    with np.errstate(all="raise"):  # no 0/0 anywhere on the way, forward or backward
        loss = loss_of(x, "mean")
        loss.backward()
    assert np.isnan(loss.item())
    np.testing.assert_array_equal(x.grad, np.zeros_like(X))


@pytest.mark.parametrize("loss_of", EMPTY_MEANS.values(), ids=EMPTY_MEANS.keys())
def test_sum_over_nothing_is_zero_with_zero_gradient(loss_of):
    x = tx.Tensor(X.copy(), requires_grad=True)
    loss = loss_of(x, "sum")
    loss.backward()
    assert loss.item() == 0.0
    np.testing.assert_array_equal(x.grad, np.zeros_like(X))


def test_one_step_after_an_all_ignored_batch_leaves_the_parameters_alone():
    model = nn.MLP([3, 5, 3], rng=0)
    before = [p.data.copy() for p in model.parameters()]
    opt = SGD(model.parameters(), lr=0.5, momentum=0.9)
    loss = F.cross_entropy(model(X), np.full(4, -100))
    loss.backward()
    opt.step()
    for p, old in zip(model.parameters(), before):
        np.testing.assert_array_equal(p.data, old)


@pytest.mark.parametrize(
    "loss_of",
    [
        lambda x: F.cross_entropy(x, np.zeros(0, int)),
        lambda x: F.cross_entropy(x, np.zeros((0, 3))),
        lambda x: F.nll_loss(x, np.zeros(0, int)),
        lambda x: F.multi_margin_loss(x, np.zeros(0, int)),
        lambda x: F.binary_cross_entropy_with_logits(x, np.zeros((0, 3))),
        lambda x: F.binary_cross_entropy(F.sigmoid(x), np.zeros((0, 3))),
    ],
    ids=[
        "cross_entropy",
        "cross_entropy probs",
        "nll_loss",
        "multi_margin_loss",
        "bce_with_logits",
        "bce",
    ],
)
def test_empty_batch_mean_is_nan_without_warnings(loss_of):
    x = tx.Tensor(np.zeros((0, 3)), requires_grad=True)
    with np.errstate(all="raise"):
        loss = loss_of(x)
        loss.backward()
    assert np.isnan(loss.item()) and x.grad.shape == (0, 3)


def test_partly_ignored_mean_divides_by_the_kept_weight():
    # The fix for "nothing kept" must not touch the usual case: the formula written out.
    target = np.array([0, -100, 2, 1])
    w = np.array([0.5, 2.0, 1.0])
    loss = F.cross_entropy(X, target, weight=w).item()
    logp = X - np.log(np.exp(X).sum(axis=1, keepdims=True))
    kept = target != -100
    expected = -(w[target[kept]] * logp[kept, target[kept]]).sum() / w[target[kept]].sum()
    assert loss == pytest.approx(expected, rel=1e-13)


def test_supcon_without_any_positive_is_an_error_not_a_number():
    with pytest.raises(ValueError, match="supcon: no anchor has a positive"):
        F.supcon(X, [0, 1, 2, 3])


# ---- checkpoint keys that np.savez would take for its own arguments -------------------------
@pytest.mark.parametrize(
    "name",
    ["file", "allow_pickle", "arr_0", "args", "kwds", "w.npy", "", "a/b", "../up", "ünïcode"],
)
def test_every_key_round_trips(tmp_path, name):
    state = {name: np.arange(3.0), "other": np.ones(2)}
    loaded = tx.load(tx.save(state, tmp_path / "c.npz"))
    assert sorted(loaded) == sorted(state)
    np.testing.assert_array_equal(loaded[name], state[name])


def test_a_key_and_the_key_with_npy_stay_apart(tmp_path):
    state = {"w": np.zeros(1), "w.npy": np.ones(1)}
    loaded = tx.load(tx.save(state, tmp_path / "c.npz"))
    assert loaded["w"][0] == 0.0 and loaded["w.npy"][0] == 1.0


def test_numpy_reads_what_save_writes(tmp_path):
    path = tx.save({"w": np.arange(6.0).reshape(2, 3)}, tmp_path / "c.npz")
    with np.load(path, allow_pickle=False) as archive:
        np.testing.assert_array_equal(archive["w"], np.arange(6.0).reshape(2, 3))


@given(
    st.dictionaries(
        st.text(
            st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12
        ),
        st.integers(-5, 5),
        max_size=6,
    )
)
def test_any_names_round_trip(tmp_path_factory, state):
    path = tmp_path_factory.mktemp("c") / "c.npz"
    loaded = tx.load(tx.save({k: np.array(v) for k, v in state.items()}, path))
    assert {k: int(v) for k, v in loaded.items()} == state


@pytest.mark.parametrize("name", ["a\x00b", "\ud800"])
def test_names_a_zip_cannot_hold_are_refused(tmp_path, name):
    with pytest.raises(ValueError, match="save: entry .* cannot be a name in a zip file"):
        tx.save({name: np.ones(1)}, tmp_path / "c.npz")


# ---- a parameter given twice --------------------------------------------------------------
@pytest.mark.parametrize(
    "make", [lambda ps: SGD(ps, lr=0.1), lambda ps: Adam(ps)], ids=["SGD", "Adam"]
)
@pytest.mark.parametrize(
    "arrange",
    [
        lambda p, q: [p, q, p],
        lambda p, q: [{"params": [p, q]}, {"params": [p]}],
        lambda p, q: [{"params": [q, q]}],
    ],
    ids=["one list", "two groups", "one group"],
)
def test_a_parameter_given_twice_is_refused(make, arrange):
    p = tx.Tensor(np.ones(2), requires_grad=True)
    q = tx.Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(ValueError, match=r"is given twice .* update it twice"):
        make(arrange(p, q))


def test_add_param_group_refuses_a_held_parameter():
    p = tx.Tensor(np.ones(2), requires_grad=True)
    opt = SGD([p], lr=0.1)
    with pytest.raises(ValueError, match=r"param_groups\[1\]\['params'\]\[0\] is given twice"):
        opt.add_param_group({"params": [p]})
    assert len(opt.param_groups) == 1


def test_shared_layer_is_listed_once_so_it_steps_once():
    layer = nn.Linear(2, 2, rng=0)
    model = nn.Sequential(layer, layer)
    start = layer.weight.data.copy()
    opt = SGD(model.parameters(), lr=1.0)
    layer.weight.grad = np.ones((2, 2))
    opt.step()
    np.testing.assert_array_equal(layer.weight.data, start - 1.0)


# ---- the Tensor: no None as nan, numpy sees its data, truth as numpy's -------------------------
@pytest.mark.parametrize(
    "data, shown",
    [
        (None, "None"),
        ([1.0, None], r"\[1.0, None\]"),
        ("1.5", "'1.5'"),
        ({"a": 1}, "dict"),
        (object(), "object"),
    ],
)
def test_tensor_refuses_what_is_not_numbers(data, shown):
    with pytest.raises(TypeError, match=rf"Tensor: data must be .*got .*{shown}"):
        tx.Tensor(data)


def test_tensor_refuses_a_ragged_list():
    with pytest.raises(ValueError, match="Tensor: data must be .* rows differ in length"):
        tx.Tensor([[1.0, 2.0], [3.0]])


@pytest.mark.parametrize(
    "combine",
    [
        lambda t: t + None,
        lambda t: None + t,
        lambda t: t - None,
        lambda t: None - t,
        lambda t: t * None,
        lambda t: None * t,
        lambda t: t / None,
        lambda t: None / t,
        lambda t: t @ None,
        lambda t: None @ t,
        lambda t: t + "a",
        lambda t: t * {"a": 1},
    ],
)
def test_arithmetic_with_a_non_number_is_a_type_error_naming_it(combine):
    t = tx.Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match="NoneType|str|dict"):
        combine(t)


def test_an_operand_list_holding_none_is_refused():
    with pytest.raises(TypeError, match=r"an operand must be .*got \[1.0, None\]"):
        tx.Tensor([1.0, 2.0]) + [1.0, None]


def test_numbers_and_lists_still_combine():
    t = tx.Tensor([1.0, 2.0])
    np.testing.assert_array_equal((t + 1).data, [2.0, 3.0])
    np.testing.assert_array_equal((2.0 * t).data, [2.0, 4.0])
    np.testing.assert_array_equal((t * [3, 4]).data, [3.0, 8.0])
    np.testing.assert_array_equal((np.ones(2) - t).data, [0.0, -1.0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
def test_numpy_sees_the_data(dtype):
    t = tx.Tensor(np.arange(6).reshape(2, 3).astype(dtype))
    array = np.asarray(t)
    assert array.dtype == dtype and array is t.data
    np.testing.assert_array_equal(np.asarray(t, dtype=np.float64), np.arange(6.0).reshape(2, 3))
    copied = np.array(t)  # np.array copies by default, through __array__ or after it
    copied[0, 0] = 99
    assert t.data[0, 0] == 0
    assert np.stack([t, t]).shape == (2, 2, 3)


def test_numpy_copy_keywords():
    t = tx.Tensor(np.arange(3.0))
    assert t.__array__(copy=True) is not t.data
    assert t.__array__(copy=False) is t.data
    with pytest.raises(ValueError, match="copy=False"):
        t.__array__(np.float32, copy=False)


def test_an_array_on_the_left_of_a_tensor_gives_a_tensor():
    t = tx.Tensor([1.0, 2.0], requires_grad=True)
    out = np.ones(2) * t
    assert isinstance(out, tx.Tensor) and out.requires_grad


@pytest.mark.parametrize(
    "data, truth",
    [([0.0], False), ([2.0], True), (0.0, False), (-1.0, True), ([[1.0]], True), ([np.nan], True)],
)
def test_truth_of_one_element_is_its_value(data, truth):
    assert bool(tx.Tensor(data)) is truth
    assert bool(np.array(data)) is truth  # numpy agrees


@pytest.mark.parametrize("data", [[0.0, 1.0], [[1.0, 1.0]], np.ones((2, 2))])
def test_truth_of_several_elements_is_ambiguous(data):
    with pytest.raises(ValueError, match=r"truth value of a tensor of shape .* is ambiguous"):
        bool(tx.Tensor(data))


def test_truth_of_no_element_follows_numpy():
    empty = np.zeros(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # numpy < 2.2 warns, then False
        try:
            expected = bool(empty)
        except ValueError as err:
            expected = type(err)
        try:
            got = bool(tx.Tensor(empty))
        except ValueError as err:
            got = type(err)
    assert got == expected


def test_the_nan_mean_keeps_float32():
    x = tx.Tensor(X.astype(np.float32), requires_grad=True)
    loss = F.cross_entropy(x, np.full(4, -100))
    loss.backward()
    assert loss.dtype == np.float32 and x.grad.dtype == np.float32


def test_ints_beyond_int64_are_still_numbers():
    assert tx.Tensor(2**70).item() == float(2**70)
    np.testing.assert_array_equal(tx.Tensor([1, 2**70]).data, [1.0, float(2**70)])
