"""tx.load on files however made: a dict of arrays or a CheckpointError, never anything else.

docs/training.md promises CheckpointError, naming the file, for damaged or altered files. Every
way a zip or an .npy header can lie is tried here: each header field of the zip's local and
central records set to hostile values, each byte of a small checkpoint flipped, every
truncation, and .npy headers that claim shapes, dtypes or versions their bytes do not hold.
Each load must also stay within memory the file could hold (tracemalloc's peak).
"""

import io
import struct
import tracemalloc
import zipfile

import numpy as np
import pytest

import tinygrad_xent as tx
from tinygrad_xent.checkpoint import CheckpointError


def good_bytes(tmp_path, arrays=None):
    path = tx.save(arrays or {"w": np.arange(6.0).reshape(2, 3), "b": np.ones(2)}, tmp_path / "g")
    with open(path, "rb") as f:
        return f.read()


def load_bytes(tmp_path, raw: bytes, name="bad.npz"):
    """tx.load of ``raw``: the dict, or the CheckpointError; peak memory checked either way."""
    path = tmp_path / name
    path.write_bytes(raw)
    tracemalloc.start()
    try:
        result = tx.load(path)
    except CheckpointError as err:
        result = err
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert peak < 1_000_000 + 1100 * len(raw), f"load allocated {peak} bytes"
    if isinstance(result, CheckpointError):
        assert repr(str(path)) in str(result)  # the error names the file
    return result


