"""How fast this machine trains the book's models, in units that compare across machines.

One home for speed measurement: ``benchmarks/bench_fit.py`` and the build summary import it.

* :func:`train_flop_per_image`: the floating-point operations (FLOP) of one training step
  (forward and backward pass) per image, counted by ``torch.utils.flop_counter.FlopCounterMode``
  (matrix products and convolutions only, 1 multiply-add = 2 FLOP, as in :mod:`mixerbook.complexity`).
* :func:`matmul_peak_gflops`: the machine's float32 matrix-product speed measured now, the roof
  against which a training step's achieved GFLOP/s is read.
* :func:`epoch_seconds` and :func:`measure_r`: seconds of one quick-budget epoch of the MLP, the
  CNN and the Mixer on the 60,000 Fashion-MNIST training images, and their sum **R**, the unit in
  which the book states build and chapter times (a chapter "within 2 R" on any machine).
"""

from __future__ import annotations

import copy
import math
import os
import time
from pathlib import Path

import torch
from torch import nn

from .complexity import _attention_formulas, _synchronize
from .device import resolve_device

__all__ = ["R_MODELS", "train_flop_per_image", "matmul_peak_gflops", "epoch_seconds", "measure_r", "chapter_times"]

R_MODELS: tuple[str, ...] = ("MLP", "CNN", "Mixer")
"""The models whose quick-budget epochs add up to R, keys of :data:`mixerbook.experiments.MODELS`."""


def _positive_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{name} must be a positive int, got {value!r}.")
    return value


def train_flop_per_image(model: nn.Module, input_shape: tuple[int, ...] = (1, 28, 28), batch: int = 8) -> float:
    """FLOP of one training step (forward + backward pass) per image, counted with ``FlopCounterMode``.

    A copy of ``model`` in train mode runs forward and backward on a batch of ``batch`` zero images
    with a cross-entropy loss; the FLOP counted (matrix products and convolutions, 2 per
    multiply-add) are divided by ``batch``. The model itself is left untouched (no gradients, no
    BatchNorm statistics change). The backward pass costs about twice the forward pass: the
    gradients of the weights and of the layer inputs, except for the first layer, whose input (the
    image) needs no gradient. Element-wise work (LayerNorm, GELU, the optimiser) is not counted.

    Args:
        model: maps (B, *input_shape) float input to (B, K) logits.
        input_shape: shape of ONE input without the batch axis, e.g. ``(1, 28, 28)``.
        batch: images in the counted batch (the per-image count does not depend on it).

    Returns:
        FLOP per image, a float (e.g. about 3.2e7 for the book's "Mixer").
    """
    from torch.utils.flop_counter import FlopCounterMode

    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}.")
    _positive_int("batch", batch)
    if not all(isinstance(s, int) and s > 0 for s in input_shape):
        raise ValueError(f"input_shape must be positive ints without the batch axis, e.g. (1, 28, 28); "
                         f"got {tuple(input_shape)!r}.")
    try:
        device = next(model.parameters()).device
    except StopIteration:
        device = torch.device("cpu")
    net = copy.deepcopy(model).train()
    x = torch.zeros((batch, *input_shape), device=device)
    counter = FlopCounterMode(display=False, custom_mapping=_attention_formulas())
    with counter:
        out = net(x)
        loss = nn.functional.cross_entropy(out, torch.zeros(batch, dtype=torch.long, device=device))
        loss.backward()
    return counter.get_total_flops() / batch


def matmul_peak_gflops(n: int = 512, device: torch.device | str | None = None, seconds: float = 0.5) -> float:
    """The machine's float32 matrix-product speed, measured now, in GFLOP/s.

    Times ``torch.mm`` of two n x n float32 matrices (``2 n**3`` FLOP each) after a warm-up, in
    rounds of several products, for about ``seconds`` seconds, and returns the best round. The
    best rather than the median: the peak is what the machine can do, and on a shared machine the
    slower rounds measure the other processes. An optimised training step reaches a fraction of it.

    Args:
        n: side of the square matrices (512 fits the caches of a laptop CPU and still runs at speed).
        device: where to measure; defaults to :func:`mixerbook.get_device`.
        seconds: how long to keep measuring after the warm-up.

    Returns:
        GFLOP/s (1e9 floating-point operations per second) of the fastest round.
    """
    _positive_int("n", n)
    if not isinstance(seconds, (int, float)) or not 0 < seconds < math.inf:
        raise ValueError(f"seconds must be a positive number, got {seconds!r}.")
    device = resolve_device(device)
    gen = torch.Generator().manual_seed(0)
    a = torch.randn(n, n, generator=gen).to(device)
    b = torch.randn(n, n, generator=gen).to(device)
    out = torch.empty(n, n, device=device)
    per_round = 4
    for _ in range(2):  # warm-up: threads started, kernels chosen, memory touched
        torch.mm(a, b, out=out)
    _synchronize(device)
    best = math.inf
    start = time.perf_counter()
    while True:
        t0 = time.perf_counter()
        for _ in range(per_round):
            torch.mm(a, b, out=out)
        _synchronize(device)
        t1 = time.perf_counter()
        best = min(best, (t1 - t0) / per_round)
        if t1 - start >= seconds:
            break
    return 2 * n**3 / best / 1e9


