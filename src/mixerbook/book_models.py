"""The book's trained MLP, CNN and Mixer, shipped with the package.

Chapters that use one of these models without teaching how it is trained (the hierarchy chapter's CNN, the mixing
chapter's Mixer, the Mixer and conclusion chapters' three models) call :func:`load`. It returns the run of this
session's :mod:`mixerbook.cache` when the model was trained here under the current budget (so the website build uses
the very models chapters 1 and 6 trained), and otherwise the weights shipped in ``mixerbook/weights/``: the ``quick``
recipe with seed 0, trained on a CPU. A chapter run alone (Colab gives every notebook its own runtime) therefore does
not train again what another chapter trains.

Storage, one pair of files per model, readable without unpickling anything:

* ``weights/<name>.bin``: every tensor of the model's ``state_dict`` as little-endian float32, one after the other, in
  the order of the manifest (the browser reads the same file).
* ``weights/manifest.json``: for each model its file, the file's SHA-256, every tensor's name, shape, dtype and offset,
  the recipe (model class and arguments, training settings, budget, seed, device, library versions), the test
  accuracy measured when the weights were written and the training history of that run.

:func:`verify` compares the shipped weights with a model trained in this run (test accuracy within
:data:`ACCURACY_TOLERANCE` and the same prediction on at least :data:`AGREEMENT_FLOOR` of the test images);
``python -m mixerbook book-models --write`` trains the three models (reusing the run cache) and writes the files again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from .data import load_fashion_mnist
from .device import describe_device, resolve_device
from .experiments import MODELS, RunResult, budget_settings, build_model, cached_run, resolve_budget, trained
from .train import History, evaluate, predict

__all__ = [
    "NAMES",
    "WEIGHTS_DIR",
    "REGENERATE_COMMAND",
    "ACCURACY_TOLERANCE",
    "AGREEMENT_FLOOR",
    "manifest",
    "load_state_dict",
    "shipped",
    "load",
    "Agreement",
    "compare",
    "compare_runs",
    "verify",
    "write",
]

NAMES: tuple[str, ...] = ("MLP", "CNN", "Mixer")
"""The book models that ship with the package (keys of :data:`mixerbook.experiments.MODELS`)."""

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
REGENERATE_COMMAND = "python -m mixerbook book-models --write"
ACCURACY_TOLERANCE = 0.003
"""Largest allowed |accuracy(shipped) - accuracy(trained now)| on the 10,000 test images (0.3 points)."""
AGREEMENT_FLOOR = 0.98
"""Smallest allowed share of test images on which the shipped and the freshly trained model predict the same class."""

RECIPE_BUDGET = "quick"
RECIPE_SEED = 0
FORMAT = "mixerbook-weights/1"


def _check_name(name: object) -> str:
    if name not in NAMES:
        raise ValueError(f"No shipped weights for {name!r}; the book ships {', '.join(NAMES)}.")
    return name


def manifest() -> dict:
    """The parsed ``weights/manifest.json`` (format, and one entry per model in :data:`NAMES`).

    Raises:
        FileNotFoundError: when the package was installed without its weights (names the command that writes them).
    """
    path = WEIGHTS_DIR / "manifest.json"
    if not path.is_file():
        raise FileNotFoundError(f"The book models' weights are missing ({path}); write them with "
                                f"`{REGENERATE_COMMAND}`.")
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != FORMAT:
        raise ValueError(f"{path} has format {data.get('format')!r}; this mixerbook reads {FORMAT!r}.")
    return data


def load_state_dict(name: str) -> dict[str, torch.Tensor]:
    """The shipped ``state_dict`` of book model ``name``, checked against the manifest's SHA-256.

    Raises:
        ValueError: for an unknown name, or a weight file whose bytes do not match the manifest (truncated or changed).
    """
    entry = manifest()["models"][_check_name(name)]
    raw = (WEIGHTS_DIR / entry["file"]).read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != entry["sha256"]:
        raise ValueError(f"{entry['file']} does not match its checksum in manifest.json (sha256 {digest[:12]}…, "
                         f"expected {entry['sha256'][:12]}…); write the weights again with `{REGENERATE_COMMAND}`.")
    values = np.frombuffer(raw, dtype="<f4")
    state = {}
    for t in entry["tensors"]:
        count = int(np.prod(t["shape"], dtype=np.int64))
        start = t["offset"] // 4
        array = values[start:start + count].reshape(t["shape"]).astype(np.float32)
        state[t["name"]] = torch.from_numpy(array).to(getattr(torch, t["dtype"]))
    return state


def shipped(name: str, *, device: torch.device | str | None = None) -> RunResult:
    """Book model ``name`` with the shipped weights, tested now on the 10,000 test images.

    Its ``history`` is the history of the run that produced the weights (``cached`` is True: those times were measured
    on the machine that trained them, named in the manifest).
    """
    from . import complexity

    device = resolve_device(device)
    entry = manifest()["models"][_check_name(name)]
    model = build_model(name, seed=None)
    model.load_state_dict(load_state_dict(name))
    model.to(device).eval()
    test = load_fashion_mnist("test")
    metrics = evaluate(model, test.images, test.labels, device=device)
    history = History(**entry["history"], cached=True)
    return RunResult(name, model, complexity.count_params(model), complexity.count_macs(model, (1, 28, 28)),
                     history, metrics, "shipped")


def load(name: str, budget: str = "auto", *, device: torch.device | str | None = None,
         progress: bool = True) -> RunResult:
    """Book model ``name`` for a chapter that uses it without training it.

    The run of :func:`mixerbook.experiments.trained` under ``budget`` when :mod:`mixerbook.cache` holds it (trained
    earlier on this machine, e.g. by chapter 1 or by the website build), otherwise the shipped weights
    (:func:`shipped`). With ``progress``, prints one Vietnamese line saying which. The returned run's ``source`` is
    ``"cache"`` or ``"shipped"``.
    """
    _check_name(name)
    device = resolve_device(device)
    level = resolve_budget(budget, device)
    run = cached_run(name, level, device=device)
    if run is not None:
        line = (f"{name}: lấy từ bộ nhớ đệm của máy này (đã huấn luyện ở đây với ngân sách {level}, "
                f"{len(run.history.epoch_seconds)} epoch)")
    else:
        run = shipped(name, device=device)
        recipe = manifest()["models"][name]["recipe"]
        line = (f"{name}: nạp trọng số huấn luyện sẵn kèm theo gói mixerbook (ngân sách {recipe['budget']}, seed "
                f"{recipe['seed']}, {recipe['settings']['epochs']} epoch), không huấn luyện lại")
    if progress:
        print(f"{line}; độ chính xác trên tập kiểm tra {run.metrics.accuracy:.2%}")
    return run


@dataclass
class Agreement:
    """How the shipped weights compare with a model trained in this run (see :func:`compare`)."""

    name: str
    shipped_accuracy: float
    trained_accuracy: float
    same_prediction: float
    """Share of the 10,000 test images on which both models predict the same class."""

    @property
    def accuracy_gap(self) -> float:
        return abs(self.shipped_accuracy - self.trained_accuracy)

    @property
    def ok(self) -> bool:
        return self.accuracy_gap <= ACCURACY_TOLERANCE and self.same_prediction >= AGREEMENT_FLOOR

    def describe(self) -> str:
        """One English line with both accuracies, the share of equal predictions and the tolerances."""
        return (f"{self.name}: test accuracy {self.shipped_accuracy:.2%} shipped against {self.trained_accuracy:.2%} "
                f"trained (at most {ACCURACY_TOLERANCE:.1%} apart), same prediction on {self.same_prediction:.2%} of "
                f"the test images (at least {AGREEMENT_FLOOR:.0%})")


def compare(run: RunResult, name: str | None = None) -> Agreement:
    """Compare the shipped weights of ``name`` (default ``run.name``) with ``run``'s trained model on the test set."""
    name = _check_name(name or run.name)
    test = load_fashion_mnist("test")
    device = next(run.model.parameters()).device
    ours = shipped(name, device=device)
    a = predict(ours.model, test.images, device=device).argmax(1)
    b = predict(run.model, test.images, device=device).argmax(1)
    return Agreement(name, ours.metrics.accuracy, run.metrics.accuracy, float((a == b).float().mean()))


