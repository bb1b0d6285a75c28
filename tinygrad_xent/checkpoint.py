"""Checkpoints: ``tx.save(model, path)`` and ``tx.load(path)``, numpy's .npz format.

Two promises:

- Loading never unpickles. An .npz file is a zip of plain arrays, read with
  ``allow_pickle=False``, so opening a checkpoint from somewhere else cannot run code.
- Saving is atomic. The arrays go to a temporary file in the same folder, which is flushed to
  disk and then renamed over ``path`` (``os.replace``, atomic on POSIX and Windows). A crash
  part-way leaves the old checkpoint as it was, never a half-written one.
"""

from __future__ import annotations

import os
import zipfile
from typing import Any

import numpy as np

from .files import write_atomically
from .nn import Module


class CheckpointError(ValueError):
    """A file that is not a readable checkpoint: not .npz, damaged, or holding pickled objects."""


def save(module_or_state, path) -> str:
    """Write a module's parameters (or a dict of arrays) to ``path`` as .npz, atomically.

    Parameters
    ----------
    module_or_state : Module or dict of str to array
        A :class:`~tinygrad_xent.nn.Module` (its ``state_dict()`` is written) or a dict
        mapping str names to numeric arrays.
    path : str or os.PathLike
        The file to write, written exactly as given (no ".npz" is appended).

    Returns
    -------
    str
        The path written.

    Raises
    ------
    TypeError
        If a name is not a str or a value is not a numeric array.
    FileNotFoundError
        If the folder of ``path`` does not exist.
    """
    if isinstance(module_or_state, Module):
        state = module_or_state.state_dict()
    elif isinstance(module_or_state, dict):
        state = module_or_state
    else:
        raise TypeError(f"save: expected a Module or a dict of arrays, got "
                        f"{type(module_or_state).__name__}")
    # Any, not np.ndarray: numpy's stubs would read a key "allow_pickle" as savez's flag.
    arrays: dict[str, Any] = {}
    for name, value in state.items():
        array = np.asarray(getattr(value, "data", value))
        if not isinstance(name, str) or array.dtype.kind not in "fiub":
            raise TypeError(f"save: entry {name!r} must map a str to a numeric array, got "
                            f"{type(value).__name__} of dtype {array.dtype}")
        arrays[name] = array
    return write_atomically(path, lambda stream: np.savez(stream, **arrays), "save")


def load(path) -> dict[str, np.ndarray]:
    """Read a checkpoint written by :func:`save`: a dict of name -> array.

    Pass it to ``model.load_state_dict`` to restore a model; that checks every name and shape.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    CheckpointError
        If the file is not a valid .npz of plain arrays (damaged, truncated, altered, or
        holding pickled objects).
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"load: no checkpoint at {path!r}")
    try:
        archive = np.load(path, allow_pickle=False)
        if isinstance(archive, np.ndarray):
            raise CheckpointError(f"load: {path!r} holds a single array (.npy), not an .npz "
                                  f"checkpoint of named arrays")
        with archive:
            # Reading each array checks the zip's CRC, so altered bytes surface here.
            return {name: archive[name] for name in archive.files}
    except CheckpointError:
        raise
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as err:
        raise CheckpointError(f"load: {path!r} is not a valid checkpoint ({err})") from err
