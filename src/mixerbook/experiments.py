"""The book's named experiments, each with a time budget.

Budgets: ``quick`` keeps a chapter within about 3 minutes on a 2-core CPU (classroom laptops);
``full`` trains longer for a GPU (Colab); ``smoke`` only checks that everything runs (tests, the Colab
mirror). ``auto`` picks ``full`` on CUDA and ``quick`` elsewhere; the environment variable
``MIXERBOOK_BUDGET`` overrides the choice. Every per-budget setting a chapter uses lives in a table
here with one entry per budget (:data:`BUDGETS`, :data:`GROWTH_TIME_LIMITS_S`, ...), never in a
chapter's ``if budget == ...``.
"""

from __future__ import annotations

import copy
import os
import random
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
import torch
from torch import nn

from . import cache, complexity
from .data import load_fashion_mnist, place_on_canvas, shift_images, to_float
from .device import resolve_device, set_seed
from .models import FlattenMLP, MlpMixer, PyramidCNN, SmallCNN
from .text import number
from .train import History, Metrics, evaluate, fit, world

__all__ = [
    "BUDGETS",
    "MODELS",
    "build_model",
    "resolve_budget",
    "RunResult",
    "train_and_test",
    "budget_settings",
    "mlp_vs_cnn",
    "trained",
    "cached_run",
    "EXPERIMENTS",
    "shift_robustness",
    "shift_equivariance",
    "EXPERIMENT_BUDGETS",
    "EquivarianceCheck",
    "equivariance_check",
    "neighbour_correlation",
    "PermutationRun",
    "permutation_experiment",
    "accuracy_grid",
]

BUDGETS: dict[str, dict[str, dict[str, float]]] = {
    "quick": {
        "mlp": {"epochs": 10, "batch_size": 256, "lr": 2e-3},
        # 3 CNN epochs: 91.4% and 91.5% (seeds 0, 1) against 92.1% after 5, at 3/5 of the time;
        # 4 Mixer epochs: at least 89% (3 epochs already reach 89.1%), against 90.0% after 6 (2026-11-30)
        "cnn": {"epochs": 3, "batch_size": 256, "lr": 3e-3},
        "mixer": {"epochs": 4, "batch_size": 256, "lr": 3e-3},
    },
    "smoke": {  # ten steps each (one epoch on the first 2560 training images): for tests, the Colab mirror
        # and `python -m mixerbook ... --budget smoke`; it checks that everything runs, not what it learns
        "mlp": {"epochs": 1, "batch_size": 256, "lr": 2e-3, "train_images": 2560},
        "cnn": {"epochs": 1, "batch_size": 256, "lr": 3e-3, "train_images": 2560},
        "mixer": {"epochs": 1, "batch_size": 256, "lr": 3e-3, "train_images": 2560},
    },
    "full": {
        "mlp": {"epochs": 30, "batch_size": 256, "lr": 2e-3},
        "cnn": {"epochs": 20, "batch_size": 256, "lr": 3e-3},
        "mixer": {"epochs": 30, "batch_size": 256, "lr": 3e-3},
    },
}
"""Training settings per budget and model family (the key is the model name in lower case, before any "-")."""

MODELS: dict[str, tuple[type, dict]] = {
    "MLP": (FlattenMLP, dict(image_size=28, in_channels=1, hidden_dims=(256, 128), num_classes=10)),
    "CNN": (SmallCNN, dict(image_size=28, in_channels=1, channels=(16, 32), head_dim=128, num_classes=10)),
    "CNN-pyramid": (PyramidCNN, dict(in_channels=1, channels=(16, 32, 64), convs_per_stage=1, num_classes=10)),
    "Mixer": (MlpMixer, dict(num_classes=10, num_blocks=4, patch_size=7, hidden_dim=128, tokens_mlp_dim=64,
                             channels_mlp_dim=256, image_size=28, in_channels=1)),
    "Mixer-tiny": (MlpMixer, dict(num_classes=10, num_blocks=4, patch_size=7, hidden_dim=64, tokens_mlp_dim=32,
                                  channels_mlp_dim=128, image_size=28, in_channels=1)),
}
"""The book's Fashion-MNIST models by name: (class, keyword arguments). One home for every experiment."""


def build_model(name: str, seed: int | None = 0, **overrides) -> nn.Module:
    """Build one of :data:`MODELS` by name, seeded, with optional keyword overrides.

    Example: ``build_model("Mixer", patch_size=4)``.

    Raises:
        ValueError: for an unknown name.
    """
    _check_model_names((name,))
    cls, kwargs = MODELS[name]
    if seed is not None:
        set_seed(seed)
    return cls(**{**kwargs, **overrides})


def _check_model_names(names: object) -> None:
    """Raise unless ``names`` is a sequence of keys of :data:`MODELS` (checked before any data is loaded)."""
    if isinstance(names, str) or not all(isinstance(n, str) for n in names):
        raise TypeError(f"models must be a tuple of model names such as ('MLP', 'CNN'), got {names!r}; "
                        f"names: {', '.join(MODELS)}.")
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        raise ValueError(f"Unknown model {unknown[0]!r}; expected one of {', '.join(MODELS)}.")


def budget_settings(name: str, budget: str = "auto", device: torch.device | str | None = None,
                    experiment: str | None = None) -> dict[str, float]:
    """Training settings (epochs, batch_size, lr) of model ``name`` under ``budget``.

    With ``experiment`` (a key of :data:`EXPERIMENT_BUDGETS`), that experiment's own table is used
    where it has one for the budget.
    """
    _check_model_names((name,))
    family = name.split("-")[0].lower()
    level = resolve_budget(budget, device)
    if experiment is not None and experiment not in EXPERIMENT_BUDGETS:
        raise ValueError(f"Unknown experiment {experiment!r}; budgets exist for {', '.join(EXPERIMENT_BUDGETS)}.")
    table = EXPERIMENT_BUDGETS.get(experiment, {}).get(level, {}) if experiment else {}
    return dict(table.get(family, BUDGETS[level][family]))


