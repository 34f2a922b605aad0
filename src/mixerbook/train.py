"""Training and evaluation on in-memory tensors.

No per-sample ``DataLoader``: the whole split lives on the device as uint8 and each batch is
sliced, converted to float and fed to the model. On CUDA the forward pass runs under autocast.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import torch
from torch import nn
from tqdm.auto import tqdm

from .data import to_float
from .device import autocast, get_device

__all__ = ["History", "Metrics", "fit", "evaluate", "predict", "confusion_matrix", "macro_precision_recall",
           "world", "memory_format_for"]


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


def _check_pair(images: torch.Tensor, labels: torch.Tensor) -> None:
    if images.shape[0] != labels.shape[0]:
        raise ValueError(f"images and labels disagree in length: {images.shape[0]} vs {labels.shape[0]}.")
    if images.dim() not in (3, 4):
        raise ValueError(f"images must be (N, H, W) or (N, C, H, W), got {tuple(images.shape)}.")


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
        seed: seeds the order of the batches (the same seed gives the same run on CPU).
        test_images, test_labels: when given, test accuracy is recorded after every epoch.
        device: where to train; defaults to :func:`mixerbook.get_device`.
        progress: show a ``tqdm.auto`` progress bar.
        desc: label of the progress bar.

    Returns:
        A :class:`History`; the model is trained in place and left in eval mode.

    Under ``torchrun`` (a ``torch.distributed`` process group is initialised, e.g. by
    ``python -m mixerbook``), the same call trains with ``DistributedDataParallel``: every process
    draws the same batch order and takes its share of each batch, and gradients are averaged, so the
    run follows the single-process one.
    """
    _check_pair(images, labels)
    if epochs <= 0 or batch_size <= 0 or lr <= 0:
        raise ValueError(f"epochs, batch_size and lr must be positive; got {epochs}, {batch_size}, {lr}.")
    device = torch.device(device) if device is not None else get_device()
    non_blocking = device.type == "cuda"
    memory_format = memory_format_for(model)
    model.to(device, memory_format=memory_format)
    X = images.to(device, non_blocking=non_blocking)
    y = labels.to(device, non_blocking=non_blocking)
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
    bar = tqdm(total=epochs * steps_per_epoch, desc=desc or type(model).__name__, disable=not progress or rank > 0,
               leave=True, unit="batch")
    for _ in range(epochs):
        model.train()
        start = time.perf_counter()
        order = torch.randperm(n, generator=generator).to(device)
        total = torch.zeros((), device=device)
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
            total += loss.detach() * (hi - lo)
            bar.update(1)
        if size > 1:
            torch.distributed.all_reduce(total)
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        history.epoch_seconds.append(time.perf_counter() - start)
        history.train_loss.append(float(total) / n)
        if test_images is not None and test_labels is not None:
            acc = evaluate(model, test_images, test_labels, device=device).accuracy
            history.test_accuracy.append(acc)
            bar.set_postfix(loss=f"{history.train_loss[-1]:.3f}", test_acc=f"{acc:.3f}")
        else:
            bar.set_postfix(loss=f"{history.train_loss[-1]:.3f}")
    bar.close()
    model.eval()
    return history


@torch.no_grad()
def predict(model: nn.Module, images: torch.Tensor, *, batch_size: int = 1024,
            device: torch.device | str | None = None) -> torch.Tensor:
    """Logits of ``model`` for every image.

    Args:
        images: (N, H, W) or (N, C, H, W), uint8 or float in [0, 1].

    Returns:
        (N, K) float32 logits on the CPU.
    """
    device = torch.device(device) if device is not None else next(model.parameters()).device
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
    """
    _check_pair(images, labels)
    logits = predict(model, images, batch_size=batch_size, device=device)
    k = num_classes or logits.shape[1]
    pred = logits.argmax(1)
    target = labels.cpu()
    conf = confusion_matrix(pred, target, k)
    precision, recall = macro_precision_recall(conf)
    return Metrics(float((pred == target).float().mean()), precision, recall, conf)