def compare_runs(runs: dict[str, RunResult], budget: str = "auto") -> list[Agreement]:
    """:func:`compare` for every run of ``runs`` that follows the shipped recipe: a book model trained (not loaded)
    on the CPU under the recipe's budget. Runs of other budgets or devices, or of other models, are skipped (the
    list is then shorter, or empty)."""
    out = []
    for name, run in runs.items():
        device = next(run.model.parameters()).device
        if (name in NAMES and run.source != "shipped" and device.type == "cpu"
                and resolve_budget(budget, device) == RECIPE_BUDGET):
            out.append(compare(run, name))
    return out


def verify(run: RunResult, name: str | None = None) -> Agreement:
    """:func:`compare`, raising when the shipped weights no longer match what this run trains.

    Raises:
        AssertionError: accuracy more than 0.3 points apart or fewer than 98 % equal predictions; the message names
            the command that writes the weights again.
    """
    agreement = compare(run, name)
    if not agreement.ok:
        raise AssertionError(f"The shipped weights no longer match the model this run trains: {agreement.describe()}. "
                             f"Write them again with `{REGENERATE_COMMAND}` and commit src/mixerbook/weights/.")
    return agreement


def _tensor_entries(state: dict[str, torch.Tensor]) -> tuple[list[dict], bytes]:
    entries, chunks, offset = [], [], 0
    for key, tensor in state.items():
        data = tensor.detach().cpu().to(torch.float32).contiguous().numpy().astype("<f4").tobytes()
        entries.append({"name": key, "shape": list(tensor.shape), "dtype": str(tensor.dtype).removeprefix("torch."),
                        "offset": offset})
        chunks.append(data)
        offset += len(data)
    return entries, b"".join(chunks)


