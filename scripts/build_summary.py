"""Print how long each chapter of the last book build ran, in seconds and in R measured before and after it.

R is the machine's unit of training time (issue 14, ``mixerbook.speed.measure_r``): one quick-budget
epoch on the 60,000 training images of the MLP, plus one of the CNN, plus one of the Mixer. Chapter
times come from the build's jupyter-cache (``_build/.jupyter_cache``), which records how long each
notebook took to execute. Targets: every chapter within 2 R, the whole book within 8 R.

    .venv/bin/python scripts/build_summary.py --save-r _build/r-before.json    # right before a build
    .venv/bin/python scripts/build_summary.py --r-before _build/r-before.json  # after it (book.sh and CI do both)
    .venv/bin/python scripts/build_summary.py               # after a build, R measured now only
    .venv/bin/python scripts/build_summary.py --images 6000 # estimate R from fewer images (faster)

The host's speed can drift by a third between two runs (a shared virtual machine), so a multiple of
R is only as good as the R beside it: with ``--r-before`` each chapter is given in both units and
judged by their mean.

R is estimated from ``--images`` training images per model, scaled to 60,000 (the default, 12,000,
costs about R / 5). The times are for the run recorded in the cache: a chapter whose code did not
change since an earlier build keeps that earlier time.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHAPTER_LIMIT_R = 2.0
BOOK_LIMIT_R = 8.0


def _describe(parts: dict, images: int) -> str:
    return (f"R = {parts['R']:.1f} s (MLP {parts['MLP']:.1f} + CNN {parts['CNN']:.1f} + Mixer {parts['Mixer']:.1f} s "
            f"per quick epoch; from {images:,} images each, scaled to 60,000)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache", default=str(REPO / "_build" / ".jupyter_cache"))
    parser.add_argument("--images", type=int, default=12000, help="training images per model to estimate R from")
    parser.add_argument("--save-r", metavar="FILE", default=None,
                        help="only measure R now and write it to FILE (JSON); run it right before a build")
    parser.add_argument("--r-before", metavar="FILE", default=None,
                        help="R written by --save-r before the build: the summary then gives each chapter in R "
                             "measured before and after the build, and judges it by their mean")
    args = parser.parse_args()

    import mixerbook as mb

    if args.save_r:
        parts = mb.speed.measure_r(images=args.images)
        Path(args.save_r).parent.mkdir(parents=True, exist_ok=True)
        Path(args.save_r).write_text(json.dumps({**parts, "images": args.images}), encoding="utf-8")
        print(f"build summary: before the build, {_describe(parts, args.images)}")
        return 0

    rows = list(mb.speed.chapter_times(args.cache).items())
    before = None
    if args.r_before:
        try:
            before = json.loads(Path(args.r_before).read_text(encoding="utf-8"))
            float(before["R"])
        except (OSError, ValueError, KeyError, TypeError) as error:
            print(f"build summary: no R from before the build in {args.r_before} ({error}); using R after it only")
            before = None

    parts = mb.speed.measure_r(images=args.images)
    units = {"R after": parts["R"]}
    if before is not None:
        print(f"build summary: before the build, {_describe(before, int(before.get('images', args.images)))}")
        units = {"R before": float(before["R"]), **units}
    print(f"build summary: after the build, {_describe(parts, args.images)}")
    r = sum(units.values()) / len(units)
    if before is not None:
        print(f"build summary: the verdicts below use their mean, R = {r:.1f} s (the machine's speed drifts; the two "
              f"differ by {abs(units['R before'] - units['R after']) / r:.0%})")
    print(f"{'notebook':<28} {'seconds':>8}" + "".join(f" {name:>9}" for name in units))
    over = []
    for name, seconds in rows:
        flag = ""
        if seconds > CHAPTER_LIMIT_R * r and name.endswith(".ipynb"):
            flag = f"  > {CHAPTER_LIMIT_R:g} R"
            over.append(name)
        print(f"{name:<28} {seconds:>8.1f}" + "".join(f" {seconds / u:>9.2f}" for u in units.values()) + flag)
    total = sum(s for _, s in rows)
    print(f"{'all notebooks':<28} {total:>8.1f}" + "".join(f" {total / u:>9.2f}" for u in units.values())
          + f"  (target: {BOOK_LIMIT_R:g} R; each chapter {CHAPTER_LIMIT_R:g} R)")
    if over:
        print(f"build summary: over {CHAPTER_LIMIT_R:g} R: {', '.join(over)}")
    if total > BOOK_LIMIT_R * r:
        print(f"build summary: the book took {total / r:.1f} R, over the {BOOK_LIMIT_R:g} R target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