def npz_with_member(data: bytes, name="w.npy", compression=zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


def npy_header(header: str, version=(1, 0)) -> bytes:
    """An .npy file's magic, version and header dict, padded as numpy pads it (no data)."""
    text = header.encode("latin1")
    if version == (1, 0):
        pad = -(10 + len(text) + 1) % 64
        return (
            b"\x93NUMPY\x01\x00"
            + struct.pack("<H", len(text) + pad + 1)
            + text
            + b" " * pad
            + b"\n"
        )
    pad = -(12 + len(text) + 1) % 64
    return (
        b"\x93NUMPY"
        + bytes(version)
        + struct.pack("<I", len(text) + pad + 1)
        + text
        + b" " * pad
        + b"\n"
    )


# ---- the issue's examples ---------------------------------------------------------------------
def test_a_header_claiming_8_tib_is_refused_without_allocating(tmp_path):
    raw = npz_with_member(
        npy_header("{'descr': '<f8', 'fortran_order': False, 'shape': (1099511627776,), }")
    )
    assert len(raw) < 300
    err = load_bytes(tmp_path, raw)
    assert isinstance(err, CheckpointError) and "1099511627776" in str(err)


def patched(raw: bytes, signature: bytes, offset: int, fmt: str, value) -> bytes:
    """``raw`` with the field at ``offset`` of every record starting with ``signature`` set."""
    out = bytearray(raw)
    start = out.find(signature)
    while start >= 0:
        struct.pack_into(fmt, out, start + offset, value)
        start = out.find(signature, start + 1)
    return bytes(out)


LOCAL, CENTRAL = b"PK\x03\x04", b"PK\x01\x02"
# (record, offset of the field, struct format) of each field a reader acts on
FIELDS = {
    "local version needed": (LOCAL, 4, "<H"),
    "local flags": (LOCAL, 6, "<H"),
    "local method": (LOCAL, 8, "<H"),
    "local crc": (LOCAL, 14, "<I"),
    "local compressed size": (LOCAL, 18, "<I"),
    "local size": (LOCAL, 22, "<I"),
    "local name length": (LOCAL, 26, "<H"),
    "local extra length": (LOCAL, 28, "<H"),
    "central version made": (CENTRAL, 4, "<H"),
    "central version needed": (CENTRAL, 6, "<H"),
    "central flags": (CENTRAL, 8, "<H"),
    "central method": (CENTRAL, 10, "<H"),
    "central crc": (CENTRAL, 16, "<I"),
    "central compressed size": (CENTRAL, 20, "<I"),
    "central size": (CENTRAL, 24, "<I"),
    "central name length": (CENTRAL, 28, "<H"),
    "central extra length": (CENTRAL, 30, "<H"),
    "central offset": (CENTRAL, 42, "<I"),
}
HOSTILE = [0, 1, 8, 12, 14, 99, 0x41, 0xFFFF, 0xFFFFFFFF, 2**31]


@pytest.mark.parametrize("field", FIELDS)
def test_every_zip_field_set_to_a_hostile_value(tmp_path, field):
    raw = good_bytes(tmp_path)
    signature, offset, fmt = FIELDS[field]
    limit = 0xFFFF if fmt == "<H" else 0xFFFFFFFF
    for value in HOSTILE:
        if value <= limit:
            result = load_bytes(tmp_path, patched(raw, signature, offset, fmt, value))
            assert isinstance(result, (dict, CheckpointError)), (field, value)


@pytest.mark.parametrize(
    "field,value,reason",
    [
        ("central flags", 0x1, "encrypted"),
        ("central version needed", 99, "valid checkpoint"),
        ("central method", 99, "compression method 99"),
        ("central method", zipfile.ZIP_BZIP2, "compression method 12"),
    ],
)
def test_the_issue_zip_examples_name_the_reason(tmp_path, field, value, reason):
    signature, offset, fmt = FIELDS[field]
    result = load_bytes(tmp_path, patched(good_bytes(tmp_path), signature, offset, fmt, value))
    assert isinstance(result, CheckpointError)
    assert reason in str(result)


def test_every_byte_flipped(tmp_path):
    raw = good_bytes(tmp_path, {"w": np.arange(3.0)})
    for i in range(len(raw)):
        for mask in (0x01, 0x80, 0xFF):
            damaged = bytearray(raw)
            damaged[i] ^= mask
            result = load_bytes(tmp_path, bytes(damaged))
            assert isinstance(result, (dict, CheckpointError)), (i, mask)


def test_every_truncation(tmp_path):
    raw = good_bytes(tmp_path, {"w": np.arange(3.0)})
    for n in range(len(raw)):
        assert isinstance(load_bytes(tmp_path, raw[:n]), CheckpointError), n


HEADERS = {
    "shape larger than the bytes": "{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }",
    "shape of 2^40 in two axes": (
        "{'descr': '<f8', 'fortran_order': False, 'shape': (1048576, 1048576), }"
    ),
    "negative shape": "{'descr': '<f8', 'fortran_order': False, 'shape': (-1,), }",
    "float in shape": "{'descr': '<f8', 'fortran_order': False, 'shape': (1.5,), }",
    "object dtype": "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }",
    "structured with an object": (
        "{'descr': [('a', '|O')], 'fortran_order': False, 'shape': (1,), }"
    ),
    "unicode dtype": "{'descr': '<U2', 'fortran_order': False, 'shape': (1,), }",
    "void dtype": "{'descr': '|V8', 'fortran_order': False, 'shape': (1,), }",
    "unknown dtype": "{'descr': '<q9', 'fortran_order': False, 'shape': (1,), }",
    "huge itemsize": "{'descr': '|V1099511627776', 'fortran_order': False, 'shape': (1,), }",
    "missing key": "{'descr': '<f8', 'shape': (1,), }",
    "extra key": "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 1}",
    "not a dict": "[1, 2, 3]",
    "not a literal": "{'descr': __import__('os'), }",
    "not python": "{{{{",
    "fortran flag not a bool": "{'descr': '<f8', 'fortran_order': 'yes', 'shape': (1,), }",
}


@pytest.mark.parametrize("version", [(1, 0), (2, 0)])
@pytest.mark.parametrize("case", HEADERS)
@pytest.mark.parametrize("compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_npy_headers_that_lie(tmp_path, case, version, compression):
    data = npy_header(HEADERS[case], version) + np.zeros(1).tobytes()
    result = load_bytes(tmp_path, npz_with_member(data, compression=compression))
    assert isinstance(result, CheckpointError), case


@pytest.mark.parametrize("version", [(3, 0), (9, 9), (0, 0)])
def test_npy_versions_other_than_1_and_2(tmp_path, version):
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }"
    data = npy_header(header, version) + np.zeros(1).tobytes()
    result = load_bytes(tmp_path, npz_with_member(data))
    assert isinstance(result, CheckpointError)


def test_a_size_claim_beyond_what_the_file_or_deflate_can_hold(tmp_path):
    for compression in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raw = npz_with_member(b"x" * 100, compression=compression)
        signature, offset, fmt = FIELDS["central size"]
        result = load_bytes(tmp_path, patched(raw, signature, offset, fmt, 2**31))
        assert isinstance(result, CheckpointError) and "claims" in str(result)


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("dtype", ["<f8", ">f4", "<i8", "|u1", "|b1", "<f2"])
@pytest.mark.parametrize("compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_every_honest_array_still_loads(tmp_path, dtype, order, compression):
    """What numpy itself writes, savez and savez_compressed, in either order and byte order."""
    array = np.asarray(np.arange(12).reshape(3, 4) % 2, dtype=dtype, order=order)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        with archive.open("w.npy", "w") as member:
            np.lib.format.write_array(member, array)
    loaded = load_bytes(tmp_path, buffer.getvalue())
    assert isinstance(loaded, dict)
    np.testing.assert_array_equal(loaded["w"], array)
    assert loaded["w"].dtype == array.dtype and loaded["w"].flags.writeable


def test_empty_arrays_and_zero_d_arrays_load(tmp_path):
    arrays = {"e": np.zeros((0, 3)), "s": np.array(2.5), "i": np.array(7)}
    loaded = load_bytes(tmp_path, good_bytes(tmp_path, arrays))
    assert {k: v.shape for k, v in loaded.items()} == {"e": (0, 3), "s": (), "i": ()}
