"""The record in docs/data.md of how digits.npz was made still makes the shipped file.

The page shows it as text (it reads scikit-learn's digits.csv.gz, which the repository does not
hold); this test rebuilds that CSV from the shipped archive, runs the recorded lines, and
compares what they write with the shipped archive.
"""

import gzip
import re
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "tinygrad_xent" / "datasets" / "digits.npz"


def _record() -> str:
    page = (ROOT / "docs" / "data.md").read_text()
    blocks = re.findall(r"^```text\n(.*?)^```\n", page, flags=re.S | re.M)
    (record,) = [b for b in blocks if "savez_compressed" in b]
    return record


def test_the_record_of_digits_npz_makes_the_shipped_file(tmp_path, monkeypatch):
    shipped = np.load(SHIPPED)
    rows = np.column_stack([shipped["images"].reshape(-1, 64), shipped["labels"]])
    with gzip.open(tmp_path / "digits.csv.gz", "wt") as f:
        np.savetxt(f, rows, fmt="%.1f", delimiter=",")
    monkeypatch.chdir(tmp_path)
    exec(compile(_record(), "docs/data.md", "exec"), {})
    made = np.load(tmp_path / "digits.npz")
    for key in ("images", "labels"):
        assert made[key].dtype == shipped[key].dtype == np.uint8
        np.testing.assert_array_equal(made[key], shipped[key])


def test_the_page_says_the_record_is_not_a_snippet_to_run():
    page = (ROOT / "docs" / "data.md").read_text()
    assert "the record of how the file was made" in page
    assert "```python" not in page.split("## Contrastive views")[0]
