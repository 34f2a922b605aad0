"""Every chapter runs top to bottom as in Colab, in an environment with Colab's versions.

``scripts/colab_mirror.sh`` builds (or reuses) ``~/.cache/mixerbook/envs/colab-mirror``: Colab's Python with the
versions Colab preinstalls (``scripts/colab-versions.txt``), a stand-in ``google.colab`` imported when the kernel
starts, and a kernelspec. mixerbook is removed from it at the start of the session; then each chapter's
generated notebook (the notebook edition the Colab button opens: ``notebooks/NN.ipynb`` of the built site,
``built_site``; no hidden guard cells, solutions folded) is executed with nbclient (from this venv) in that
kernel, in an empty folder (Colab fetches the notebook alone), with ``MIXERBOOK_BUDGET=smoke`` and
``MIXERBOOK_INSTALL_FROM`` naming a copy of this working tree, so the setup cell's Colab branch installs the
package exactly as it would from the repository. A chapter fails on any cell error, and if installing the package
changed anything but mixerbook in ``pip freeze``. Per-chapter times and the versions used are printed in the
terminal summary.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import nbformat
import pytest
from conftest import REPORT_TABLES
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from test_notebooks import CHAPTERS, setup_cell_source

pytestmark = pytest.mark.book

ROOT = Path(__file__).resolve().parents[1]
_TIMES: dict[str, str] = {}


def _clean_env() -> dict[str, str]:
    """This process's environment without what points Python or Jupyter elsewhere (PYTHONPATH=src ...)."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "JUPYTER", "IPYTHON"))}


def _source_copy(dest: Path) -> Path:
    """What the repository would hold (tracked and new files, not ignored ones) that building the package
    reads, copied to ``dest``: an in-tree build would reuse stale ``build/`` and ``*.egg-info`` folders,
    which a clone, as Colab installs from, never has."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, check=True).stdout.decode().split("\0")
    for name in listed:
        if (name.startswith("src/") or name in ("pyproject.toml", "README.md")) and (ROOT / name).is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, dest / name)
    return dest


def _freeze(python: Path, keep_mixerbook: bool = False) -> list[str]:
    out = subprocess.run(
        [str(python), "-m", "pip", "freeze", "--disable-pip-version-check"],
        capture_output=True, text=True, check=True, env=_clean_env(),
    ).stdout
    return sorted(line for line in out.splitlines() if keep_mixerbook or not line.startswith("mixerbook"))


@pytest.fixture(scope="session")
def mirror(tmp_path_factory) -> dict:
    """The built mirror, without mixerbook; its ``pip freeze``; the kernel's environment."""
    proc = subprocess.run(["bash", str(ROOT / "scripts" / "colab_mirror.sh")], cwd=ROOT,
                          capture_output=True, text=True, check=False, env=_clean_env())
    if proc.returncode != 0:
        pytest.fail(f"scripts/colab_mirror.sh failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}", pytrace=False)
    folder = ROOT / proc.stdout.strip().splitlines()[-1]
    python = folder / "venv" / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "uninstall", "-y", "-q", "mixerbook"], capture_output=True, check=False,
                   env=_clean_env())
    env = _clean_env()
    env.update(
        MIXERBOOK_BUDGET="smoke",
        MIXERBOOK_INSTALL_FROM=f"mixerbook @ {_source_copy(tmp_path_factory.mktemp('tree')).as_uri()}",
        # Colab starts with no finished runs: a cold results cache shared by the chapters of this session.
        MIXERBOOK_CACHE_DIR=str(tmp_path_factory.mktemp("mixerbook-runs")),
    )
    env.setdefault("OMP_NUM_THREADS", "1")
    versions = [line.removeprefix("colab-mirror: ") for line in proc.stdout.splitlines() if "Python" in line]
    return {"folder": folder, "python": python, "freeze": _freeze(python), "env": env, "versions": versions}


def _execute(nb, mirror: dict, cwd: Path) -> None:
    km = KernelManager(
        kernel_name="colab-mirror",
        kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(mirror["folder"] / "kernels")]),
    )
    client = NotebookClient(nb, km=km, timeout=900, allow_errors=False, resources={"metadata": {"path": str(cwd)}})
    try:
        client.execute(env=mirror["env"], cwd=str(cwd))
    finally:  # nbclient leaves a kernel manager it was given running
        if km.has_kernel:
            km.shutdown_kernel(now=True)


def _cell_failure(nb, exc: CellExecutionError) -> str:
    for i, cell in enumerate(nb.cells):
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if errors:
            source = "\n".join(f"    {line}" for line in cell.source.splitlines()[:15])
            return f"cell {i} (counting from 0, of {len(nb.cells)} cells) failed:\n{source}\n\n{exc}"
    return str(exc)


def _report(mirror: dict) -> None:
    lines = [*mirror["versions"], "per chapter (setup cell included):"]
    lines += [f"  {name}: {took}" for name, took in _TIMES.items()]
    REPORT_TABLES["colab mirror"] = "\n".join(lines)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_runs_in_colab_mirror(path: Path, mirror: dict, built_site: Path, tmp_path: Path):
    # What Colab opens: the notebook edition, which leaves out the hidden guards (remove-cell asserts that check
    # the chapter's sentences against `quick` and `full` runs; a `smoke` run trains ten steps per model).
    nb = nbformat.read(built_site / "notebooks" / path.name, as_version=4)
    assert not any("remove-cell" in c.metadata.get("tags", []) for c in nb.cells)
    start = time.perf_counter()
    try:
        _execute(nb, mirror, tmp_path)
    except CellExecutionError as exc:
        _TIMES[path.stem] = f"FAILED after {time.perf_counter() - start:.0f} s"
        pytest.fail(f"{path.name} in the Colab mirror: {_cell_failure(nb, exc)}", pytrace=False)
    finally:
        _TIMES.setdefault(path.stem, f"{time.perf_counter() - start:.0f} s")
        _report(mirror)
    now = _freeze(mirror["python"], keep_mixerbook=True)
    assert [line for line in now if line.startswith("mixerbook @ file:")], "the setup cell did not install mixerbook"
    changed = sorted((set(now) ^ set(mirror["freeze"])) - {line for line in now if line.startswith("mixerbook")})
    assert not changed, f"installing mixerbook changed packages that Colab preinstalls: {changed}"


def test_setup_cell_asks_for_a_restart_when_an_older_mixerbook_is_loaded(mirror: dict, tmp_path: Path):
    """With mixerbook imported and older than the book, the cell shows pip's output and one sentence."""
    cell = setup_cell_source(CHAPTERS[0])
    assert 'BOOK_VERSION = "' in cell
    newer = re.sub(r'BOOK_VERSION = "[^"]+"', 'BOOK_VERSION = "999.0.0"', cell)
    cells = [cell, "import mixerbook", newer]  # the first installs mixerbook if no chapter ran before
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in cells])
    _execute(nb, mirror, tmp_path)
    text = "".join(o.get("text", "") for o in nb.cells[2].outputs if o.get("output_type") == "stream")
    assert re.search(r"Requirement already satisfied|Successfully installed", text), text
    assert "Hãy khởi động lại phiên" in text, text
