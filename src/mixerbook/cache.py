"""A disk cache of finished training runs, keyed by everything that determines the result.

Re-running a chapter (in Colab, or a local rebuild of the book) then reuses the models it has
already trained. The key is a hash of: the model's architecture (its ``repr``), the training
settings, the seed, a fingerprint of the data, the device type, the torch version, and the source
code of the whole ``mixerbook`` package, so a changed configuration or a changed line of package
code never reuses a stale result.

Location: ``$MIXERBOOK_CACHE_DIR``, else ``~/.cache/mixerbook/runs``. Set ``MIXERBOOK_CACHE=0``
to switch the cache off.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from pathlib import Path

import torch
from torch import nn

__all__ = ["enabled", "cache_dir", "run_key", "data_fingerprint", "load", "save"]


def enabled() -> bool:
    """False when the environment variable ``MIXERBOOK_CACHE`` is ``0``, ``false`` or ``no``."""
    return os.environ.get("MIXERBOOK_CACHE", "1").strip().lower() not in {"0", "false", "no", "off"}


def cache_dir() -> Path:
    """The folder holding cached runs."""
    base = os.environ.get("MIXERBOOK_CACHE_DIR")
    if base:
        return Path(base)
    home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(home) / "mixerbook" / "runs"


@functools.lru_cache(maxsize=1)
def _package_source_hash() -> str:
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parent
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def data_fingerprint(images: torch.Tensor, labels: torch.Tensor) -> str:
    """A short hash of a data split: its shapes and a strided sample of its values."""
    digest = hashlib.sha256()
    digest.update(repr((tuple(images.shape), str(images.dtype), tuple(labels.shape))).encode())
    step = max(1, images.shape[0] // 512)
    digest.update(images[::step].contiguous().cpu().numpy().tobytes())
    digest.update(labels.contiguous().cpu().numpy().tobytes())
    return digest.hexdigest()[:16]


def run_key(model: nn.Module, settings: dict, seed: int, data: str, device: torch.device | str) -> str:
    """The cache key of one training run (a hex string)."""
    payload = {
        "model": repr(model),
        "settings": {k: settings[k] for k in sorted(settings)},
        "seed": seed,
        "data": data,
        "device": torch.device(device).type,
        "torch": torch.__version__,
        "code": _package_source_hash(),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:24]


def load(key: str) -> dict | None:
    """The stored record of run ``key``, or None when absent, unreadable or the cache is off."""
    if not enabled():
        return None
    path = cache_dir() / f"{key}.pt"
    if not path.is_file():
        return None
    try:
        return torch.load(path, map_location="cpu", weights_only=False)
    except Exception:  # a truncated or foreign file: ignore it and train again
        return None


def save(key: str, record: dict) -> Path | None:
    """Store a run's record (state_dict, history, metrics ...) atomically; returns the path."""
    if not enabled():
        return None
    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{key}.pt"
    tmp = path.with_suffix(".tmp")
    torch.save(record, tmp)
    tmp.replace(path)
    return path
