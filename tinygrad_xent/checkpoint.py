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

import math
import os
import struct
import zipfile
import zlib
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
    Every claim a file makes is checked before it is acted on: a member's compression method
    and encryption flag, and each array's header (its dtype, and a shape whose bytes the member
    really holds), so a 150-byte file cannot make ``load`` allocate 8 TiB.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    CheckpointError
        Naming the file and the reason, for any file that is not a valid .npz of plain numeric
        arrays: damaged, truncated, altered, encrypted, compressed in a way numpy never writes,
        holding pickled objects, or an array header that does not match its bytes.
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
                size = os.fstat(file.fileno()).st_size
                return {
                    _member_name(path, info.filename): _read_member(archive, info, size)
                    for info in _unique_members(path, archive)
                }
    except CheckpointError:
        raise
    except DAMAGE as err:
        raise CheckpointError(f"load: {path!r} is not a valid checkpoint ({err})") from err


# What reading a damaged zip or .npy can raise, from zipfile (BadZipFile, and RuntimeError or
# NotImplementedError for a feature it lacks), zlib, struct and numpy's header parser.
DAMAGE = (
    ValueError,
    OSError,
    EOFError,
    zipfile.BadZipFile,
    RuntimeError,
    NotImplementedError,
    zlib.error,
    struct.error,
    OverflowError,
    KeyError,
)
# Deflate cannot expand data more than about 1032-fold; a member claiming more is lying.
DEFLATE_MAX_RATIO = 1032


def _unique_members(path: str, archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    members = archive.infolist()
    names = [info.filename for info in members]
    if len(set(names)) != len(names):
        raise CheckpointError(
            f"load: {path!r} is not a valid checkpoint (a member name is repeated)"
        )
    return members


def _member_name(path: str, member: str) -> str:
    if not member.endswith(".npy"):
        raise CheckpointError(
            f"load: {path!r} is not a valid checkpoint (member {member!r} is not an .npy array)"
        )
    return member[: -len(".npy")]


def _check_member(info: zipfile.ZipInfo, file_size: int) -> None:
    """Refuse what numpy never writes (encryption, compression other than stored or deflate)
    and sizes the file cannot hold, before a byte of the member is read."""
    name = info.filename
    if info.flag_bits & 0x1:
        raise ValueError(f"member {name!r} is encrypted")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise ValueError(f"member {name!r} uses compression method {info.compress_type}")
    most = info.compress_size * (
        1 if info.compress_type == zipfile.ZIP_STORED else DEFLATE_MAX_RATIO
    )
    if info.compress_size > file_size or info.file_size > most:
        raise ValueError(
            f"member {name!r} claims {info.file_size} bytes, more than the "
            f"{file_size}-byte file can hold"
        )


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, file_size: int) -> np.ndarray:
    """One array, read from its header and exactly the bytes the header claims.

    Reading all of the member's bytes checks the zip's CRC, so altered bytes surface.
    """
    _check_member(info, file_size)
    with archive.open(info) as stream:
        dtype, shape, fortran_order = _read_header(info.filename, stream)
        nbytes = math.prod(shape) * dtype.itemsize
        holds = info.file_size - stream.tell()
        if nbytes != holds:
            raise ValueError(
                f"member {info.filename!r}: its header claims shape {shape} of "
                f"{dtype}, {nbytes} bytes, but it holds {holds}"
            )
        flat = np.frombuffer(stream.read(nbytes), dtype=dtype, count=math.prod(shape))
        if stream.read(1):  # and the CRC is checked at the end of the member
            raise ValueError(f"member {info.filename!r} has bytes after its array")
    if fortran_order:
        return flat.reshape(shape[::-1]).transpose().copy(order="F")
    return flat.reshape(shape).copy()


def _read_header(member: str, stream) -> tuple[np.dtype, tuple[int, ...], bool]:
    """(dtype, shape, fortran_order) from an .npy header, refused unless numeric and sane."""
    version = np.lib.format.read_magic(stream)
    if version not in ((1, 0), (2, 0)):
        raise ValueError(f"member {member!r} is .npy version {version}, not 1.0 or 2.0")
    read = (
        np.lib.format.read_array_header_1_0
        if version == (1, 0)
        else np.lib.format.read_array_header_2_0
    )
    try:
        shape, fortran_order, dtype = read(stream)
    except Exception as err:  # numpy's parser of the header's text raises many kinds
        raise ValueError(
            f"member {member!r} has a malformed .npy header ({type(err).__name__}: {err})"
        ) from err
    if dtype.hasobject:
        raise ValueError(
            f"member {member!r} holds pickled Python objects, which load never unpickles "
            f"(allow_pickle=False)"
        )
    if dtype.kind not in "fiub":
        raise ValueError(f"member {member!r} holds dtype {dtype}, not numbers")
    if not all(isinstance(n, int) and n >= 0 for n in shape):
        raise ValueError(f"member {member!r} has shape {shape}")
    return dtype, tuple(shape), bool(fortran_order)
