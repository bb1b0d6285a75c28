"""Writing files where chmod is refused, and descriptors that every failed write gives back.

Some file systems (vfat, SMB mounts) refuse chmod but take a plain write. Every writer of the
package (tx.save, plot, draw, play) goes through files.write_atomically; each must succeed
there, and no failure of any step of a save (chmod, the write itself, fsync, the rename) may
leave a descriptor open or a temporary file behind.
"""

import errno
import os

import numpy as np
import pytest

import tinygrad_xent as tx
from tinygrad_xent import files


def open_descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


pytestmark = pytest.mark.skipif(
    not os.path.isdir("/proc/self/fd"), reason="counts descriptors in /proc"
)


def refuse_chmod(path, mode, *args, **kwargs):
    raise PermissionError(errno.EPERM, "Operation not permitted", path)


WRITERS = {
    "save": lambda path: tx.save({"w": np.ones(3)}, path),
    "raw bytes": lambda path: files.write_atomically(path, lambda s: s.write(b"abc"), "test"),
}


@pytest.mark.parametrize("writer", WRITERS)
def test_a_file_system_that_refuses_chmod_still_takes_the_file(tmp_path, monkeypatch, writer):
    monkeypatch.setattr(os, "chmod", refuse_chmod)
    before = open_descriptors()
    for i in range(20):
        WRITERS[writer](tmp_path / f"f{i}")
    assert open_descriptors() == before
    assert sorted(os.listdir(tmp_path)) == sorted(f"f{i}" for i in range(20))


def test_the_saved_checkpoint_loads(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "chmod", refuse_chmod)
    tx.save({"w": np.arange(3.0)}, tmp_path / "m.npz")
    monkeypatch.undo()
    np.testing.assert_array_equal(tx.load(tmp_path / "m.npz")["w"], np.arange(3.0))


def fail(*args, **kwargs):
    raise OSError(errno.EIO, "input/output error")


def failing_write(stream):
    stream.write(b"half")
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("step", ["write", "fsync", "replace", "interrupt"])
def test_no_failed_step_leaks_a_descriptor_or_a_temporary_file(tmp_path, monkeypatch, step):
    write = (lambda s: s.write(b"ok")) if step != "write" else failing_write
    if step == "fsync":
        monkeypatch.setattr(os, "fsync", fail)
    elif step == "replace":
        monkeypatch.setattr(os, "replace", fail)
    elif step == "interrupt":

        def write(stream):
            raise KeyboardInterrupt

    before = open_descriptors()
    for _ in range(20):
        with pytest.raises((OSError, KeyboardInterrupt)):
            files.write_atomically(tmp_path / "f", write, "test")
    assert open_descriptors() == before
    assert os.listdir(tmp_path) == []
