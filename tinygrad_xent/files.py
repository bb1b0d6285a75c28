"""Writing a file so that a crash never leaves half of it: checkpoints and pictures alike."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable
from typing import BinaryIO


def write_atomically(path, write: Callable[[BinaryIO], None], caller: str) -> str:
    """Call ``write(stream)`` on a temporary file beside ``path``, then rename it to ``path``.

    The rename (``os.replace``) is atomic on POSIX and Windows within one file system, hence
    the temporary file in the same folder: whatever happens part-way, ``path`` holds either
    its old content or all of the new, and the temporary file is removed.

    Overwriting behaves as writing into the file would: a file that exists keeps its mode
    (a private 0600 checkpoint stays private), and if ``path`` is a symbolic link the file it
    points to is written and the link stays a link. On a file system that refuses chmod (vfat,
    SMB) but takes a plain write, the file gets the mode the mount gives every file.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write.
    write : callable
        Writes the content to the binary stream it is given.
    caller : str
        The public function's name, for the error message.

    Returns
    -------
    str
        ``path``, as a str.

    Raises
    ------
    TypeError
        If ``path`` is not a str or os.PathLike naming one.
    FileNotFoundError
        If the folder of ``path`` does not exist.
    """
    path = checked_path(caller, path)
    target = os.path.realpath(path)  # through any symbolic link, to the file it points to
    folder = os.path.dirname(target)
    if not os.path.isdir(folder):
        raise FileNotFoundError(
            f"{caller}: cannot write {path!r}: folder {folder!r} does not exist"
        )
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)  # overwriting keeps the file's mode
    except FileNotFoundError:
        mode = 0o666 & ~_umask()  # a new file gets the mode a plain open() would give it
    handle, temporary = tempfile.mkstemp(
        dir=folder, prefix="." + os.path.basename(target) + ".", suffix=".tmp"
    )
    try:
        # The descriptor becomes a stream at once, so that every way out below closes it.
        with os.fdopen(handle, "wb") as stream:
            _chmod_if_allowed(temporary, mode)  # mkstemp made it private (0600)
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())  # the bytes are on disk before the name points at them
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):  # the error that got us here is the one to see
            os.remove(temporary)
        raise
    return path


def checked_path(caller: str, path) -> str:
    """``path`` as a str, or a TypeError naming ``caller`` (os.fspath's own names no one)."""
    try:
        path = os.fspath(path)
    except TypeError:
        raise TypeError(
            f"{caller}: path must be a str or os.PathLike, got {type(path).__name__}"
        ) from None
    if not isinstance(path, str):
        raise TypeError(f"{caller}: path must be a str or os.PathLike, got {type(path).__name__}")
    return path


def _chmod_if_allowed(path: str, mode: int) -> None:
    """Give ``path`` the mode ``mode``, where the file system allows it.

    Some file systems refuse chmod (vfat, SMB and other mounts whose modes are fixed) but take
    a plain write; there every file has the mode the mount gives, so the save goes on with it.
    """
    try:
        os.chmod(path, mode)
    except OSError:
        pass


def _umask() -> int:
    """The process's umask (reading it means setting it, so it is set straight back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask
