"""PyTorch's habits on our layers: train/eval, Sequential as a container, PyTorch's state dict.

No PyTorch here: its layout is checked against a numpy re-statement of ``torch.nn.Linear``
(``y = x @ W.T + b`` with W of shape (out, in)) and ``torch.nn.Sequential`` (children named
by position, applied in order).
"""

import re
from pathlib import Path

import numpy as np
import pytest

from tinygrad_xent import Tensor, nn


class Encoder(nn.Module):
    """A model of the shape PyTorch users write: named submodules and a list of blocks."""

    def __init__(self):
        self.body = nn.Sequential(nn.Linear(4, 6, rng=0), nn.Tanh(), nn.Linear(6, 5, rng=1))
        self.blocks = [nn.Linear(5, 5, rng=2), nn.Linear(5, 5, bias=False, rng=3)]
        self.head = nn.Linear(5, 2, rng=4)

    def forward(self, x):
        x = self.body(x)
        for block in self.blocks:
            x = block(x)
        return self.head(x)


def torch_linear(x, state, prefix):
    """torch.nn.Linear's forward, restated in numpy: y = x @ W.T + b, W of shape (out, in)."""
    y = x @ state[prefix + "weight"].T
    return y + state[prefix + "bias"] if prefix + "bias" in state else y


def torch_sequential_of_linears_and_relus(x, state, n_layers):
    """torch.nn.Sequential(Linear, ReLU, Linear, ...): child i's parameters are 'i.weight'."""
    for i in range(n_layers):
        x = torch_linear(x, state, f"{i}.") if f"{i}.weight" in state else np.maximum(x, 0)
    return x


MODELS = {
    "linear": lambda: nn.Linear(3, 4, rng=0),
    "linear_no_bias": lambda: nn.Linear(3, 4, bias=False, rng=0),
    "mlp": lambda: nn.MLP([2, 16, 3], rng=0),
    "deep_mlp": lambda: nn.MLP([3, 8, 8, 5], rng=1, out_scale=1.0),
    "sequential": lambda: nn.Sequential(nn.Linear(3, 4, rng=0), nn.Tanh(), nn.Linear(4, 2, rng=1)),
    "nested": Encoder,
}


def test_mlp_keys_and_shapes_are_those_of_torch_sequential():
    state = nn.torch_state_dict(nn.MLP([2, 100, 3], rng=0))
    # torch.nn.Sequential(nn.Linear(2, 100), nn.ReLU(), nn.Linear(100, 3)).state_dict():
    assert {k: v.shape for k, v in state.items()} == {
        "0.weight": (100, 2),
        "0.bias": (100,),
        "2.weight": (3, 100),
        "2.bias": (3,),
    }
    assert list(state) == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_nested_model_keys_follow_torch_naming():
    state = nn.torch_state_dict(Encoder())
    assert {k: v.shape for k, v in state.items()} == {
        "body.0.weight": (6, 4),
        "body.0.bias": (6,),
        "body.2.weight": (5, 6),
        "body.2.bias": (5,),
        "blocks.0.weight": (5, 5),
        "blocks.0.bias": (5,),
        "blocks.1.weight": (5, 5),
        "head.weight": (2, 5),
        "head.bias": (2,),
    }


@pytest.mark.parametrize("name", ["mlp", "deep_mlp"])
def test_torch_forward_on_the_export_equals_our_forward(name):
    model = MODELS[name]()
    x = np.random.default_rng(5).standard_normal((7, model.sizes[0]))
    state = nn.torch_state_dict(model)
    theirs = torch_sequential_of_linears_and_relus(x, state, len(model))
    np.testing.assert_allclose(theirs, model(Tensor(x)).data, rtol=1e-12, atol=1e-12)


def test_torch_forward_of_a_nested_model_equals_ours():
    model = Encoder()
    x = np.random.default_rng(6).standard_normal((3, 4))
    state = nn.torch_state_dict(model)
    h = np.tanh(torch_linear(x, state, "body.0."))
    h = torch_linear(h, state, "body.2.")
    h = torch_linear(torch_linear(h, state, "blocks.0."), state, "blocks.1.")
    np.testing.assert_allclose(
        torch_linear(h, state, "head."), model(Tensor(x)).data, rtol=1e-12, atol=1e-12
    )


