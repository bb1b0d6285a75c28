"""Writing a file so that a crash never leaves half of it: checkpoints and pictures alike."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from typing import BinaryIO


def write_atomically(path, write: Callable[[BinaryIO], None], caller: str) -> str:
    """Call ``write(stream)`` on a temporary file beside ``path``, then rename it to ``path``.

    The rename (``os.replace``) is atomic on POSIX and Windows within one file system, hence
    the temporary file in the same folder: whatever happens part-way, ``path`` holds either
    its old content or all of the new, and the temporary file is removed.

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
    FileNotFoundError
        If the folder of ``path`` does not exist.
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"{caller}: cannot write {path!r}: folder {folder!r} does not "
                                f"exist")
    handle, temporary = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(path) + ".",
                                         suffix=".tmp")
    try:
        # mkstemp makes the file private (0600); give it the mode a plain open() would.
        os.chmod(temporary, 0o666 & ~_umask())
        with os.fdopen(handle, "wb") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())  # the bytes are on disk before the name points at them
        os.replace(temporary, path)
    except BaseException:
        os.remove(temporary)
        raise
    return path


def _umask() -> int:
    """The process's umask (reading it means setting it, so it is set straight back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask
