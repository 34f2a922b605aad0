"""Where a chapter's time goes: execute one notebook top to bottom and print every cell's wall time.

    .venv/bin/python benchmarks/profile_chapter.py book/03_inductive_bias.ipynb [--top 10] [--json FILE]

The notebook runs in a fresh kernel in its own folder, as the book build runs it (outputs are not
saved). Use it before changing a budget: it tells which cells are worth making cheaper. Set
MIXERBOOK_CACHE_DIR to an empty folder to measure a cold run (trained models are otherwise reused).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import print_table, write_json  # noqa: E402


def _seconds(cell) -> float:
    execution = cell.get("metadata", {}).get("execution", {})
    try:
        t0 = datetime.fromisoformat(execution["iopub.execute_input"].replace("Z", "+00:00"))
        t1 = datetime.fromisoformat(execution["shell.execute_reply"].replace("Z", "+00:00"))
    except KeyError:
        return 0.0
    return (t1 - t0).total_seconds()


def main() -> None:
    import nbformat
    from nbclient import NotebookClient

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebook")
    parser.add_argument("--top", type=int, default=12, help="cells to list, slowest first")
    parser.add_argument("--timeout", type=int, default=1800)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()

    path = Path(args.notebook).resolve()
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=args.timeout, kernel_name="python3", record_timing=True,
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    total = time.perf_counter() - start
    rows = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            first = next((line for line in cell.source.splitlines() if line.strip()), "")
            rows.append({"cell": index, "seconds": _seconds(cell), "first line": first[:70]})
    rows.sort(key=lambda row: -row["seconds"])
    print(f"{path.name}: {total:.1f} s in all ({sum(r['seconds'] for r in rows):.1f} s inside cells)")
    print_table(rows[: args.top], ["cell", "seconds", "first line"])
    write_json(args.json, {"notebook": path.name, "total_seconds": total, "cells": rows})


if __name__ == "__main__":
    main()
