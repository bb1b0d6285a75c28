"""write_atomically: the one place checkpoints, plots and drawings are written."""

import os
import stat

import pytest

from tinygrad_xent.files import write_atomically


def test_a_crash_part_way_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "picture.png"
    path.write_bytes(b"old picture")

    def crash(stream):
        stream.write(b"half of a new pic")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomically(path, crash, "plot")
    assert path.read_bytes() == b"old picture"
    assert os.listdir(tmp_path) == ["picture.png"]


def test_the_new_content_lands_with_the_mode_open_would_give(tmp_path):
    path = tmp_path / "a.bin"
    assert write_atomically(path, lambda stream: stream.write(b"new"), "save") == str(path)
    assert path.read_bytes() == b"new"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


def test_a_missing_folder_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"draw: cannot write .*folder .*nope"):
        write_atomically(tmp_path / "nope" / "g.png", lambda stream: None, "draw")