@pytest.mark.parametrize("name", sorted(MODELS))
def test_torch_state_round_trips_into_a_fresh_model(name):
    source, target = MODELS[name](), MODELS[name]()
    for p in source.parameters():
        p.data[...] = np.random.default_rng(p.size).standard_normal(p.shape)
    state = nn.torch_state_dict(source)
    assert all(v.flags.c_contiguous for v in state.values())
    nn.load_torch_state_dict(target, state)
    for (name_s, p_s), (name_t, p_t) in zip(source.named_parameters(), target.named_parameters()):
        assert name_s == name_t
        np.testing.assert_array_equal(p_s.data, p_t.data)
        assert p_t.data is not state.get(name_s)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_export_is_a_copy(name):
    model = MODELS[name]()
    before = [p.data.copy() for p in model.parameters()]
    for value in nn.torch_state_dict(model).values():
        value[...] = 7.0
    for p, old in zip(model.parameters(), before):
        np.testing.assert_array_equal(p.data, old)


def test_load_names_missing_and_unexpected_keys_in_torch_names_and_changes_nothing():
    model = nn.MLP([2, 4, 3], rng=0)
    before = [p.data.copy() for p in model.parameters()]
    state = nn.torch_state_dict(nn.MLP([2, 4, 3], rng=1))
    del state["2.bias"]
    state["0.kernel"] = np.zeros((2, 4))  # a name no parameter has
    with pytest.raises(
        ValueError,
        match=r"load_torch_state_dict: .* missing \['2\.bias'\], unexpected \['0\.kernel'\]",
    ):
        nn.load_torch_state_dict(model, state)
    state = nn.torch_state_dict(nn.MLP([2, 4, 3], rng=1))
    state["0.weight"] = state["0.weight"].T  # (in, out): our layout, not PyTorch's
    with pytest.raises(
        ValueError,
        match=r"'0\.weight' has shape \(4, 2\) in the "
        r"state but \(2, 4\) in the model",
    ):
        nn.load_torch_state_dict(model, state)
    for p, old in zip(model.parameters(), before):
        np.testing.assert_array_equal(p.data, old)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_train_and_eval_set_every_submodule_and_return_the_model(name):
    model = MODELS[name]()
    modules = [model, *_submodules(model)]
    assert all(m.training for m in modules)
    assert model.eval() is model
    assert not any(m.training for m in modules)
    assert model.train() is model and all(m.training for m in modules)
    assert model.train(False) is model and not any(m.training for m in modules)
    assert "training" not in dict(model.named_parameters())  # a flag, not a parameter


def _submodules(module):
    for value in vars(module).values():
        for item in value if isinstance(value, (list, tuple)) else [value]:
            if isinstance(item, nn.Module):
                yield item
                yield from _submodules(item)


def test_eval_does_not_change_the_output():
    model = nn.MLP([2, 8, 3], rng=0)
    x = Tensor(np.random.default_rng(0).standard_normal((5, 2)))
    np.testing.assert_array_equal(model(x).data, model.eval()(x).data)


def test_sequential_indexing_len_and_iteration():
    model = nn.MLP([2, 8, 8, 3], rng=0)
    layers = model.layers
    assert len(model) == 5 and list(model) == layers
    assert model[0] is layers[0] and model[-1] is layers[4] and model[2] is layers[2]
    assert model[np.int64(1)] is layers[1]
    head = model[:2]
    assert type(head) is nn.Sequential and head.layers == layers[:2]
    assert model[::2].layers == layers[::2] and len(model[5:]) == 0
    x = Tensor(np.random.default_rng(0).standard_normal((4, 2)))
    np.testing.assert_array_equal(model[2:](model[:2](x)).data, model(x).data)
    # A slice shares the parameters: training it trains the model.
    assert model[:1].parameters()[0] is model.parameters()[0]


@pytest.mark.parametrize(
    "index, error, message",
    [
        (5, IndexError, "Sequential: index 5 is out of range for 5 layers"),
        (-6, IndexError, "Sequential: index -6 is out of range for 5 layers"),
        ("0", TypeError, "Sequential: index must be an int or a slice, got str"),
        (1.0, TypeError, "Sequential: index must be an int or a slice, got float"),
    ],
)
def test_sequential_bad_index_names_the_index_and_the_length(index, error, message):
    with pytest.raises(error, match=message):
        nn.MLP([2, 8, 8, 3], rng=0)[index]


