"""The book build: a cold build (fresh copy, no cache) and a warm rebuild, with every chapter's execution time.

The repository's tracked files are copied to a temporary folder (with node_modules linked, so the
site's offline assets are included), built there with `jupyter-book build . -W -n --keep-going`,
then built again without changes. Each chapter's execution time comes from MyST-NB's log lines.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import print_table, write_json  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EXECUTED = re.compile(r"(\S+\.ipynb): Executed notebook in ([0-9.]+) seconds")


def build(folder: Path) -> tuple[float, dict[str, float], str]:
    jb = Path(sys.executable).with_name("jupyter-book")
    env = {**os.environ, "MIXERBOOK_CACHE_DIR": str(folder / "_build" / ".runs")}
    start = time.perf_counter()
    proc = subprocess.run([str(jb), "build", ".", "-W", "-n", "--keep-going"], cwd=folder, env=env,
                          capture_output=True, text=True)
    seconds = time.perf_counter() - start
    log = proc.stdout + proc.stderr
    if proc.returncode != 0:
        print(log[-4000:])
        raise SystemExit(f"build failed with exit code {proc.returncode}")
    chapters = {Path(m.group(1)).stem: float(m.group(2)) for m in EXECUTED.finditer(log)}
    return seconds, chapters, log


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", default=None)
    parser.add_argument("--keep", action="store_true", help="keep the temporary copy")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="mixerbook-build-"))
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    for rel in files:
        (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, tmp / rel)
    if (ROOT / "node_modules").is_dir():
        (tmp / "node_modules").symlink_to(ROOT / "node_modules")
    print(f"building a copy in {tmp}")
    cold, chapters, _ = build(tmp)
    warm, rerun, _ = build(tmp)
    rows = [{"chapter": name, "execution_seconds": secs} for name, secs in sorted(chapters.items())]
    print_table(rows, ["chapter", "execution_seconds"])
    print(f"cold build: {cold:.1f} s; warm rebuild: {warm:.1f} s (chapters re-executed: {len(rerun)}); "
          f"ratio {cold / warm:.1f}x")
    write_json(args.json, {"cold_seconds": cold, "warm_seconds": warm, "chapters": chapters,
                           "reexecuted_on_rebuild": list(rerun)})
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