def resolve_budget(budget: str = "auto", device: torch.device | str | None = None) -> str:
    """Turn ``"auto"`` into ``"quick"`` or ``"full"``.

    The environment variable ``MIXERBOOK_BUDGET`` (``quick``, ``full`` or ``smoke``) wins over ``auto``.

    Raises:
        ValueError: for a budget name that is not ``auto``, ``quick``, ``full`` or ``smoke``.
    """
    if budget == "auto":
        budget = os.environ.get("MIXERBOOK_BUDGET") or "auto"
    if budget == "auto":
        device = resolve_device(device)
        return "full" if device.type == "cuda" else "quick"
    if budget not in BUDGETS:
        source = " (from MIXERBOOK_BUDGET)" if os.environ.get("MIXERBOOK_BUDGET") == budget else ""
        raise ValueError(f"Unknown budget {budget!r}{source}; expected 'auto', 'quick', 'full' or 'smoke'.")
    return budget


@dataclass
class RunResult:
    """One trained model and what was measured about it."""

    name: str
    model: nn.Module
    params: int
    macs: int
    history: History
    metrics: Metrics
    source: str = "trained"
    """Where the weights come from: ``"trained"`` in this call, ``"cache"`` (:mod:`mixerbook.cache`) or ``"shipped"``
    (:mod:`mixerbook.book_models`)."""

    def row(self) -> dict[str, float | int | str]:
        """A flat dict for a results table."""
        return {
            "model": self.name,
            "params": self.params,
            "macs": self.macs,
            "train_seconds": round(self.history.seconds, 1),
            **{k: round(v, 4) for k, v in self.metrics.as_dict().items()},
        }


def train_and_test(name: str, model: nn.Module, settings: dict, train, test, *,
                   device: torch.device | str | None = None, seed: int = 0, progress: bool = True,
                   per_epoch_test: bool = True) -> RunResult:
    """Train ``model`` with ``settings`` on ``train``, test it on ``test``; reuse a cached run when one exists.

    Args:
        name: label of the run (progress bar, tables).
        model: a freshly built model (its initial weights are part of what ``seed`` fixes).
        settings: ``epochs``, ``batch_size`` and ``lr`` (see :func:`budget_settings`), and optionally
            ``train_images``: train on the first that many images of ``train`` only (the ``smoke`` budget).
        train, test: :class:`mixerbook.data.ImageSplit` (or any object with ``images`` and ``labels``).
        per_epoch_test: record the test accuracy after every epoch (False: only at the end, which
            saves time when a small training set means many short epochs).

    Returns:
        A :class:`RunResult` with the trained model. A run found in :mod:`mixerbook.cache` is loaded
        instead of trained again (its ``history`` is the original run's, with ``cached = True``).
    """
    device = resolve_device(device)
    if settings.get("train_images") is not None and settings["train_images"] < len(train.labels):
        train = _subset(train, int(settings["train_images"]))
    key = _run_key(model, settings, seed, train, test, device, per_epoch_test)
    record = cache.load(key)
    if record is not None:
        history, metrics = _restore(model, record, device)
        if progress:
            print(f"{name}: dùng lại kết quả đã lưu trong bộ nhớ đệm (lần huấn luyện trước mất "
                  f"{history.seconds:.1f} giây)")
    else:
        history = fit(
            model, train.images, train.labels,
            epochs=int(settings["epochs"]), batch_size=int(settings["batch_size"]), lr=float(settings["lr"]),
            seed=seed, test_images=test.images if per_epoch_test else None,
            test_labels=test.labels if per_epoch_test else None, device=device, progress=progress, desc=name,
        )
        metrics = evaluate(model, test.images, test.labels, device=device)
        if world()[1] == 0:
            cache.save(key, {
                "state_dict": {k: v.detach().cpu() for k, v in model.state_dict().items()},
                "history": {"train_loss": history.train_loss, "test_accuracy": history.test_accuracy,
                            "epoch_seconds": history.epoch_seconds},
                "metrics": {"accuracy": metrics.accuracy, "precision": metrics.precision, "recall": metrics.recall,
                            "confusion": metrics.confusion},
            })
    input_shape = tuple(train.images.shape[1:]) if train.images.dim() == 4 else (1, *train.images.shape[1:])
    return RunResult(name, model, complexity.count_params(model), complexity.count_macs(model, input_shape),
                     history, metrics, "cache" if record is not None else "trained")


def _run_key(model: nn.Module, settings: dict, seed: int, train, test, device: torch.device,
             per_epoch_test: bool = True) -> str:
    """The :mod:`mixerbook.cache` key of training ``model`` as :func:`train_and_test` does."""
    return cache.run_key(model, settings if per_epoch_test else {**settings, "per_epoch_test": False}, seed,
                         cache.data_fingerprint(train.images, train.labels) + cache.data_fingerprint(test.images,
                                                                                                     test.labels),
                         device)


def _restore(model: nn.Module, record: dict, device: torch.device) -> tuple[History, Metrics]:
    """Load a cached run's weights into ``model``; its history (marked cached) and metrics."""
    model.load_state_dict(record["state_dict"])
    model.to(device).eval()
    history = History(**record["history"])
    history.cached = True
    return history, Metrics(**record["metrics"])


def cached_run(name: str, budget: str = "auto", *, device: torch.device | str | None = None,
               seed: int = 0) -> RunResult | None:
    """The run :func:`trained` would return from :mod:`mixerbook.cache`, or None when it has not been trained here.

    Never trains: chapters that use a book model without teaching its training call
    :func:`mixerbook.book_models.load`, which falls back to the weights shipped with the package.
    """
    device = resolve_device(device)
    settings = budget_settings(name, budget, device)
    train, test = load_fashion_mnist("train"), load_fashion_mnist("test")
    if settings.get("train_images") is not None and settings["train_images"] < len(train.labels):
        train = _subset(train, int(settings["train_images"]))
    model = build_model(name, seed)
    record = cache.load(_run_key(model, settings, seed, train, test, device))
    if record is None:
        return None
    history, metrics = _restore(model, record, device)
    return RunResult(name, model, complexity.count_params(model), complexity.count_macs(model, (1, 28, 28)),
                     history, metrics, "cache")


def _subset(split, limit: int | None):
    if limit is None:
        return split
    if limit <= 0:
        raise ValueError(f"limit must be positive, got {limit}.")
    if not hasattr(split, "source"):  # any object with images and labels
        return SimpleNamespace(images=split.images[:limit], labels=split.labels[:limit])
    return type(split)(split.images[:limit], split.labels[:limit], split.source)


