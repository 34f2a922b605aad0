"""Print how long each chapter of the last book build ran, in seconds and in R measured now.

R is the machine's unit of training time (issue 14, ``mixerbook.speed.measure_r``): one quick-budget
epoch on the 60,000 training images of the MLP, plus one of the CNN, plus one of the Mixer. Chapter
times come from the build's jupyter-cache (``_build/.jupyter_cache``), which records how long each
notebook took to execute. Targets: every chapter within 2 R, the whole book within 8 R.

    .venv/bin/python scripts/build_summary.py               # after bash scripts/book.sh
    .venv/bin/python scripts/build_summary.py --images 6000 # estimate R from fewer images (faster)

R is estimated from ``--images`` training images per model, scaled to 60,000 (the default, 12,000,
costs about R / 5). The times are for the run recorded in the cache: a chapter whose code did not
change since an earlier build keeps that earlier time.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHAPTER_LIMIT_R = 2.0
BOOK_LIMIT_R = 8.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache", default=str(REPO / "_build" / ".jupyter_cache"))
    parser.add_argument("--images", type=int, default=12000, help="training images per model to estimate R from")
    args = parser.parse_args()

    import mixerbook as mb

    rows = list(mb.speed.chapter_times(args.cache).items())

    parts = mb.speed.measure_r(images=args.images)
    r = parts["R"]
    print(f"build summary: R = {r:.1f} s on this machine now (MLP {parts['MLP']:.1f} + CNN {parts['CNN']:.1f} "
          f"+ Mixer {parts['Mixer']:.1f} s per quick epoch; from {args.images:,} images each, scaled to 60,000)")
    print(f"{'notebook':<28} {'seconds':>8} {'R':>6}")
    over = []
    for name, seconds in rows:
        flag = ""
        if seconds > CHAPTER_LIMIT_R * r and name.endswith(".ipynb"):
            flag = f"  > {CHAPTER_LIMIT_R:g} R"
            over.append(name)
        print(f"{name:<28} {seconds:>8.1f} {seconds / r:>6.2f}{flag}")
    total = sum(s for _, s in rows)
    print(f"{'all notebooks':<28} {total:>8.1f} {total / r:>6.2f}  (target: {BOOK_LIMIT_R:g} R; "
          f"each chapter {CHAPTER_LIMIT_R:g} R)")
    if over:
        print(f"build summary: over {CHAPTER_LIMIT_R:g} R: {', '.join(over)}")
    if total > BOOK_LIMIT_R * r:
        print(f"build summary: the book took {total / r:.1f} R, over the {BOOK_LIMIT_R:g} R target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