def _page_blocks() -> list[str]:
    page = (Path(__file__).resolve().parents[1] / "docs" / "to-pytorch.md").read_text()
    return re.findall(r"```python\n(.*?)```", page, flags=re.S)


@pytest.mark.slow
def test_to_pytorch_page_runs_and_prints_what_it_says(capsys):
    """docs/to-pytorch.md: our script and the export print the numbers in their comments."""
    ours, _, export, _ = _page_blocks()
    namespace: dict = {}
    exec(compile(ours, "to-pytorch.md", "exec"), namespace)
    exec(compile(export, "to-pytorch.md", "exec"), namespace)
    printed = capsys.readouterr().out.splitlines()
    promised = [
        line[2:] for block in (ours, export) for line in block.splitlines() if line.startswith("# ")
    ]
    assert printed == promised


def test_to_pytorch_page_pytorch_code_is_python_and_mirrors_ours_line_by_line():
    """The PyTorch blocks compile (they are never run: no PyTorch here), and the PyTorch
    script keeps our script's loop line for line."""
    ours, theirs, _, load = _page_blocks()
    for block in (theirs, load):
        compile(block, "to-pytorch.md", "exec")
    assert "import torch" in theirs and "tinygrad_xent as tx" not in theirs

    def loop(block, start):
        lines = block.splitlines()
        return lines[lines.index(start) :]

    def as_torch(line):
        """Ours in the PyTorch script's names: the PyTorch model and optimizer are torch_model
        and torch_opt, so that running the page top to bottom never mixes them up with ours."""
        line = line.replace("tx.", "torch.").replace("model", "torch_model")
        return line.replace("opt.", "torch_opt.")

    ours_loop = [as_torch(line) for line in loop(ours, "model.train()") if not line.startswith("#")]
    assert [line.split("#")[0] for line in ours_loop[:11]] == [
        line.split("#")[0] for line in loop(theirs, "torch_model.train()")[:11]
    ]


# ---- only this package's modules: a PyTorch module is refused, not exported as itself ---------
class FakeTorchSequential:
    """What torch_state_dict would read from a torch.nn.Module: named_parameters and state_dict
    (PyTorch is not installed here, nor may it be)."""

    __module__ = "torch.nn.modules.container"

    def named_parameters(self, prefix=""):
        yield "0.weight", Tensor(np.ones((100, 2)))

    def state_dict(self):
        return {"0.weight": np.ones((100, 2))}

    def load_state_dict(self, state):
        raise AssertionError("never reached")


NOT_OURS = {
    "a PyTorch module": FakeTorchSequential(),
    "a dict": {"0.weight": np.ones((2, 3))},
    "None": None,
    "a list of layers": [nn.Linear(2, 3, rng=0)],
    "a model's state_dict": nn.MLP([2, 3], rng=0).state_dict(),
}


@pytest.mark.parametrize("what", NOT_OURS)
def test_anything_but_our_modules_is_refused_by_both_directions(what):
    model = NOT_OURS[what]
    with pytest.raises(TypeError, match="torch_state_dict: model must be one of this package"):
        nn.torch_state_dict(model)
    with pytest.raises(TypeError, match="load_torch_state_dict: model must be one of this"):
        nn.load_torch_state_dict(model, {"0.weight": np.ones((100, 2))})


def test_the_refusal_of_a_pytorch_module_says_what_to_use():
    with pytest.raises(TypeError, match=r"torch\.nn\.modules\.container\..*own state_dict\(\)"):
        nn.torch_state_dict(FakeTorchSequential())


def test_the_page_keeps_the_two_models_apart_and_says_how_to_get_torch():
    """docs/to-pytorch.md run top to bottom: the PyTorch script must not rebind `model`, the
    export must read ours, and the page must say how to install PyTorch."""
    import pathlib
    import re

    page = (pathlib.Path(__file__).parent.parent / "docs" / "to-pytorch.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", page, re.DOTALL)
    torch_blocks = [b for b in blocks if re.search(r"^\s*(import|from) torch\b|\btorch\.", b, re.M)]
    assert torch_blocks
    for block in torch_blocks:
        assert not re.search(r"^\s*model\s*=", block, re.M), block
        assert not re.search(r"^\s*model\.", block, re.M), block
    assert "pip install torch" in page
    assert "nn.torch_state_dict(model)" in page