def mlp_vs_cnn(budget: str = "auto", *, device: torch.device | str | None = None, seed: int = 0,
               progress: bool = True, models: tuple[str, ...] = ("MLP", "CNN"),
               limit: int | None = None) -> dict[str, RunResult]:
    """Train the flatten-MLP and the small CNN on all 60,000 Fashion-MNIST images and test both.

    Args:
        budget: "auto", "quick", "full" or "smoke" (see :data:`BUDGETS`).
        device: defaults to :func:`mixerbook.get_device`.
        seed: seeds the initial weights and the batch order.
        progress: show progress bars.
        models: which of :data:`MODELS` to train.
        limit: train on the first ``limit`` training images only (all 60,000 when None).

    Returns:
        ``{"MLP": RunResult, "CNN": RunResult}``.
    """
    _check_model_names(models)
    resolve_budget(budget, device)
    return {name: trained(name, budget, device=device, seed=seed, progress=progress, limit=limit) for name in models}


def trained(name: str, budget: str = "auto", *, device: torch.device | str | None = None, seed: int = 0,
            progress: bool = True, limit: int | None = None) -> RunResult:
    """The book's model ``name`` (see :data:`MODELS`) trained on Fashion-MNIST under ``budget`` and tested.

    Every chapter that needs a trained model calls this, so a model trained in one chapter is
    reused from :mod:`mixerbook.cache` by the next one (same name, budget, seed and device).

    Args:
        name: a key of :data:`MODELS`, e.g. "MLP", "CNN", "Mixer".
        budget: "auto", "quick", "full" or "smoke".
        limit: train on the first ``limit`` training images only.
    """
    device = resolve_device(device)
    settings = budget_settings(name, budget, device)  # unknown names fail here, before the data is loaded
    train, test = _subset(load_fashion_mnist("train"), limit), load_fashion_mnist("test")
    return train_and_test(name, build_model(name, seed), settings, train, test,
                          device=device, seed=seed, progress=progress)


def shift_robustness(model: nn.Module, images: torch.Tensor, labels: torch.Tensor,
                     shifts: tuple[int, ...] = (0, 1, 2, 3), *, direction: str = "right",
                     device: torch.device | str | None = None) -> list[float]:
    """Test accuracy after moving every image ``s`` pixels, for each ``s`` in ``shifts``.

    Args:
        images: (N, H, W) uint8 test images; labels: (N,) class ids.
        direction: "right", "left", "down" or "up".

    Returns:
        One accuracy in [0, 1] per shift.
    """
    steps = {"right": (1, 0), "left": (-1, 0), "down": (0, 1), "up": (0, -1)}
    if direction not in steps:
        raise ValueError(f"Unknown direction {direction!r}; expected one of {', '.join(steps)}.")
    ux, uy = steps[direction]
    return [evaluate(model, shift_images(images, dx=ux * s, dy=uy * s), labels, device=device).accuracy
            for s in shifts]


@torch.no_grad()
def shift_equivariance(images: torch.Tensor, conv: nn.Conv2d, dx: int = 1, dy: int = 0) -> dict[str, float]:
    """Move images by (dx, dy) pixels and compare what a flat vector and a convolution make of it.

    Args:
        images: (N, H, W) uint8 images.
        conv: a 2-D convolution with stride 1 and "same" padding (e.g. the CNN's first layer).
        dx, dy: the shift in pixels.

    Returns:
        A dict with:
        ``flat_changed``: share of positions of the flat vector whose value changes;
        ``flat_relative_change``: ||v' - v|| / ||v|| for the flat vectors v, v';
        ``conv_relative_change``: the same for the feature maps F(x), F(x');
        ``conv_equivariance_error``: max |F(x') - shift(F(x))| / max |F(x)|, away from the border
        (zero up to rounding: the feature map of a shifted image is the shifted feature map).
    """
    if conv.stride != (1, 1):
        raise ValueError(f"shift_equivariance needs a stride-1 convolution, got stride {conv.stride}.")
    x = images.float().div(255).unsqueeze(1)  # (N, H, W) -> (N, 1, H, W), in [0, 1]
    xs = shift_images(x, dx, dy)
    v, vs = x.flatten(1), xs.flatten(1)  # (N, H*W)
    conv = copy.deepcopy(conv).to("cpu").float()  # leave the caller's layer where it was
    f, fs = conv(to_float(x)), conv(to_float(xs))  # (N, C', H, W)
    f_moved = shift_images(f, dx, dy)
    m = conv.kernel_size[0] // 2 + max(abs(dx), abs(dy))
    inner = (slice(None), slice(None), slice(m, -m), slice(m, -m))
    return {
        "flat_changed": float((v != vs).float().mean()),
        "flat_relative_change": float(((vs - v).norm(dim=1) / v.norm(dim=1)).mean()),
        "conv_relative_change": float(((fs - f).flatten(1).norm(dim=1) / f.flatten(1).norm(dim=1)).mean()),
        "conv_equivariance_error": float((fs[inner] - f_moved[inner]).abs().max() / f.abs().max()),
    }


EXPERIMENTS = {
    "mlp_vs_cnn": mlp_vs_cnn,
}
"""The experiments that ``python -m mixerbook run NAME`` can run, by name."""


# --------------------------------------------------------------------------- inductive bias (chapter 3)
EXPERIMENT_BUDGETS: dict[str, dict[str, dict[str, dict[str, float]]]] = {
    "permutation": {
        # nine trainings inside one CPU chapter: the same settings for every mode; the MLP and the Mixer-tiny
        # with fewer epochs than BUDGETS["quick"]. One Mixer-tiny epoch (was 2 until 2026-12-07, issue 14):
        # the patch run equals the original exactly at any length, and the global shuffle still costs under
        # 15% of the accuracy (none / patch / global: 85.30 / 85.30 / 84.56% after 1 epoch, 87.53 / 87.53 / about
        # 87% after 2, measured 2026-12-07), and the chapter's four Mixer-tiny runs take half their time
        # (they were about a third of the chapter)
        "quick": {
            "mlp": {"epochs": 5, "batch_size": 256, "lr": 2e-3},
            "cnn": {"epochs": 3, "batch_size": 256, "lr": 3e-3},  # = BUDGETS["quick"]: "none" is chapter 1's run
            "mixer": {"epochs": 1, "batch_size": 256, "lr": 3e-3},
        },
    },
}
"""Budgets of single experiments that differ from :data:`BUDGETS`: ``{experiment: {budget: {family: settings}}}``.

A budget missing here (e.g. ``full``) falls back to :data:`BUDGETS`."""


