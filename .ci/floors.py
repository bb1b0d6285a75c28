"""Print pip constraints pinning every declared floor: runtime dependencies and test extras.

    python .ci/floors.py > floors.txt && pip install -c floors.txt -e ".[test]"

Read from pyproject.toml, so the pins cannot drift from what the package declares. Every
requirement must have the form ``name>=version``: anything else fails here, loudly.
"""

import re
import sys
from pathlib import Path

import tomllib

project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())["project"]
for requirement in project["dependencies"] + project["optional-dependencies"]["test"]:
    match = re.fullmatch(r"([A-Za-z0-9_.-]+)>=([0-9.]+)", requirement)
    if match is None:
        sys.exit(f"floors.py: requirement {requirement!r} is not of the form name>=version")
    print(f"{match[1]}=={match[2]}")