def write(names: tuple[str, ...] = NAMES, *, folder: Path | None = None, progress: bool = True) -> Path:
    """Train (or take from the run cache) the book models under the recipe, on the CPU, and write their weights.

    Returns:
        The path of the manifest written.
    """
    for name in names:
        _check_name(name)
    folder = Path(folder) if folder is not None else WEIGHTS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    device = torch.device("cpu")
    path = folder / "manifest.json"
    old = json.loads(path.read_text(encoding="utf-8")).get("models", {}) if path.is_file() else {}
    models = {k: v for k, v in old.items() if k in NAMES}
    for name in names:
        run = trained(name, RECIPE_BUDGET, device=device, seed=RECIPE_SEED, progress=progress)
        entries, blob = _tensor_entries(run.model.state_dict())
        file = f"{name.lower()}.bin"
        (folder / file).write_bytes(blob)
        cls, kwargs = MODELS[name]
        models[name] = {
            "file": file,
            "bytes": len(blob),
            "sha256": hashlib.sha256(blob).hexdigest(),
            "tensors": entries,
            "recipe": {"class": cls.__name__, "kwargs": kwargs, "budget": RECIPE_BUDGET, "seed": RECIPE_SEED,
                       "settings": budget_settings(name, RECIPE_BUDGET, device), "device": describe_device(device),
                       "torch": torch.__version__,
                       "written": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")},
            "test_accuracy": run.metrics.accuracy,
            "history": {"train_loss": run.history.train_loss, "test_accuracy": run.history.test_accuracy,
                        "epoch_seconds": run.history.epoch_seconds},
        }
    ordered = {name: models[name] for name in NAMES if name in models}
    path.write_text(json.dumps({"format": FORMAT, "models": ordered}, indent=1, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    return path
