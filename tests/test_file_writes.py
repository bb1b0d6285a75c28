"""Files: an overwrite keeps the file's mode, a save through a link writes its target, and a
damaged checkpoint never leaves a file handle open."""

import gc
import os
import stat
import warnings
import zipfile

import numpy as np
import pytest

import tinygrad_xent as tx
from tinygrad_xent import nn
from tinygrad_xent.checkpoint import CheckpointError
from tinygrad_xent.files import write_atomically


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def _write(content):
    return lambda stream: stream.write(content)


SAVERS = {  # every public writer goes through write_atomically; each is tested here
    "write_atomically": lambda path: write_atomically(path, _write(b"new"), "test"),
    "save": lambda path: tx.save({"w": np.ones(2)}, path),
}


@pytest.mark.parametrize("save", SAVERS.values(), ids=SAVERS.keys())
@pytest.mark.parametrize("mode", [0o600, 0o640, 0o444, 0o755])
def test_overwriting_keeps_the_mode(tmp_path, save, mode):
    path = tmp_path / "model.npz"
    path.write_bytes(b"old")
    os.chmod(path, mode)
    save(path)
    assert _mode(path) == mode
    assert path.read_bytes() != b"old"


@pytest.mark.parametrize("save", SAVERS.values(), ids=SAVERS.keys())
def test_a_new_file_gets_the_mode_open_gives(tmp_path, save):
    old = os.umask(0o027)
    try:
        save(tmp_path / "new.npz")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "new.npz") == 0o640


@pytest.mark.parametrize("save", SAVERS.values(), ids=SAVERS.keys())
@pytest.mark.parametrize("relative", [True, False])
def test_saving_through_a_link_writes_its_target(tmp_path, save, relative):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "model.npz"
    target.write_bytes(b"old")
    os.chmod(target, 0o600)
    link = tmp_path / "link.npz"
    os.symlink(os.path.join("real", "model.npz") if relative else target, link)
    assert save(link) == str(link)
    assert link.is_symlink() and os.readlink(link).endswith("model.npz")
    assert target.read_bytes() != b"old" and _mode(target) == 0o600
    assert sorted(os.listdir(tmp_path / "real")) == ["model.npz"]  # no temporary left
    assert sorted(os.listdir(tmp_path)) == ["link.npz", "real"]


def test_a_dangling_link_creates_its_target(tmp_path):
    link = tmp_path / "link.npz"
    os.symlink(tmp_path / "later.npz", link)
    tx.save({"w": np.ones(2)}, link)
    assert link.is_symlink()
    np.testing.assert_array_equal(tx.load(tmp_path / "later.npz")["w"], np.ones(2))


def test_a_chain_of_links_and_a_linked_folder(tmp_path):
    (tmp_path / "real").mkdir()
    os.symlink(tmp_path / "real", tmp_path / "folder")
    os.symlink(tmp_path / "folder" / "m.npz", tmp_path / "first")
    os.symlink(tmp_path / "first", tmp_path / "second")
    tx.save({"w": np.arange(3.0)}, tmp_path / "second")
    assert (tmp_path / "second").is_symlink() and (tmp_path / "first").is_symlink()
    np.testing.assert_array_equal(tx.load(tmp_path / "real" / "m.npz")["w"], np.arange(3.0))


# ---- load closes its file on every damaged input ---------------------------------------------
@pytest.mark.parametrize(
    "case",
    [
        "truncated at 0",
        "truncated at 4",
        "truncated at 30",
        "truncated at 200",
        "truncated at half",
        "truncated near end",
        "garbage",
        "altered",
        "npy",
        "pickled",
        "not npy member",
    ],
)
def test_load_of_a_damaged_file_closes_it(tmp_path, case):
    path = tmp_path / "bad.npz"
    tx.save({"w": np.arange(200.0), "b": np.ones(3)}, path)
    good = path.read_bytes()
    cut = {
        "truncated at 0": 0,
        "truncated at 4": 4,
        "truncated at 30": 30,
        "truncated at 200": 200,
        "truncated at half": len(good) // 2,
        "truncated near end": len(good) - 10,
    }
    if case in cut:
        path.write_bytes(good[: cut[case]])
    elif case == "garbage":
        path.write_bytes(b"not a checkpoint at all")
    elif case == "altered":
        raw = bytearray(good)
        raw[len(good) // 3] ^= 0xFF
        path.write_bytes(bytes(raw))
    elif case == "npy":
        np.save(path.with_suffix(".npy"), np.ones(3))
        path = path.with_suffix(".npy")
    elif case == "pickled":
        np.savez(path, w=np.array([{"a": 1}], dtype=object))
    else:
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("readme.txt", "hello")
    gc.collect()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(CheckpointError, match=r"load: .*bad\.np"):
            tx.load(path)
        gc.collect()
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]


def test_load_of_a_good_file_closes_it(tmp_path):
    path = tx.save({"w": np.ones(3)}, tmp_path / "ok.npz")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tx.load(path)
        gc.collect()
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]


@pytest.mark.parametrize(
    "call",
    [
        lambda: tx.save({"w": np.ones(1)}, None),
        lambda: tx.load(None),
        lambda: tx.load(3.5),
        lambda: tx.save(nn.MLP([2, 3]), b"bytes.npz"),
    ],
)
def test_a_path_that_is_not_a_path_is_named(call):
    with pytest.raises(TypeError, match=r"^(save|load): path must be a str or os.PathLike"):
        call()
