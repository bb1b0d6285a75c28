"""Print pip constraints pinning every declared floor: runtime dependencies and test extras.

    python .ci/floors.py > floors.txt && pip install -c floors.txt -e ".[test]"

Read from pyproject.toml, so the pins cannot drift from what the package declares. Every
requirement must have the form ``name>=version`` (an environment marker after ``;`` is kept):
anything else fails here, loudly.

It runs on the oldest Python the package supports, 3.10, which has no ``tomllib``: the two
arrays it needs are read by ``toml_array`` below instead, a few lines that understand only
what they need (a key at the start of a line in its table, a list of double-quoted strings,
comments) and fail on anything else rather than guess.
"""

import re
import sys
from pathlib import Path

REQUIREMENT = re.compile(r"([A-Za-z0-9_.-]+)>=([0-9.]+)(\s*;\s*.+)?")


def toml_array(text: str, table: str, key: str) -> list[str]:
    """The strings of the array ``key = [...]`` in the TOML table ``[table]`` of ``text``.

    Parameters
    ----------
    text : str
        The whole TOML file.
    table : str
        The table's name as written between the brackets, e.g. ``project``.
    key : str
        The key whose value is a list of double-quoted strings, possibly over several lines.

    Returns
    -------
    list of str
        The strings, in order.

    Raises
    ------
    SystemExit
        If the table or key is missing, or the value is not such a list.
    """
    # The table's body runs from its header to the next header at the start of a line.
    header = re.search(rf"^\[{re.escape(table)}\]\s*$", text, flags=re.M)
    if header is None:
        sys.exit(f"floors.py: pyproject.toml has no [{table}] table")
    body = re.split(r"^\[", text[header.end() :], maxsplit=1, flags=re.M)[0]
    # Comments go first, so a ] or a quote inside one cannot end or start anything.
    body = re.sub(r'#[^"\n]*$', "", body, flags=re.M)
    value = re.search(rf"^{re.escape(key)}\s*=\s*\[(.*?)\]", body, flags=re.M | re.S)
    if value is None:
        sys.exit(f"floors.py: [{table}] has no {key} = [...]")
    items = [item.strip() for item in value[1].split(",") if item.strip()]
    if not all(re.fullmatch(r'"[^"\\]*"', item) for item in items):
        sys.exit(f"floors.py: [{table}] {key} is not a list of plain double-quoted strings")
    return [item[1:-1] for item in items]


def main() -> None:
    text = (Path(__file__).parents[1] / "pyproject.toml").read_text()
    requirements = toml_array(text, "project", "dependencies") + toml_array(
        text, "project.optional-dependencies", "test"
    )
    for requirement in requirements:
        match = REQUIREMENT.fullmatch(requirement)
        if match is None:
            sys.exit(f"floors.py: requirement {requirement!r} is not of the form name>=version")
        print(f"{match[1]}=={match[2]}{match[3] or ''}")


if __name__ == "__main__":
    main()
