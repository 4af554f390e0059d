"""Where a benchmark leaves its figures for the suite (bench/suite.py).

A benchmark run by the suite finds `BENCH_RESULTS_DIR` set and writes its
figures there as `<name>.json`; run on its own it only prints them.
"""

from __future__ import annotations

import json
import os
import pathlib
from typing import Any


def record(name: str, figures: dict[str, Any]) -> None:
    """Write `figures` (JSON-able; NaN becomes null) as <BENCH_RESULTS_DIR>/<name>.json, if the suite asked."""
    directory = os.environ.get("BENCH_RESULTS_DIR")
    if not directory:
        return
    path = pathlib.Path(directory) / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    figures = {**figures, "load_average": os.getloadavg()[0], "cpus": os.cpu_count()}
    path.write_text(json.dumps(_clean(figures), indent=2, ensure_ascii=False))


def _clean(value: Any) -> Any:
    if isinstance(value, float):
        return None if value != value else round(value, 4)
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value
