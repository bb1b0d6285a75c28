"""tx.save / tx.load: round trips, atomic writes, and files that must not load."""

import os
import zipfile

import numpy as np
import pytest

import tinygrad_xent as tx
from tinygrad_xent import nn
from tinygrad_xent.checkpoint import CheckpointError


def test_module_round_trip(tmp_path):
    model = nn.MLP([2, 7, 3], rng=0)
    path = tx.save(model, tmp_path / "model.npz")
    assert path == str(tmp_path / "model.npz")
    state = tx.load(path)
    assert list(state) == [name for name, _ in model.named_parameters()]
    other = nn.MLP([2, 7, 3], rng=1)
    other.load_state_dict(state)
    for a, b in zip(model.parameters(), other.parameters()):
        np.testing.assert_array_equal(a.data, b.data)


def test_dict_round_trip_keeps_dtypes(tmp_path):
    state = {"w": np.arange(6, dtype=np.float32).reshape(2, 3), "step": np.array(7)}
    loaded = tx.load(tx.save(state, tmp_path / "state.npz"))
    assert loaded["w"].dtype == np.float32 and loaded["step"].item() == 7
    np.testing.assert_array_equal(loaded["w"], state["w"])


def test_file_name_is_kept_as_given(tmp_path):
    tx.save({"a": np.ones(2)}, tmp_path / "ckpt")
    assert os.listdir(tmp_path) == ["ckpt"]


def test_crash_mid_save_leaves_old_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    tx.save({"w": np.ones(3)}, path)
    before = path.read_bytes()

    def broken_write_array(member, array, **options):
        member.write(b"\x93NUMPY half an array")  # some bytes reach the disk, then the crash
        raise OSError("disk full")

    monkeypatch.setattr(np.lib.format, "write_array", broken_write_array)
    with pytest.raises(OSError, match="disk full"):
        tx.save({"w": np.zeros(3)}, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.npz"]  # the temporary file is gone too
    np.testing.assert_array_equal(tx.load(path)["w"], np.ones(3))


def test_tampered_bytes_are_caught(tmp_path):
    path = tmp_path / "model.npz"
    tx.save({"w": np.arange(100.0)}, path)
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 3] ^= 0xFF  # inside the array's bytes: the zip CRC no longer matches
    path.write_bytes(bytes(raw))
    with pytest.raises(CheckpointError, match="is not a valid checkpoint"):
        tx.load(path)


def test_truncated_and_garbage_files(tmp_path):
    path = tmp_path / "model.npz"
    tx.save({"w": np.arange(100.0)}, path)
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(CheckpointError):
        tx.load(path)
    path.write_text("not a checkpoint")
    with pytest.raises(CheckpointError):
        tx.load(path)


def test_pickled_objects_are_never_loaded(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, w=np.array([{"code": "anything"}], dtype=object))
    with zipfile.ZipFile(path) as z:
        assert z.namelist() == ["w.npy"]
    with pytest.raises(CheckpointError, match="allow_pickle=False"):
        tx.load(path)


def test_single_npy_is_not_a_checkpoint(tmp_path):
    path = tmp_path / "w.npy"
    np.save(path, np.ones(3))
    with pytest.raises(CheckpointError, match="single array"):
        tx.load(path)


def test_missing_file():
    with pytest.raises(FileNotFoundError, match="load: no checkpoint at"):
        tx.load("/nonexistent/model.npz")


def test_save_rejects_non_arrays(tmp_path):
    with pytest.raises(TypeError, match="save: entry 'w' must map a str to a numeric array"):
        tx.save({"w": np.array([{}], dtype=object)}, tmp_path / "x.npz")
    with pytest.raises(TypeError, match="save: expected a Module or a dict"):
        tx.save([np.ones(2)], tmp_path / "x.npz")


def test_loaded_shapes_checked_by_the_model(tmp_path):
    tx.save(nn.MLP([2, 7, 3], rng=0), tmp_path / "model.npz")
    with pytest.raises(
        ValueError,
        match=r"'0.weight' has shape \(2, 7\) in the state "
        r"but \(2, 8\) in the model",
    ):
        nn.MLP([2, 8, 3]).load_state_dict(tx.load(tmp_path / "model.npz"))


def test_saving_into_a_missing_folder_names_the_folder(tmp_path):
    missing = tmp_path / "no" / "such"
    with pytest.raises(FileNotFoundError, match=r"save: cannot write .* folder .*no/such"):
        tx.save(nn.MLP([2, 3]), missing / "model.npz")
    assert not (tmp_path / "no").exists()
