"""Device selection, seeding and mixed precision, used by every chapter."""

from __future__ import annotations

import contextlib
import os
import random

import numpy as np
import torch

__all__ = ["get_device", "set_seed", "autocast", "describe_device"]

_VALID = ("cuda", "mps", "cpu")


def get_device(prefer: str | None = None) -> torch.device:
    """Return the best available device: CUDA, then Apple MPS, then the CPU.

    Args:
        prefer: force one kind ("cuda", "mps" or "cpu"). When None, the environment
            variable ``MIXERBOOK_DEVICE`` is read, and if unset the fastest device is chosen.

    Returns:
        A ``torch.device``.

    Raises:
        ValueError: if ``prefer`` names an unknown kind, or a kind that this machine lacks.
    """
    choice = prefer if prefer is not None else os.environ.get("MIXERBOOK_DEVICE") or None
    if choice is not None:
        choice = choice.lower()
        if choice not in _VALID:
            raise ValueError(f"Unknown device {choice!r}; expected one of {', '.join(_VALID)}.")
        if choice == "cuda" and not torch.cuda.is_available():
            raise ValueError("Device 'cuda' was requested but torch.cuda.is_available() is False.")
        if choice == "mps" and not _mps_available():
            raise ValueError("Device 'mps' was requested but the MPS backend is not available.")
        return torch.device(choice)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if _mps_available():
        return torch.device("mps")
    return torch.device("cpu")


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def describe_device(device: torch.device | str | None = None) -> str:
    """A one-line human description of the device, e.g. ``cuda (NVIDIA H100)`` or ``cpu (2 threads)``."""
    device = torch.device(device) if device is not None else get_device()
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)})"
    if device.type == "cpu":
        return f"cpu ({torch.get_num_threads()} threads)"
    return device.type


def set_seed(seed: int = 0) -> None:
    """Seed Python, NumPy and PyTorch (all devices) so a run can be repeated.

    Args:
        seed: any non-negative integer.
    """
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}.")
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def autocast(device: torch.device | str):
    """Mixed-precision context for the forward pass.

    On CUDA this is ``torch.autocast`` in bfloat16 where the GPU supports it (float16
    otherwise); on every other device it does nothing, so CPU results stay exact float32.
    """
    device = torch.device(device)
    if device.type == "cuda":
        dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        return torch.autocast("cuda", dtype=dtype)
    return contextlib.nullcontext()