def epoch_seconds(name: str, *, images: int | None = None, device: torch.device | str | None = None,
                  batch_size: int | None = None) -> float:
    """Seconds of one quick-budget training epoch of the book's model ``name`` on 60,000 images.

    Builds ``mixerbook.experiments.build_model(name)`` and trains it for one epoch with
    :func:`mixerbook.train.fit` and the quick budget's batch size and learning rate
    (:func:`mixerbook.experiments.budget_settings`) on the Fashion-MNIST training images, after a
    warm-up of two steps on a throw-away copy. The time is fit's own epoch time (setup excluded).
    With ``images=k`` only the first k images are trained on and the time is scaled to the whole
    training split (60,000 images), a cheap estimate. Nothing is written to the results cache.

    Args:
        name: a key of :data:`mixerbook.experiments.MODELS`, e.g. "MLP", "CNN" or "Mixer".
        images: train on this many images (1 .. 60,000) and scale; None trains on all of them.
        device: where to train; defaults to :func:`mixerbook.get_device`.
        batch_size: overrides the quick budget's batch size.

    Returns:
        Seconds per epoch of 60,000 images, a float.

    Raises:
        ValueError: for an unknown model name (the message lists the accepted ones), ``images``
            outside 1 .. 60,000 or a batch size that is not a positive int.
    """
    from .data import load_fashion_mnist
    from .experiments import MODELS, budget_settings, build_model
    from .train import fit

    if not isinstance(name, str) or name not in MODELS:
        raise ValueError(f"Unknown model {name!r}; expected one of {', '.join(MODELS)}.")
    settings = budget_settings(name, "quick")
    batch_size = _positive_int("batch_size", settings["batch_size"] if batch_size is None else batch_size)
    device = resolve_device(device)
    train = load_fashion_mnist("train")
    total = len(train.labels)
    if images is None:
        images = total
    if isinstance(images, bool) or not isinstance(images, int) or not 1 <= images <= total:
        raise ValueError(f"images must be an int from 1 to {total:,} (the training images), or None for all; "
                         f"got {images!r}.")
    x, y = train.images[:images], train.labels[:images]
    warm = min(images, 2 * batch_size)
    fit(build_model(name), x[:warm], y[:warm], epochs=1, batch_size=batch_size, lr=settings["lr"],
        device=device, progress=False)
    history = fit(build_model(name), x, y, epochs=1, batch_size=batch_size, lr=settings["lr"], device=device,
                  progress=False)
    return history.epoch_seconds[0] * total / images


def measure_r(images: int | None = None, device: torch.device | str | None = None) -> dict[str, float]:
    """R: seconds of one quick-budget epoch of the MLP, plus one of the CNN, plus one of the Mixer.

    Each part is :func:`epoch_seconds` of that model (with ``images``, an estimate scaled from the
    first ``images`` training images). Book and chapter build times divided by R compare across
    machines: a machine twice as slow has twice the R.

    Args:
        images: see :func:`epoch_seconds`; e.g. 12,000 for an estimate in a fifth of the time.
        device: defaults to :func:`mixerbook.get_device`.

    Returns:
        ``{"MLP": s, "CNN": s, "Mixer": s, "R": s}``, seconds per 60,000-image epoch; "R" is the sum.
    """
    parts = {name: epoch_seconds(name, images=images, device=device) for name in R_MODELS}
    return {**parts, "R": sum(parts.values())}


def chapter_times(cache_dir: str | os.PathLike) -> dict[str, float]:
    """Seconds each notebook of the last book build took to execute, from the build's jupyter-cache.

    Jupyter Book (``execute_notebooks: cache``) records every executed notebook in a jupyter-cache
    folder (the book's ``_build/.jupyter_cache``); a notebook executed again replaces its older
    record. Needs the ``jupyter-cache`` package, which the book's toolchain installs.

    Args:
        cache_dir: the jupyter-cache folder.

    Returns:
        ``{file name: seconds}`` (e.g. ``{"01_flattening.ipynb": 61.2, ...}``) in the order of
        execution; empty when the cache holds no executed notebook.

    Raises:
        FileNotFoundError: when ``cache_dir`` is not a folder (the book was not built there).
        ImportError: when jupyter-cache is not installed.
    """
    path = Path(cache_dir)
    if not path.is_dir():
        raise FileNotFoundError(f"No jupyter-cache folder at {path}: build the book first (bash scripts/book.sh).")
    try:
        from jupyter_cache import get_cache
    except ImportError as exc:  # pragma: no cover - the toolchain installs it
        raise ImportError("chapter_times needs the jupyter-cache package (pip install -r requirements.txt).") from exc
    times: dict[str, float] = {}
    for record in sorted(get_cache(str(path)).list_cache_records(), key=lambda r: r.created):
        seconds = (record.data or {}).get("execution_seconds")
        if seconds is not None:
            name = Path(record.uri).name
            times.pop(name, None)  # keep the order of the latest executions
            times[name] = float(seconds)
    return times
