"""Print the fault table `make chaos` collected (one JSON line per fault, written by `chaos_tools.report`)."""

from __future__ import annotations

import json
import pathlib
import sys


def main(path: str) -> int:
    file = pathlib.Path(path)
    rows = [json.loads(line) for line in file.read_text().splitlines()] if file.exists() else []
    if not rows:
        print("no fault figures were recorded")
        return 1
    print("\nFault table (make chaos)\n")
    for row in rows:
        print(f"== {row.pop('fault')}")
        width = max(len(k) for k in row)
        for key, value in row.items():
            if isinstance(value, dict):
                value = ", ".join(f"{k} {v}" for k, v in value.items())
            print(f"   {key.replace('_', ' '):<{width}}  {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "build/chaos.jsonl"))