@dataclass
class EquivarianceCheck:
    """What a layer makes of an image and of the same image moved, see :func:`equivariance_check`.

    Attributes:
        error: max |F(Tx) - T F(x)| / max |F(x)| away from the border (0 for an equivariant layer).
        change: mean ||F(Tx) - F(x)|| / ||F(x)||: how much the output itself changed.
        fx, ftx, tfx: (H, W) maps F(x), F(Tx) and T F(x) of the first image, first output channel.
    """

    error: float
    change: float
    fx: torch.Tensor
    ftx: torch.Tensor
    tfx: torch.Tensor


@torch.no_grad()
def equivariance_check(layer: nn.Module, images: torch.Tensor, dx: int = 1, dy: int = 0,
                       margin: int = 2) -> EquivarianceCheck:
    """Does moving the input move the output with it?  Compare F(Tx) with T F(x).

    ``T`` moves an image by (dx, dy) pixels (:func:`mixerbook.data.shift_images`, zeros fill the
    border). Any layer that maps images to image-shaped outputs can be checked: a convolution, or
    a fully connected layer whose H*W outputs are viewed as an H x W map.

    Args:
        layer: maps (N, 1, H, W) float input to (N, C', H, W).
        images: (N, H, W) uint8 images.
        dx, dy: the shift in pixels.
        margin: border rows and columns left out of ``error`` (where zero padding and the zeros
            that fill the shifted border differ); at least the kernel radius plus the shift.

    Returns:
        An :class:`EquivarianceCheck`.
    """
    if images.dim() != 3:
        raise ValueError(f"equivariance_check expects (N, H, W) uint8 images, got shape {tuple(images.shape)}.")
    if margin < max(abs(dx), abs(dy)) or 2 * margin >= min(images.shape[-2:]):
        raise ValueError(f"margin must be at least the shift ({max(abs(dx), abs(dy))}) and leave an interior; "
                         f"got {margin} for {images.shape[-2]}x{images.shape[-1]} images.")
    layer = copy.deepcopy(layer).to("cpu").float().eval()  # leave the caller's layer where it was
    f = layer(to_float(images))  # (N, C', H, W)
    fs = layer(to_float(shift_images(images, dx, dy)))  # F(Tx)
    if f.dim() != 4 or f.shape[-2:] != images.shape[-2:]:
        raise ValueError(f"The layer must return (N, C', H, W) maps of the image's size, got {tuple(f.shape)}.")
    moved = shift_images(f, dx, dy)  # T F(x)
    inner = (slice(None), slice(None), slice(margin, -margin), slice(margin, -margin))
    return EquivarianceCheck(
        error=float((fs[inner] - moved[inner]).abs().max() / f.abs().max()),
        change=float(((fs - f).flatten(1).norm(dim=1) / f.flatten(1).norm(dim=1)).mean()),
        fx=f[0, 0].clone(), ftx=fs[0, 0].clone(), tfx=moved[0, 0].clone(),
    )


def neighbour_correlation(images: torch.Tensor, max_distance: int = 10) -> list[float]:
    """Correlation between the values of two pixels ``d`` columns apart, for d = 1 .. max_distance.

    Pearson correlation over every image and every pair of positions (r, c), (r, c + d): it
    measures how much a pixel tells about the pixels near it (the locality that CNNs assume).

    Args:
        images: (N, H, W) images.
        max_distance: largest horizontal distance, below W.

    Returns:
        ``max_distance`` correlations in [-1, 1].
    """
    if images.dim() != 3 or not 1 <= max_distance < images.shape[-1]:
        raise ValueError(f"neighbour_correlation needs (N, H, W) images and 1 <= max_distance < W; got shape "
                         f"{tuple(images.shape)} and max_distance {max_distance}.")
    x = images.double()
    out = []
    for d in range(1, max_distance + 1):
        a, b = x[..., :, :-d].flatten(), x[..., :, d:].flatten()
        a, b = a - a.mean(), b - b.mean()
        out.append(float((a * b).sum() / (a.norm() * b.norm())))
    return out


@dataclass
class PermutationRun(RunResult):
    """One training run of :func:`permutation_experiment`.

    Attributes (besides :class:`RunResult`'s):
        base: the model's name in :data:`MODELS`.
        mode: the shuffle of its training and test images: "none", "patch" or "global".
        init: where its initial weights came from: ``"same"`` (the initial weights of the run on
            original images), ``"permuted"`` (those weights rewired by
            :func:`mixerbook.permute.rewire`, so the run is the original run seen through the
            permutation) or ``"independent"`` (a fresh seed for the weights and the batch order).
    """

    base: str = ""
    mode: str = "none"
    init: str = "same"


