"""Training and evaluation on in-memory tensors.

No per-sample ``DataLoader``: the whole split lives on the device as uint8 and each batch is
sliced, converted to float and fed to the model. On CUDA the forward pass runs under autocast.

Bad input fails early, once per call, with the accepted form in the message: images that are not
(N, H, W) or (N, C, H, W) uint8 / float in [0, 1], images of another size or channel count than the
model was built for, labels that are not integer class ids 0 .. K-1. During :func:`fit` a loss that
becomes NaN or infinite raises :class:`NonFiniteLossError`, and Ctrl-C (a kernel interrupt) stops
after the current step and raises :class:`TrainingInterrupted` with the partial :class:`History`.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from dataclasses import dataclass, field

import torch
from torch import nn
from tqdm.auto import tqdm

from .data import to_float
from .device import autocast, resolve_device

__all__ = ["History", "Metrics", "NonFiniteLossError", "TrainingInterrupted", "fit", "evaluate", "predict",
           "confusion_matrix", "macro_precision_recall", "world", "memory_format_for"]


def world() -> tuple[int, int]:
    """(world size, rank) of the current ``torch.distributed`` process group, or (1, 0) without one."""
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        return dist.get_world_size(), dist.get_rank()
    return 1, 0


@dataclass
class Metrics:
    """Classification metrics on one split.

    Attributes:
        accuracy: share of correct predictions, in [0, 1].
        precision: macro-averaged precision over classes, in [0, 1].
        recall: macro-averaged recall over classes, in [0, 1].
        confusion: (K, K) int64 matrix; row = true class, column = predicted class.
    """

    accuracy: float
    precision: float
    recall: float
    confusion: torch.Tensor

    def as_dict(self) -> dict[str, float]:
        return {"accuracy": self.accuracy, "precision": self.precision, "recall": self.recall}


@dataclass
class History:
    """What happened during :func:`fit`, one entry per epoch."""

    train_loss: list[float] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)
    epoch_seconds: list[float] = field(default_factory=list)
    cached: bool = False
    """True when the run was loaded from :mod:`mixerbook.cache` rather than trained now."""
    interrupted: bool = False
    """True when :func:`fit` stopped early (see :class:`TrainingInterrupted`)."""
    steps_done: int = 0
    """Optimisation steps (batches) finished; ``len(train_loss)`` is the number of finished epochs."""

    @property
    def seconds(self) -> float:
        """Total training time in seconds (evaluation excluded)."""
        return float(sum(self.epoch_seconds))


def memory_format_for(model: nn.Module) -> torch.memory_format:
    """The memory layout that trains ``model`` fastest: channels-last (NHWC) when it has 2-D convolutions.

    oneDNN on the CPU and cuDNN on the GPU run convolutions, batch norm and pooling faster on
    channels-last tensors; on this book's small CNN the training step gets about 1.4x faster on a
    2-core CPU (``benchmarks/bench_fit.py``). Other models keep the default layout. The values are
    the same either way: only the order in memory changes.
    """
    if any(isinstance(m, nn.Conv2d) for m in model.modules()):
        return torch.channels_last
    return torch.contiguous_format


class NonFiniteLossError(FloatingPointError):
    """Raised by :func:`fit` when the training loss becomes NaN or infinite; ``history`` holds the finished epochs."""

    def __init__(self, message: str, history: History) -> None:
        super().__init__(message)
        self.history = history


class TrainingInterrupted(KeyboardInterrupt):
    """Raised by :func:`fit` after Ctrl-C (or a Jupyter kernel interrupt) stopped training early.

    It is a ``KeyboardInterrupt``, so a script or a chain of trainings stops as the reader asked;
    ``history`` is the partial :class:`History` (``interrupted=True``, ``steps_done``), and the model
    is left in eval mode with the weights of its last finished step.
    """

    def __init__(self, message: str, history: History) -> None:
        super().__init__(message)
        self.history = history


class _DeferredInterrupt:
    """While active (main thread only), the first Ctrl-C only sets ``requested``; the training loop
    stops at the next step boundary, so no optimiser step is left half done. A second Ctrl-C
    interrupts at once."""

    def __init__(self) -> None:
        self.requested = False
        self._previous = None

    def _handle(self, signum, frame) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def __enter__(self) -> _DeferredInterrupt:
        if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGINT) is not None:
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)


def _accepted_shapes(model: nn.Module) -> str | None:
    """What :func:`fit` / :func:`predict` accept for ``model``, from its ``in_channels`` and ``image_size``."""
    channels, size = getattr(model, "in_channels", None), getattr(model, "image_size", None)
    if not isinstance(channels, int):
        return None
    side = f"{size}, {size}" if isinstance(size, int) else "H, W"
    shapes = f"(N, {side}) or (N, 1, {side})" if channels == 1 else f"(N, {channels}, {side})"
    built = f"{channels}x{size}x{size} images" if isinstance(size, int) else f"{channels}-channel images"
    return f"{type(model).__name__} was built for {built}: it accepts images of shape {shapes}"


def _check_images(model: nn.Module, images: object, what: str = "images") -> None:
    """Type, layout, dtype and value range of ``images``, and their fit to ``model``; one pass at most."""
    if not isinstance(images, torch.Tensor):
        hint = " (use torch.from_numpy)." if hasattr(images, "__array__") else "."
        raise TypeError(f"{what} must be a torch.Tensor of shape (N, H, W) or (N, C, H, W), got "
                        f"{type(images).__name__}{hint}")
    if images.dim() not in (3, 4) or images.shape[0] == 0:
        raise ValueError(f"{what} must be (N, H, W) or (N, C, H, W) with N >= 1, got shape {tuple(images.shape)}.")
    if images.dtype != torch.uint8 and not images.is_floating_point():
        raise TypeError(f"{what} must be uint8 (0 .. 255) or floating point in [0, 1], got {images.dtype}; "
                        f"convert with {what}.to(torch.uint8) or {what}.float() / 255.")
    if images.is_floating_point() and images.numel():
        lo, hi = (float(v) for v in torch.aminmax(images))
        if not (0.0 <= lo and hi <= 1.0):  # also catches NaN
            raise ValueError(f"float {what} must lie in [0, 1] (or pass uint8 images 0 .. 255); got values in "
                             f"[{lo:g}, {hi:g}]" + (": divide by 255." if 1.0 < hi <= 255.0 and lo >= 0 else "."))
    accepted = _accepted_shapes(model)
    if accepted is None:
        return
    channels, size = model.in_channels, getattr(model, "image_size", None)
    sample = (1, *images.shape[1:]) if images.dim() == 3 else tuple(images.shape[1:])
    if sample[0] != channels or (isinstance(size, int) and sample[1:] != (size, size)):
        raise ValueError(f"{accepted}, uint8 or float in [0, 1]; got {what} of shape {tuple(images.shape)}.")


def _check_labels(labels: object, count: int, what: str = "labels") -> None:
    """``labels`` must be an (N,) integer tensor, N = ``count``."""
    if not isinstance(labels, torch.Tensor):
        raise TypeError(f"{what} must be a torch.Tensor of integer class ids, got {type(labels).__name__}.")
    if labels.dim() != 1 or labels.dtype == torch.bool or labels.is_floating_point() or labels.is_complex():
        raise TypeError(f"{what} must be a 1-D tensor of integer class ids (e.g. int64), got shape "
                        f"{tuple(labels.shape)} and dtype {labels.dtype}.")
    if labels.shape[0] != count:
        raise ValueError(f"images and {what} disagree in length: {count} vs {labels.shape[0]}.")


def _check_label_range(labels: torch.Tensor, num_classes: int, model: nn.Module, what: str = "labels") -> None:
    if labels.numel() == 0:
        return
    lo, hi = (int(v) for v in torch.aminmax(labels))
    if lo < 0 or hi >= num_classes:
        bad = int(torch.nonzero((labels < 0) | (labels >= num_classes))[0])
        raise ValueError(f"{what} must be class ids 0 .. {num_classes - 1} ({type(model).__name__} has {num_classes} "
                         f"outputs); got values from {lo} to {hi}, e.g. {int(labels[bad])} at index {bad}.")


def _num_outputs(model: nn.Module, sample: torch.Tensor, device: torch.device) -> int:
    """K, the logits ``model`` gives one image (a forward pass in eval mode: nothing is updated)."""
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad(), autocast(device):
            out = model(sample)
    finally:
        model.train(was_training)
    if not isinstance(out, torch.Tensor) or out.dim() != 2:
        shape = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
        raise ValueError(f"The model must map (B, C, H, W) images to (B, K) logits; it returned {shape}.")
    return out.shape[1]


def fit(
    model: nn.Module,
    images: torch.Tensor,
    labels: torch.Tensor,
    *,
    epochs: int = 5,
    batch_size: int = 256,
    lr: float = 2e-3,
    weight_decay: float = 1e-4,
    seed: int = 0,
    test_images: torch.Tensor | None = None,
    test_labels: torch.Tensor | None = None,
    device: torch.device | str | None = None,
    progress: bool = True,
    desc: str | None = None,
) -> History:
    """Train ``model`` with AdamW and a one-cycle learning-rate schedule.

    Args:
        model: any module mapping (B, C, H, W) float input to (B, K) logits.
        images: (N, H, W) or (N, C, H, W) training images, uint8 or float in [0, 1].
        labels: (N,) int64 class ids.
        epochs: passes over the data.
        batch_size: images per step.
        lr: peak learning rate of the one-cycle schedule.
        weight_decay: AdamW weight decay.
        seed: seeds the order of the batches and every random draw inside the model (dropout masks), so the
            same seed gives the same run on CPU; the caller's own random state is left as it was.
        test_images, test_labels: when given, test accuracy is recorded after every epoch.
        device: where to train; defaults to :func:`mixerbook.get_device`.
        progress: show a ``tqdm.auto`` progress bar.
        desc: label of the progress bar, which readers see (Vietnamese; default "huấn luyện").

    Returns:
        A :class:`History`; the model is trained in place and left in eval mode.

    Raises:
        TypeError, ValueError: before training starts, for images that do not fit the model (the message
            names the accepted shapes), labels that are not (N,) integer class ids 0 .. K-1 (K: the model's
            outputs), or settings that are not positive.
        NonFiniteLossError: when the loss becomes NaN or infinite (the message names the epoch and batch
            and suggests a smaller ``lr``).
        TrainingInterrupted: after Ctrl-C or a Jupyter kernel interrupt. The first interrupt lets the
            current step finish, then a line in Vietnamese says where training stopped ("Đã dừng ở epoch
            ..."); the exception carries the partial :class:`History` (``interrupted=True``,
            ``steps_done``) and the model keeps its last finished step's weights, in eval mode. A second
            interrupt stops at once, possibly inside an optimiser step.

    Under ``torchrun`` (a ``torch.distributed`` process group is initialised, e.g. by
    ``python -m mixerbook``), the same call trains with ``DistributedDataParallel``: every process
    draws the same batch order and takes its share of each batch, and gradients are averaged, so the
    run follows the single-process one.
    """
    for name, value in (("epochs", epochs), ("batch_size", batch_size)):
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ValueError(f"{name} must be positive: an int >= 1, got {value!r}.")
    if not isinstance(lr, (int, float)) or not 0 < lr < float("inf"):
        raise ValueError(f"lr must be positive: a finite number > 0, got {lr!r}.")
    _check_images(model, images)
    _check_labels(labels, images.shape[0])
    if (test_images is None) != (test_labels is None):
        raise ValueError("Pass test_images and test_labels together (or neither).")
    if test_images is not None:
        _check_images(model, test_images, "test_images")
        _check_labels(test_labels, test_images.shape[0], "test_labels")
    device = resolve_device(device)
    non_blocking = device.type == "cuda"
    memory_format = memory_format_for(model)
    model.to(device, memory_format=memory_format)
    X = images.to(device, non_blocking=non_blocking)
    y = labels.to(device, non_blocking=non_blocking)
    num_classes = _num_outputs(model, to_float(X[:1]).contiguous(memory_format=memory_format), device)
    _check_label_range(labels, num_classes, model)
    if test_labels is not None:
        _check_label_range(test_labels, num_classes, model, "test_labels")
    n = X.shape[0]
    steps_per_epoch = (n + batch_size - 1) // batch_size
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    total_steps = epochs * steps_per_epoch
    if total_steps >= 8:
        scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=total_steps, pct_start=0.25)
    else:  # too few steps for a warm-up and a decay: keep the learning rate constant
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0)
    loss_fn = nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(seed)
    history = History()
    size, rank = world()
    net: nn.Module = model
    if size > 1:
        from torch.nn.parallel import DistributedDataParallel

        net = DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)
    # NaN/inf check of the running loss: every step on the CPU (no cost), every 32 steps on an accelerator
    # (one synchronisation); under DDP only on the all-reduced epoch total, so that every process agrees.
    check_every = 0 if size > 1 else 1 if device.type == "cpu" else 32
    bar = tqdm(total=epochs * steps_per_epoch, desc=desc or "huấn luyện", disable=not progress or rank > 0,
               leave=True, unit=" lô")
    epoch, done_in_epoch = 0, 0
    try:
        with _DeferredInterrupt() as stop, _seeded_random_draws(seed, device):
            for epoch in range(epochs):
                model.train()
                start = time.perf_counter()
                order = torch.randperm(n, generator=generator).to(device)
                total = torch.zeros((), device=device)
                losses = torch.zeros(steps_per_epoch, device=device)  # to name the first bad batch
                done_in_epoch = 0
                for i in range(steps_per_epoch):
                    lo, hi = i * batch_size, min((i + 1) * batch_size, n)
                    if size > 1:  # this process's share of the batch
                        share = torch.arange(lo, hi).tensor_split(size)[rank]
                        lo, hi = int(share[0]), int(share[-1]) + 1
                    idx = order[lo:hi]  # index_select of whole rows: far cheaper than X[idx] or one gather per epoch
                    xb = to_float(X.index_select(0, idx)).contiguous(memory_format=memory_format)  # (B, C, H, W)
                    with autocast(device):
                        loss = loss_fn(net(xb), y.index_select(0, idx))
                    optimizer.zero_grad(set_to_none=True)
                    loss.backward()
                    optimizer.step()
                    scheduler.step()
                    done_in_epoch += 1
                    history.steps_done += 1
                    losses[i] = loss.detach()
                    total += losses[i] * (hi - lo)
                    bar.update(1)
                    if check_every and (i + 1) % check_every == 0 and not torch.isfinite(total):
                        _raise_non_finite(losses, epoch, epochs, lr, history)
                    if stop.requested:
                        raise KeyboardInterrupt
                if size > 1:
                    torch.distributed.all_reduce(total)
                if device.type == "cuda":
                    torch.cuda.synchronize(device)
                history.epoch_seconds.append(time.perf_counter() - start)
                if not torch.isfinite(total):
                    _raise_non_finite(losses, epoch, epochs, lr, history)
                history.train_loss.append(float(total) / n)
                if test_images is not None and test_labels is not None:
                    acc = evaluate(model, test_images, test_labels, device=device).accuracy
                    history.test_accuracy.append(acc)
                    bar.set_postfix_str(f"mất mát {history.train_loss[-1]:.3f}, độ chính xác kiểm tra {acc:.2%}")
                else:
                    bar.set_postfix_str(f"mất mát {history.train_loss[-1]:.3f}")
    except KeyboardInterrupt:
        bar.close()
        history.interrupted = True
        line = (f"Đã dừng ở epoch {epoch + 1}/{epochs}, sau {done_in_epoch}/{steps_per_epoch} lô: đã xong "
                f"{len(history.train_loss)} epoch trọn vẹn, {history.steps_done} bước huấn luyện. Mô hình giữ trọng số "
                f"của bước cuối cùng đã xong và ở chế độ eval.")
        if rank == 0:
            print(line)
        raise TrainingInterrupted(
            f"Training stopped in epoch {epoch + 1}/{epochs} after {done_in_epoch}/{steps_per_epoch} batches "
            f"({len(history.train_loss)} whole epochs, {history.steps_done} steps done); the partial History is "
            f"in .history and the model keeps the weights of its last finished step.", history) from None
    finally:
        bar.close()
        model.eval()
    return history


@contextlib.contextmanager
def _seeded_random_draws(seed: int, device: torch.device):
    """Seed the generators that random layers (dropout) draw from, and restore the caller's state after.

    With this, ``fit(seed=...)`` fixes the whole run, the batch order and every dropout mask alike,
    whatever random numbers were drawn before it: two calls with the same model, data, settings and
    seed train the same weights, which is what the results cache (:mod:`mixerbook.cache`) assumes.
    """
    devices = [device] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.default_generator.manual_seed(seed)
        if device.type == "cuda":
            with torch.cuda.device(device):
                torch.cuda.manual_seed(seed)
        elif device.type == "mps":  # pragma: no cover - Apple GPUs only
            torch.mps.manual_seed(seed)
        yield


def _raise_non_finite(losses: torch.Tensor, epoch: int, epochs: int, lr: float, history: History) -> None:
    bad = torch.nonzero(~torch.isfinite(losses))
    where = f"batch {int(bad[0]) + 1}/{losses.numel()} of " if bad.numel() else ""
    value = float(losses[int(bad[0])]) if bad.numel() else float("nan")
    raise NonFiniteLossError(
        f"The training loss became {value} in {where}epoch {epoch + 1}/{epochs}: training diverged and the weights "
        f"are no longer usable. Build the model afresh and train with a smaller learning rate, e.g. lr={lr / 10:g} "
        f"instead of lr={lr:g} (any positive lr is accepted; a smaller one is slower but stable).", history)


@torch.no_grad()
def predict(model: nn.Module, images: torch.Tensor, *, batch_size: int = 1024,
            device: torch.device | str | None = None) -> torch.Tensor:
    """Logits of ``model`` for every image.

    Args:
        images: (N, H, W) or (N, C, H, W), uint8 or float in [0, 1].

    Returns:
        (N, K) float32 logits on the CPU.

    Raises:
        TypeError, ValueError: for images of the wrong type, dtype, value range or shape for ``model``.
    """
    _check_images(model, images)
    return _predict(model, images, batch_size, device)


@torch.no_grad()
def _predict(model: nn.Module, images: torch.Tensor, batch_size: int,
             device: torch.device | str | None) -> torch.Tensor:
    device = resolve_device(device) if device is not None else next(model.parameters()).device
    model.eval()
    memory_format = memory_format_for(model)
    model.to(device, memory_format=memory_format)
    outs = []
    for i in range(0, images.shape[0], batch_size):
        xb = to_float(images[i : i + batch_size].to(device)).contiguous(memory_format=memory_format)
        with autocast(device):
            outs.append(model(xb).float().cpu())
    return torch.cat(outs)


def confusion_matrix(predicted: torch.Tensor, target: torch.Tensor, num_classes: int) -> torch.Tensor:
    """(K, K) counts; entry [i, j] is how many images of class i were predicted as j."""
    if predicted.shape != target.shape:
        raise ValueError(f"predicted and target must have the same shape, got {predicted.shape} and {target.shape}.")
    flat = target.long() * num_classes + predicted.long()
    return torch.bincount(flat, minlength=num_classes * num_classes).reshape(num_classes, num_classes)


def macro_precision_recall(confusion: torch.Tensor) -> tuple[float, float]:
    """Macro-averaged precision and recall from a confusion matrix (classes never predicted count as 0)."""
    conf = confusion.double()
    tp = conf.diag()
    predicted = conf.sum(0)
    actual = conf.sum(1)
    precision = torch.where(predicted > 0, tp / predicted.clamp(min=1), torch.zeros_like(tp))
    recall = torch.where(actual > 0, tp / actual.clamp(min=1), torch.zeros_like(tp))
    return float(precision.mean()), float(recall.mean())


def evaluate(model: nn.Module, images: torch.Tensor, labels: torch.Tensor, *, num_classes: int | None = None,
             batch_size: int = 1024, device: torch.device | str | None = None) -> Metrics:
    """Accuracy, macro precision and recall, and the confusion matrix of ``model``.

    Args:
        images: (N, H, W) or (N, C, H, W) images.
        labels: (N,) int64 class ids.
        num_classes: K; defaults to the model's number of logits.

    Returns:
        :class:`Metrics`.

    Raises:
        TypeError, ValueError: for images that do not fit the model (see :func:`predict`), or labels that
            are not an (N,) integer tensor of class ids 0 .. K-1.
    """
    _check_images(model, images)
    _check_labels(labels, images.shape[0])
    logits = _predict(model, images, batch_size, device)
    k = num_classes or logits.shape[1]
    target = labels.cpu()
    _check_label_range(target, k, model)
    pred = logits.argmax(1)
    conf = confusion_matrix(pred, target, k)
    precision, recall = macro_precision_recall(conf)
    return Metrics(float((pred == target).float().mean()), precision, recall, conf)
