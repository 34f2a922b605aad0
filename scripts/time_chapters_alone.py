"""Time every chapter the way a Colab reader runs it: alone, in a fresh kernel, with an empty run cache.

Each chapter notebook runs top to bottom with nbclient in a new kernel, in an empty folder, with
``MIXERBOOK_BUDGET=quick`` and ``MIXERBOOK_CACHE_DIR`` pointing at a new empty folder, so nothing another chapter
trained can be reused (Colab gives every notebook its own runtime). R is measured right before and right after;
the chapters are given in seconds and in their mean. The result goes to ``benchmarks/chapters_alone.json``, which
the teacher's guide reads, and a table beside each chapter's time in the last book build (its jupyter-cache) is
printed with the verdicts of the targets: alone at most 1 R longer than in the build, and at most 3 R (chapter 3:
5 R).

    .venv/bin/python scripts/time_chapters_alone.py                 # the notebook edition if built, else book/
    .venv/bin/python scripts/time_chapters_alone.py --only 07 09    # some chapters (the JSON keeps the others)

The notebooks run are the notebook edition the build writes (``_build/html/notebooks``, what Colab opens) when it
exists, otherwise the sources in ``book/`` with their hidden guard cells (tag ``remove-cell``) left out.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "benchmarks" / "chapters_alone.json"
LIMIT_R = {"03_inductive_bias": 5.0}
DEFAULT_LIMIT_R = 3.0
OVER_BUILD_LIMIT_R = 1.0


def _notebooks(folder: Path | None) -> tuple[Path, list[Path]]:
    for candidate in ([folder] if folder else [REPO / "_build" / "html" / "notebooks", REPO / "book"]):
        found = sorted(p for p in candidate.glob("[0-9][0-9]_*.ipynb"))
        if found:
            return candidate, found
    raise SystemExit(f"no chapter notebooks found in {folder or 'the notebook edition or book/'}")


def _run(path: Path, timeout: int) -> float:
    import nbclient
    import nbformat

    nb = nbformat.read(path, as_version=4)
    nb.cells = [c for c in nb.cells if "remove-cell" not in c.metadata.get("tags", [])]
    with tempfile.TemporaryDirectory() as cwd, tempfile.TemporaryDirectory() as runs:
        os.environ["MIXERBOOK_CACHE_DIR"] = runs
        client = nbclient.NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                         resources={"metadata": {"path": cwd}})
        start = time.perf_counter()
        client.execute()
        return time.perf_counter() - start


def _cpu() -> str:
    try:
        model = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                     if line.startswith("model name"))
    except (OSError, StopIteration):
        model = platform.processor() or "unknown CPU"
    flags = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    return f"{os.cpu_count()} cores, {model}, {'AVX-512' if 'avx512f' in flags else 'AVX2 or older'}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--folder", type=Path, default=None, help="folder of chapter notebooks to run")
    parser.add_argument("--only", nargs="*", default=None, help="chapter number prefixes, e.g. 07 09")
    parser.add_argument("--images", type=int, default=12000, help="training images per model to estimate R from")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per cell")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()

    import mixerbook as mb

    os.environ["MIXERBOOK_BUDGET"] = "quick"
    folder, paths = _notebooks(args.folder)
    if args.only:
        paths = [p for p in paths if p.name[:2] in args.only]
    before = mb.speed.measure_r(images=args.images)
    print(f"chapters alone: R before = {before['R']:.1f} s; notebooks from {folder}", flush=True)
    seconds = {}
    for path in paths:
        seconds[path.stem] = _run(path, args.timeout)
        print(f"chapters alone: {path.stem} {seconds[path.stem]:.1f} s", flush=True)
    after = mb.speed.measure_r(images=args.images)
    r = (before["R"] + after["R"]) / 2
    old = json.loads(args.out.read_text(encoding="utf-8")) if args.out.is_file() and args.only else {}
    chapters = {**old.get("chapters", {}), **{k: {"seconds": round(v, 1), "R": round(v / r, 2)}
                                              for k, v in seconds.items()}}
    record = {
        "command": "python scripts/time_chapters_alone.py",
        "date": dt.date.today().isoformat(),
        "machine": _cpu(),
        "budget": "quick",
        "notebooks": str(folder.relative_to(REPO)) if folder.is_relative_to(REPO) else str(folder),
        "R": {"before": round(before["R"], 1), "after": round(after["R"], 1),
              **{k: round((before[k] + after[k]) / 2, 1) for k in ("MLP", "CNN", "Mixer")}},
        "chapters": chapters,
    }
    args.out.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    build = {name.removesuffix(".ipynb"): s for name, s in
             mb.speed.chapter_times(REPO / "_build" / ".jupyter_cache").items()} if (
        REPO / "_build" / ".jupyter_cache").exists() else {}
    print(f"chapters alone: R = {before['R']:.1f} s before, {after['R']:.1f} s after, mean {r:.1f} s")
    print(f"{'chapter':<24} {'alone s':>8} {'alone R':>8} {'build s':>8} {'build R':>8} {'extra R':>8}  verdict")
    failed = 0
    for name, s in seconds.items():
        b = build.get(name)
        limit = LIMIT_R.get(name, DEFAULT_LIMIT_R)
        extra = (s - b) / r if b is not None else float("nan")
        ok = s / r <= limit and (b is None or extra <= OVER_BUILD_LIMIT_R)
        failed += not ok
        print(f"{name:<24} {s:>8.1f} {s / r:>8.2f} {b if b is not None else float('nan'):>8.1f} "
              f"{(b / r) if b is not None else float('nan'):>8.2f} {extra:>8.2f}  "
              f"{'ok' if ok else 'OVER'} (limit {limit:g} R alone, {OVER_BUILD_LIMIT_R:g} R over the build)")
    print(f"chapters alone: wrote {args.out}; {failed} chapter(s) over a target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
