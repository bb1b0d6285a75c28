"""Checkpoints: ``tx.save(model, path)`` and ``tx.load(path)``, numpy's .npz format.

Two promises:

- Loading never unpickles. An .npz file is a zip of plain arrays, read with
  ``allow_pickle=False``, so opening a checkpoint from somewhere else cannot run code.
- Saving is atomic. The arrays go to a temporary file in the same folder, which is flushed to
  disk and then renamed over ``path`` (``os.replace``, atomic on POSIX and Windows). A crash
  part-way leaves the old checkpoint as it was, never a half-written one.

The zip is written and read member by member here rather than with ``np.savez`` and
``np.load``: ``np.savez(file, **arrays)`` would take an array named ``file`` or
``allow_pickle`` for its own argument, and ``np.load``'s archive finds a member under two
names ("w" and "w.npy"). Every name round-trips as given.
"""

from __future__ import annotations

import os
import zipfile
from typing import Any

import numpy as np

from .files import checked_path, write_atomically
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
    ValueError
        If a name holds a NUL character or an unpaired surrogate (a zip member's name
        cannot).
    FileNotFoundError
        If the folder of ``path`` does not exist.
    """
    path = checked_path("save", path)
    if isinstance(module_or_state, Module):
        state = module_or_state.state_dict()
    elif isinstance(module_or_state, dict):
        state = module_or_state
    else:
        raise TypeError(
            f"save: expected a Module or a dict of arrays, got {type(module_or_state).__name__}"
        )
    # Any, not np.ndarray: numpy's stubs would read a key "allow_pickle" as savez's flag.
    arrays: dict[str, Any] = {}
    for name, value in state.items():
        try:
            array = np.asarray(value)
        except ValueError:  # a ragged nested list
            array = np.array(None)
        if not isinstance(name, str) or array.dtype.kind not in "fiub":
            raise TypeError(
                f"save: entry {name!r} must map a str to a numeric array, got "
                f"{type(value).__name__} of dtype {array.dtype}"
            )
        if "\0" in name or _unencodable(name):
            raise ValueError(
                f"save: entry {name!r} cannot be a name in a zip file (a NUL "
                f"character or an unpaired surrogate)"
            )
        arrays[name] = array
    return write_atomically(path, lambda stream: _write_npz(stream, arrays), "save")


def _unencodable(name: str) -> bool:
    """True for a str that UTF-8 cannot encode (an unpaired surrogate such as '\\ud800')."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _write_npz(stream, arrays: dict) -> None:
    """What np.savez writes: a zip with one member "<name>.npy" per array, in .npy format."""
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        for name, array in arrays.items():
            with archive.open(name + ".npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)


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
    path = checked_path("load", path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"load: no checkpoint at {path!r}")
    try:
        # Both files are closed on every way out, a damaged archive's included.
        with open(path, "rb") as file:
            if file.read(6) == b"\x93NUMPY":
                raise CheckpointError(
                    f"load: {path!r} holds a single array (.npy), not an "
                    f"npz checkpoint of named arrays"
                )
            file.seek(0)
            with zipfile.ZipFile(file) as archive:
                return {
                    _member_name(path, member): _read_member(archive, member)
                    for member in _unique_members(path, archive)
                }
    except CheckpointError:
        raise
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as err:
        raise CheckpointError(f"load: {path!r} is not a valid checkpoint ({err})") from err


def _unique_members(path: str, archive: zipfile.ZipFile) -> list[str]:
    names = archive.namelist()
    if len(set(names)) != len(names):
        raise CheckpointError(
            f"load: {path!r} is not a valid checkpoint (a member name is repeated)"
        )
    return names


def _member_name(path: str, member: str) -> str:
    if not member.endswith(".npy"):
        raise CheckpointError(
            f"load: {path!r} is not a valid checkpoint (member {member!r} is not an .npy array)"
        )
    return member[: -len(".npy")]


def _read_member(archive: zipfile.ZipFile, member: str) -> np.ndarray:
    """One array. Reading all of its bytes checks the zip's CRC, so altered bytes surface."""
    with archive.open(member) as stream:
        array = np.lib.format.read_array(stream, allow_pickle=False)
        if stream.read(1):
            raise ValueError(f"member {member!r} has bytes after its array")
    return array
