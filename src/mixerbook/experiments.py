"""The book's named experiments, each with a time budget.

Budgets: ``quick`` keeps a chapter within about 3 minutes on a 2-core CPU (classroom laptops);
``full`` trains longer for a GPU (Colab). ``auto`` picks ``full`` on CUDA and ``quick`` elsewhere;
the environment variable ``MIXERBOOK_BUDGET`` overrides the choice.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass

import torch
from torch import nn

from . import complexity
from .data import load_fashion_mnist, shift_images, to_float
from .device import get_device, set_seed
from .models import FlattenMLP, MlpMixer, SmallCNN
from .train import History, Metrics, evaluate, fit

__all__ = [
    "BUDGETS",
    "MODELS",
    "build_model",
    "resolve_budget",
    "RunResult",
    "budget_settings",
    "mlp_vs_cnn",
    "shift_robustness",
    "shift_equivariance",
]

BUDGETS: dict[str, dict[str, dict[str, float]]] = {
    "quick": {
        "mlp": {"epochs": 10, "batch_size": 256, "lr": 2e-3},
        "cnn": {"epochs": 5, "batch_size": 256, "lr": 3e-3},
        "mixer": {"epochs": 6, "batch_size": 256, "lr": 3e-3},
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
    if name not in MODELS:
        raise ValueError(f"Unknown model {name!r}; expected one of {', '.join(MODELS)}.")
    cls, kwargs = MODELS[name]
    if seed is not None:
        set_seed(seed)
    return cls(**{**kwargs, **overrides})


def budget_settings(name: str, budget: str = "auto", device: torch.device | str | None = None) -> dict[str, float]:
    """Training settings (epochs, batch_size, lr) of model ``name`` under ``budget``."""
    family = name.split("-")[0].lower()
    return dict(BUDGETS[resolve_budget(budget, device)][family])


def resolve_budget(budget: str = "auto", device: torch.device | str | None = None) -> str:
    """Turn ``"auto"`` into ``"quick"`` or ``"full"``.

    The environment variable ``MIXERBOOK_BUDGET`` (``quick`` or ``full``) wins over ``auto``.

    Raises:
        ValueError: for a budget name that is not ``auto``, ``quick`` or ``full``.
    """
    if budget == "auto":
        budget = os.environ.get("MIXERBOOK_BUDGET") or "auto"
    if budget == "auto":
        device = torch.device(device) if device is not None else get_device()
        return "full" if device.type == "cuda" else "quick"
    if budget not in BUDGETS:
        raise ValueError(f"Unknown budget {budget!r}; expected 'auto', 'quick' or 'full'.")
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

    def row(self) -> dict[str, float | int | str]:
        """A flat dict for a results table."""
        return {
            "model": self.name,
            "params": self.params,
            "macs": self.macs,
            "train_seconds": round(self.history.seconds, 1),
            **{k: round(v, 4) for k, v in self.metrics.as_dict().items()},
        }


def _train(name: str, model: nn.Module, settings: dict, train, test, device, seed: int, progress: bool) -> RunResult:
    history = fit(
        model, train.images, train.labels,
        epochs=int(settings["epochs"]), batch_size=int(settings["batch_size"]), lr=float(settings["lr"]),
        seed=seed, test_images=test.images, test_labels=test.labels, device=device, progress=progress, desc=name,
    )
    metrics = evaluate(model, test.images, test.labels, device=device)
    return RunResult(name, model, complexity.count_params(model), complexity.count_macs(model, (1, 28, 28)),
                     history, metrics)


def mlp_vs_cnn(budget: str = "auto", *, device: torch.device | str | None = None, seed: int = 0,
               progress: bool = True) -> dict[str, RunResult]:
    """Train the flatten-MLP and the small CNN on all 60,000 Fashion-MNIST images and test both.

    Args:
        budget: "auto", "quick" or "full" (see :data:`BUDGETS`).
        device: defaults to :func:`mixerbook.get_device`.
        seed: seeds the initial weights and the batch order.
        progress: show progress bars.

    Returns:
        ``{"MLP": RunResult, "CNN": RunResult}``.
    """
    device = torch.device(device) if device is not None else get_device()
    train, test = load_fashion_mnist("train"), load_fashion_mnist("test")
    return {
        name: _train(name, build_model(name, seed), budget_settings(name, budget, device), train, test, device,
                     seed, progress)
        for name in ("MLP", "CNN")
    }


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