def permutation_experiment(
    budget: str = "auto",
    models: tuple[str, ...] = ("MLP", "CNN", "Mixer-tiny"),
    modes: tuple[str, ...] = ("none", "patch", "global"),
    *,
    patch_size: int = 7,
    init: str = "permuted",
    perm_seed: int = 0,
    limit: int | None = None,
    device: torch.device | str | None = None,
    seed: int = 0,
    progress: bool = True,
) -> dict[str, PermutationRun]:
    """Train each model on original and on shuffled Fashion-MNIST under equal budgets (paper §3.4, Figure 4).

    Every mode uses ONE fixed permutation (:func:`mixerbook.permute.make_permutation`), applied
    to the training and the test images alike. Each model gets the same settings in every mode
    (:func:`budget_settings` with ``experiment="permutation"``), the same batch order and, with
    ``init="permuted"``, the same initial weights seen through the permutation: where
    :func:`mixerbook.permute.rewire` can rearrange the weights (any permutation for the MLP, a
    patch+pixel shuffle with its own patch size for the Mixer), the shuffled run is then the
    original run up to rounding. Where it cannot (the CNN; the Mixer under a global shuffle), the
    run starts from the original run's initial weights unchanged.

    Args:
        budget: "auto", "quick", "full" or "smoke".
        models: names in :data:`MODELS`.
        modes: shuffles from :data:`mixerbook.permute.MODES`.
        patch_size: P of the "patch" shuffle (7 matches the Mixers' patches).
        init: "permuted" (see above) or "independent" (mode number k of :data:`mixerbook.permute.MODES`
            uses seed + k for the weights and the batch order).
        perm_seed: seeds the permutations.
        limit: train on the first ``limit`` training images only (all 60,000 when None).
        device: defaults to :func:`mixerbook.get_device`.
        seed: seeds the initial weights and the batch order.
        progress: show progress bars.

    Returns:
        ``{"<model>/<mode>": PermutationRun}``, models outer, modes inner.
    """
    from . import permute

    if init not in ("permuted", "independent"):
        raise ValueError(f"Unknown init {init!r}; expected 'permuted' or 'independent'.")
    unknown = [m for m in modes if m not in permute.MODES]
    if unknown:
        raise ValueError(f"Unknown shuffle mode(s) {unknown}; expected some of {', '.join(permute.MODES)}.")
    _check_model_names(models)
    device = resolve_device(device)
    resolve_budget(budget, device)
    train, test = _subset(load_fashion_mnist("train"), limit), load_fashion_mnist("test")
    height, width = train.images.shape[-2:]
    perms = {m: permute.make_permutation(m, height, width, patch_size, seed=perm_seed) for m in modes}
    runs: dict[str, PermutationRun] = {}
    for name in models:
        settings = budget_settings(name, budget, device, experiment="permutation")
        start = build_model(name, seed)  # the initial weights of the run on original images
        for mode in modes:
            perm = perms[mode]
            run_seed, how = seed, "same"
            if init == "independent" and mode != "none":
                run_seed, how = seed + permute.MODES.index(mode), "independent"
                model = build_model(name, run_seed)
            else:
                try:
                    model = permute.rewire(start, perm)
                    how = "same" if mode == "none" else "permuted"
                except ValueError:  # no rewiring exists: start from the same weights
                    model = copy.deepcopy(start)
            shuffled_train = type(train)(perm(train.images), train.labels, train.source)
            shuffled_test = type(test)(perm(test.images), test.labels, test.source)
            label = f"{name} | {permute.MODE_NAMES[mode]}"
            if mode == "none" and limit is None and _is_book_recipe(name, settings, budget, device, run_seed):
                # The run on original images is then the very run of chapter 1 (same weights, settings, batch
                # order): the run cache returns it, or, in a chapter run alone, the weights shipped with the package.
                from . import book_models

                result = book_models.load(name, budget, device=device, progress=progress)
                result.name = label
            else:
                result = train_and_test(label, model, settings, shuffled_train, shuffled_test, device=device,
                                        seed=run_seed, progress=progress)
            runs[f"{name}/{mode}"] = PermutationRun(**vars(result), base=name, mode=mode, init=how)
    return runs


def _is_book_recipe(name: str, settings: dict, budget: str, device: torch.device, seed: int) -> bool:
    """True when training ``name`` with ``settings`` is the recipe of a shipped model (:mod:`mixerbook.book_models`)."""
    from . import book_models

    return (name in book_models.NAMES and seed == book_models.RECIPE_SEED and device.type == "cpu"
            and resolve_budget(budget, device) == book_models.RECIPE_BUDGET
            and settings == budget_settings(name, book_models.RECIPE_BUDGET, device))


def accuracy_grid(runs: dict[str, PermutationRun]) -> dict[str, dict[str, float]]:
    """``{model: {mode: test accuracy}}`` from the runs of :func:`permutation_experiment`."""
    grid: dict[str, dict[str, float]] = {}
    for run in runs.values():
        grid.setdefault(run.base, {})[run.mode] = run.metrics.accuracy
    return grid


EXPERIMENTS["permutation"] = permutation_experiment


# --------------------------------------------------------------------------- the Mixer (chapter 7)
def scoreboard(results: dict[str, RunResult], *, device: torch.device | str | None = None,
               timing_images: int = 6000) -> list[dict[str, object]]:
    """One row per trained model for a same-budget comparison table (:func:`mixerbook.viz.plot_scoreboard`).

    Args:
        results: ``{name: RunResult}``, e.g. from :func:`trained`.

    Returns:
        Dicts with ``model``, ``params``, ``macs`` (per image), ``epochs``, ``seconds_per_epoch``
        (mean over the epochs), ``train_seconds``, ``accuracy`` (test), ``cached`` (True when the run was
        not trained in this call: its times are those measured when it was trained) and ``source``
        (``"trained"``, ``"cache"`` or ``"shipped"``, see :class:`RunResult`), and ``timed_now`` (True when the
        times were measured in this call, see below).

    A shipped model (:mod:`mixerbook.book_models`) was trained on another machine, whose epoch times say
    nothing about this one: its ``seconds_per_epoch`` is measured here instead, one quick epoch estimated
    from ``timing_images`` images (:func:`mixerbook.speed.epoch_seconds`, the random streams left as they
    were), and ``train_seconds`` is that times the recipe's epochs.
    """
    from . import speed

    rows = []
    for name, r in results.items():
        seconds = r.history.epoch_seconds
        timed_now = r.source == "shipped"
        if timed_now:
            state = (random.getstate(), np.random.get_state())
            with torch.random.fork_rng(devices=[]):
                per_epoch = speed.epoch_seconds(name, images=timing_images, device=device)
            random.setstate(state[0])
            np.random.set_state(state[1])
            seconds = [per_epoch] * len(seconds)
        rows.append({
            "model": name,
            "params": r.params,
            "macs": r.macs,
            "epochs": len(seconds),
            "seconds_per_epoch": float(sum(seconds) / len(seconds)) if seconds else float("nan"),
            "train_seconds": float(sum(seconds)),
            "accuracy": r.metrics.accuracy,
            "cached": bool(r.history.cached),
            "source": r.source,
            "timed_now": timed_now,
        })
    return rows


__all__ += ["scoreboard"]


# --------------------------------------------------------------------------- scaling (chapter 8)
DATA_SCALING_BUDGETS: dict[str, dict[str, object]] = {
    # every run takes the same number of optimisation steps, as in the paper's subset study (§3.3)
    # 160 steps: one pass over the largest subset (40,000 images) and exactly 160 steps for every size;
    # (until 2026-11-30: sizes up to 60,000 and 240 steps, half as long again)
    "quick": {"sizes": (1000, 4000, 20000, 40000), "steps": 160, "batch_size": 250},
    "smoke": {"sizes": (500, 1000), "steps": 4, "batch_size": 250},
    "full": {"sizes": (1000, 2000, 4000, 8000, 15000, 30000, 60000), "steps": 2400, "batch_size": 250},
}
"""Settings of :func:`data_scaling` per budget: training-set sizes, optimisation steps per run, batch size.

With batch 250, 160 steps are one pass over 40,000 images and 40 passes over 1,000."""


@dataclass
class ScalingRun(RunResult):
    """One training run of :func:`data_scaling`.

    Attributes (besides :class:`RunResult`'s):
        base: the model's name in :data:`MODELS`.
        train_size: how many training images the run used.
        epochs: passes over those images.
        steps: optimisation steps taken (``epochs`` x batches per epoch).
        train_accuracy: accuracy on (at most 10,000 of) the run's own training images.
    """

    base: str = ""
    train_size: int = 0
    epochs: int = 0
    steps: int = 0
    train_accuracy: float = float("nan")

    def row(self) -> dict[str, float | int | str]:
        return {**super().row(), "train_size": self.train_size, "epochs": self.epochs, "steps": self.steps,
                "train_accuracy": round(self.train_accuracy, 4)}


def scaling_epochs(train_size: int, steps: int, batch_size: int) -> int:
    """Epochs that give ``train_size`` images about ``steps`` optimisation steps (at least one epoch).

    A run then takes ``epochs * ceil(train_size / batch_size)`` steps; sizes that are multiples of
    the batch size and divide ``steps * batch_size`` get exactly ``steps``.
    """
    for name, value in {"train_size": train_size, "steps": steps, "batch_size": batch_size}.items():
        if not isinstance(value, int) or value <= 0:
            raise ValueError(f"{name} must be a positive int, got {value!r}.")
    per_epoch = -(-train_size // batch_size)
    return max(1, round(steps / per_epoch))


def data_scaling(
    budget: str = "auto",
    models: tuple[str, ...] = ("MLP", "CNN", "Mixer-tiny"),
    sizes: tuple[int, ...] | None = None,
    *,
    steps: int | None = None,
    batch_size: int | None = None,
    limit: int | None = None,
    device: torch.device | str | None = None,
    seed: int = 0,
    progress: bool = True,
) -> dict[str, ScalingRun]:
    """Train each model on growing subsets of Fashion-MNIST with the same number of steps (paper §3.3).

    The subsets are nested: the first ``n`` images of one seeded shuffle of the training set, so
    every larger set contains every smaller one. As in the paper's JFT-300M subset study, each run
    takes (about) the same number of optimisation steps, so a small set is seen for many epochs
    and a large one for few: what changes between runs is the data, not the compute. Each model
    keeps its learning rate from :data:`BUDGETS`; every run is tested on all 10,000 test images.

    Args:
        budget: "auto", "quick", "full" or "smoke" (see :data:`DATA_SCALING_BUDGETS`).
        models: names in :data:`MODELS`.
        sizes: training-set sizes (default: the budget's); each in 1 .. 60,000.
        steps: optimisation steps per run (default: the budget's).
        batch_size: images per step (default: the budget's).
        limit: leave out the sizes above ``limit`` (the command line's ``--limit``).
        device: defaults to :func:`mixerbook.get_device`.
        seed: seeds the subset shuffle, the initial weights and the batch order.
        progress: show progress bars.

    Returns:
        ``{"<model>/<size>": ScalingRun}``, models outer, sizes inner (increasing).
    """
    _check_model_names(models)
    device = resolve_device(device)
    level = resolve_budget(budget, device)
    plan = DATA_SCALING_BUDGETS[level]
    sizes = tuple(sorted(set(sizes if sizes is not None else plan["sizes"])))
    steps = int(steps if steps is not None else plan["steps"])
    batch_size = int(batch_size if batch_size is not None else plan["batch_size"])
    full_train, test = load_fashion_mnist("train"), load_fashion_mnist("test")
    bad = [n for n in sizes if not isinstance(n, int) or not 1 <= n <= len(full_train)]
    if not sizes or bad:
        raise ValueError(f"sizes must be ints in 1 .. {len(full_train)}; got {sizes or 'none'}.")
    if limit is not None:
        if limit <= 0:
            raise ValueError(f"limit must be positive, got {limit}.")
        kept = tuple(n for n in sizes if n <= limit)
        if not kept:
            raise ValueError(f"No training-set size is at most limit={limit}; the smallest is {sizes[0]}.")
        sizes = kept
    order = torch.randperm(len(full_train), generator=torch.Generator().manual_seed(seed))
    runs: dict[str, ScalingRun] = {}
    for name in models:
        lr = budget_settings(name, level, device)["lr"]
        for n in sizes:
            idx = order[:n]
            train = type(full_train)(full_train.images[idx], full_train.labels[idx], full_train.source)
            epochs = scaling_epochs(n, steps, batch_size)
            settings = {"epochs": epochs, "batch_size": batch_size, "lr": lr}
            result = train_and_test(f"{name} | {number(n)} ảnh", build_model(name, seed), settings, train, test,
                                    device=device, seed=seed, progress=progress, per_epoch_test=False)
            seen = min(n, 10_000)
            train_acc = evaluate(result.model, train.images[:seen], train.labels[:seen], device=device).accuracy
            runs[f"{name}/{n}"] = ScalingRun(**vars(result), base=name, train_size=n, epochs=epochs,
                                             steps=epochs * -(-n // batch_size), train_accuracy=train_acc)
    return runs


def scaling_grid(runs: dict[str, ScalingRun], metric: str = "test") -> dict[str, dict[int, float]]:
    """``{model: {train_size: accuracy}}`` from the runs of :func:`data_scaling`.

    Args:
        metric: "test" (accuracy on the test set) or "train" (on the run's own training images).
    """
    if metric not in ("test", "train"):
        raise ValueError(f"Unknown metric {metric!r}; expected 'test' or 'train'.")
    grid: dict[str, dict[int, float]] = {}
    for run in runs.values():
        value = run.metrics.accuracy if metric == "test" else run.train_accuracy
        grid.setdefault(run.base, {})[run.train_size] = value
    return {name: dict(sorted(row.items())) for name, row in grid.items()}


EXPERIMENTS["data_scaling"] = data_scaling

THROUGHPUT_BUDGETS: dict[str, dict[str, int]] = {
    "quick": {"batch_size": 8, "steps": 2, "warmup": 1},
    "smoke": {"batch_size": 1, "steps": 1, "warmup": 0},
    "full": {"batch_size": 128, "steps": 10, "warmup": 3},
}
"""Settings of :func:`throughput` per budget: images per forward pass, timed passes, untimed warm-up passes."""

GROWTH_TIME_LIMITS_S: dict[str, float] = {"quick": 30, "smoke": 5, "full": 120}
"""Seconds that chapter 2's measurement of a growing first layer
(:func:`mixerbook.complexity.measure_linear_growth`) may take in all, per budget."""

REFERENCE_MODELS: tuple[str, ...] = ("Mixer-B/16", "ViT-B/16", "ResNet-50")
"""The three models whose throughput chapter 8 measures (no weights needed: speed does not depend on them)."""


def reference_model(name: str, image_size: int = 224, num_classes: int = 1000) -> nn.Module:
    """A randomly initialised ImageNet-sized model by name, without downloading weights.

    Args:
        name: "Mixer-S/32" ... "Mixer-H/14" (:meth:`mixerbook.models.MlpMixer.from_paper`),
            "ViT-B/16", "ViT-L/16", "ViT-H/14" (torchvision) or "ResNet-50" (torchvision).
        image_size: side of the square input; a multiple of the patch size for Mixer and ViT.

    Tip: build under ``with torch.device("meta"):`` to count parameters and multiply-adds
    without allocating memory.
    """
    import torchvision

    if name.startswith("Mixer-"):
        return MlpMixer.from_paper(name.removeprefix("Mixer-"), num_classes=num_classes, image_size=image_size)
    vits = {"ViT-B/16": torchvision.models.vit_b_16, "ViT-L/16": torchvision.models.vit_l_16,
            "ViT-H/14": torchvision.models.vit_h_14}
    if name in vits:
        patch = int(name.split("/")[1])
        if image_size % patch:
            raise ValueError(f"{name} needs an image size divisible by {patch}, got {image_size}.")
        return vits[name](weights=None, image_size=image_size, num_classes=num_classes)
    if name == "ResNet-50":
        return torchvision.models.resnet50(weights=None, num_classes=num_classes)
    raise ValueError(f"Unknown reference model {name!r}; expected Mixer-<S|B|L|H>/<patch>, "
                     f"{', '.join(vits)} or ResNet-50.")


@dataclass
class ThroughputResult:
    """Inference speed of one model measured by :func:`throughput`.

    Attributes:
        name: the model's name.
        params: parameters.
        macs: multiply-adds per image (:func:`mixerbook.complexity.count_macs`, attention included).
        images_per_second: ``batch_size`` divided by the median time of one forward pass.
        latency_ms: median time of one forward pass of the batch, in milliseconds.
        batch_size, steps, warmup: the measurement's settings.
        image_size: side of the square input.
        device: :func:`mixerbook.describe_device` of the device used.
        precision: "float32", or the autocast dtype on CUDA.
    """

    name: str
    params: int
    macs: int
    images_per_second: float
    latency_ms: float
    batch_size: int
    steps: int
    warmup: int
    image_size: int
    device: str
    precision: str


def throughput(
    models: tuple[str, ...] | dict[str, nn.Module] = REFERENCE_MODELS,
    image_size: int = 224,
    *,
    batch_size: int | None = None,
    steps: int | None = None,
    warmup: int | None = None,
    budget: str = "auto",
    device: torch.device | str | None = None,
    seed: int = 0,
) -> dict[str, ThroughputResult]:
    """Inference images per second of each model on this device (forward passes only, no gradients).

    Every model gets the same random batch of shape (batch_size, 3, image_size, image_size); the
    time of one forward pass is the median of ``steps`` timed passes after ``warmup`` untimed ones
    (:func:`mixerbook.complexity.measure_latency`). On CUDA the pass runs under autocast
    (:func:`mixerbook.autocast`), as the paper's TPUs and timm's GPU benchmarks use reduced precision.

    Args:
        models: names for :func:`reference_model` (built one at a time and freed after measuring;
            their multiply-adds are counted on a ``meta`` copy), or ``{name: module}``.
        image_size: side of the square input.
        batch_size, steps, warmup: default to :data:`THROUGHPUT_BUDGETS` of ``budget``.
        budget: "auto", "quick", "full" or "smoke".
        device: defaults to :func:`mixerbook.get_device`.
        seed: seeds the weights and the input batch.

    Returns:
        ``{name: ThroughputResult}`` in the order given.
    """
    import gc

    from .device import autocast, describe_device

    device = resolve_device(device)
    plan = THROUGHPUT_BUDGETS[resolve_budget(budget, device)]
    batch_size = int(batch_size if batch_size is not None else plan["batch_size"])
    steps = int(steps if steps is not None else plan["steps"])
    warmup = int(warmup if warmup is not None else plan["warmup"])
    if batch_size <= 0 or steps <= 0 or warmup < 0 or image_size <= 0:
        raise ValueError(f"batch_size, steps and image_size must be positive and warmup >= 0; got {batch_size}, "
                         f"{steps}, {image_size} and {warmup}.")
    items = list(models.items()) if isinstance(models, dict) else [(name, None) for name in models]
    if not items:
        raise ValueError("throughput needs at least one model.")
    precision = "float32"
    if device.type == "cuda":
        precision = "bfloat16 (autocast)" if torch.cuda.is_bf16_supported() else "float16 (autocast)"
    shape = (3, image_size, image_size)
    results: dict[str, ThroughputResult] = {}
    for name, module in items:
        if module is None:
            with torch.device("meta"):
                macs = complexity.count_macs(reference_model(name, image_size), shape)
            set_seed(seed)
            model = reference_model(name, image_size)
        else:
            model, macs = module, None
        model = model.to(device).eval()
        if macs is None:
            macs = complexity.count_macs(model, shape)
        gen = torch.Generator().manual_seed(seed)
        x = torch.randn((batch_size, *shape), generator=gen).to(device)
        with autocast(device):
            ms = complexity.measure_latency(model, x, repeats=steps, warmup=warmup)
        results[name] = ThroughputResult(name, complexity.count_params(model), int(macs), batch_size / (ms / 1000),
                                         ms, batch_size, steps, warmup, image_size, describe_device(device),
                                         precision)
        if module is None:
            del model
        del x
        gc.collect()
        if device.type == "cuda":
            torch.cuda.empty_cache()
    return results


__all__ += ["GROWTH_TIME_LIMITS_S", "DATA_SCALING_BUDGETS", "ScalingRun", "scaling_epochs", "data_scaling",
            "scaling_grid", "THROUGHPUT_BUDGETS", "REFERENCE_MODELS", "reference_model", "ThroughputResult",
            "throughput"]


# --------------------------------------------------------------------------- the title's question (chapter 9)
CANVAS_BUDGETS: dict[str, dict[str, int | tuple[int, ...]]] = {
    # six trainings in about 1.5 R: 6000 images x 3 epochs (28x28 costs 1/4 of 56x56, so about 5 R x 18 000 / 60 000).
    # Test accuracy 28 -> 56 (2026-12-07, 2-core CPU): MLP 81.8 -> 34.9%, CNN 86.0 -> 69.3%, Mixer 79.7 -> 55.6%;
    # 9000 x 2 and 18 000 x 1 gave the same picture within 4 points (MLP 34.5 / 35.9, CNN 68.9 / 69.5, Mixer 51.0 /
    # 55.1% at 56)
    "quick": {"sizes": (28, 56), "train_images": 6000, "test_images": 5000, "epochs": 3, "batch_size": 128},
    # ten steps each: one epoch over 1280 images in batches of 128; checks that everything runs
    "smoke": {"sizes": (28, 56), "train_images": 1280, "test_images": 500, "epochs": 1, "batch_size": 128},
    "full": {"sizes": (28, 56), "train_images": 60000, "test_images": 10000, "epochs": 10, "batch_size": 256},
}
"""Settings of :func:`canvas_experiment` per budget: canvas sides, training and test images (the first ones of each
split), epochs and batch size, the same for every model and every canvas."""


@dataclass
class CanvasRun(RunResult):
    """One training run of :func:`canvas_experiment`.

    Attributes (besides :class:`RunResult`'s):
        base: the model's name in :data:`MODELS`.
        canvas_size: side of the canvas the items were placed on (28: the original images).
        train_size: training images used.
        test_size: test images used.
        epochs: passes over the training images.
    """

    base: str = ""
    canvas_size: int = 28
    train_size: int = 0
    test_size: int = 0
    epochs: int = 0

    @property
    def seconds_per_epoch(self) -> float:
        """Mean training seconds of one epoch (those measured when the run was trained, if it came from the cache)."""
        seconds = self.history.epoch_seconds
        return float(sum(seconds) / len(seconds)) if seconds else float("nan")

    def row(self) -> dict[str, float | int | str]:
        return {**super().row(), "canvas_size": self.canvas_size, "train_size": self.train_size,
                "test_size": self.test_size, "epochs": self.epochs,
                "seconds_per_epoch": round(self.seconds_per_epoch, 2)}


def canvas_experiment(
    budget: str = "auto",
    models: tuple[str, ...] = ("MLP", "CNN", "Mixer"),
    sizes: tuple[int, ...] | None = None,
    *,
    limit: int | None = None,
    epochs: int | None = None,
    device: torch.device | str | None = None,
    seed: int = 0,
    canvas_seed: int = 0,
    progress: bool = True,
) -> dict[str, CanvasRun]:
    """Train each model on Fashion-MNIST items placed at random on canvases of each size, and test it the same way.

    Every image is put whole at a random position of a blank ``S`` x ``S`` canvas
    (:func:`mixerbook.data.place_on_canvas`: the training images with ``canvas_seed``, the test images
    with ``canvas_seed + 1``), so every model sees the very same canvases. At ``S = 28`` there is one
    position and the images are the originals. Each model is built for the canvas
    (``build_model(name, image_size=S)``: the Mixer keeps its patch size and gets more patches) and
    trained from the same seed with the same epochs, batch size and images for every size
    (:data:`CANVAS_BUDGETS`), at its learning rate of :data:`BUDGETS`; only the final model is tested.

    Args:
        budget: "auto", "quick", "full" or "smoke".
        models: names in :data:`MODELS` that take an ``image_size`` (not "CNN-pyramid").
        sizes: canvas sides (default: the budget's), each at least 28 and accepted by every model
            (divisible by 4 for the CNN and by the patch size for the Mixer).
        limit: train on at most ``limit`` images (fewer than the budget's), e.g. for tests.
        epochs: overrides the budget's epochs.
        device: defaults to :func:`mixerbook.get_device`.
        seed: seeds the initial weights and the batch order.
        canvas_seed: seeds the placements.
        progress: show progress bars.

    Returns:
        ``{"<model>/<size>": CanvasRun}``, models outer, sizes inner (increasing).
    """
    _check_model_names(models)
    fixed = [n for n in models if "image_size" not in MODELS[n][1]]
    if fixed:
        raise ValueError(f"canvas_experiment needs models built for an image size; {fixed[0]!r} has none. "
                         f"Use some of {', '.join(n for n in MODELS if 'image_size' in MODELS[n][1])}.")
    device = resolve_device(device)
    level = resolve_budget(budget, device)
    plan = CANVAS_BUDGETS[level]
    sizes = tuple(sorted(set(sizes if sizes is not None else plan["sizes"])))
    if not sizes or any(isinstance(s, bool) or not isinstance(s, int) or s < 28 for s in sizes):
        raise ValueError(f"sizes must be ints of at least 28 (the Fashion-MNIST side); got {sizes or 'none'}.")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit <= 0):
        raise ValueError(f"limit must be a positive int, got {limit!r}.")
    if epochs is not None and (isinstance(epochs, bool) or not isinstance(epochs, int) or epochs <= 0):
        raise ValueError(f"epochs must be a positive int, got {epochs!r}.")
    for name in models:  # every model must accept every size before anything is trained
        for size in sizes:
            try:
                build_model(name, None, image_size=size)
            except ValueError as exc:
                raise ValueError(f"Canvas size {size} does not suit {name}: {exc}") from exc
    n_train = min(int(plan["train_images"]), limit) if limit is not None else int(plan["train_images"])
    n_test = int(plan["test_images"])
    train, test = load_fashion_mnist("train")[:n_train], load_fashion_mnist("test")[:n_test]
    n_epochs = int(epochs if epochs is not None else plan["epochs"])
    canvases = {size: (type(train)(place_on_canvas(train.images, size, canvas_seed), train.labels, train.source),
                       type(test)(place_on_canvas(test.images, size, canvas_seed + 1), test.labels, test.source))
                for size in sizes}
    runs: dict[str, CanvasRun] = {}
    for name in models:
        settings = {"epochs": n_epochs, "batch_size": int(plan["batch_size"]),
                    "lr": budget_settings(name, level, device)["lr"]}
        for size in sizes:
            on_train, on_test = canvases[size]
            result = train_and_test(f"{name} | {size}×{size}", build_model(name, seed, image_size=size), settings,
                                    on_train, on_test, device=device, seed=seed, progress=progress,
                                    per_epoch_test=False)
            runs[f"{name}/{size}"] = CanvasRun(**vars(result), base=name, canvas_size=size, train_size=n_train,
                                               test_size=n_test, epochs=n_epochs)
    return runs


EXPERIMENTS["canvas"] = canvas_experiment

__all__ += ["CANVAS_BUDGETS", "CanvasRun", "canvas_experiment"]
