"""Device selection, seeding and mixed precision, used by every chapter."""

from __future__ import annotations

import contextlib
import os
import random

import numpy as np
import torch

__all__ = ["get_device", "resolve_device", "set_seed", "autocast", "describe_device"]

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
        TypeError: if ``prefer`` is not a string.
    """
    choice = prefer if prefer is not None else os.environ.get("MIXERBOOK_DEVICE") or None
    if choice is not None:
        source = "" if prefer is not None else " (from MIXERBOOK_DEVICE)"
        if not isinstance(choice, str):
            raise TypeError(f"prefer must be a string ({', '.join(_VALID)}), got {type(choice).__name__}.")
        choice = choice.strip().lower()
        if choice not in _VALID:
            raise ValueError(f"Unknown device {choice!r}{source}; expected one of {', '.join(_VALID)}.")
        if choice not in _available():
            raise ValueError(f"Device {choice!r} was requested{source} but this machine lacks it; "
                             f"available here: {', '.join(_available())}.")
        return torch.device(choice)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if _mps_available():
        return torch.device("mps")
    return torch.device("cpu")


def resolve_device(device: torch.device | str | None = None) -> torch.device:
    """The device a ``device=`` argument names: None means :func:`get_device`'s choice.

    Accepts a ``torch.device`` or a string "cpu", "cuda", "cuda:<index>" or "mps".

    Raises:
        TypeError: for anything that is not None, a string or a ``torch.device``.
        ValueError: for an unknown device name, or a device (or CUDA index) that this machine lacks.
    """
    if device is None:
        return get_device()
    if isinstance(device, str):
        kind, _, index = device.strip().lower().partition(":")
        if kind not in _VALID or (index and (not index.isdigit() or kind != "cuda")):
            raise ValueError(f"Unknown device {device!r}; expected one of {', '.join(_VALID)} or 'cuda:<index>'.")
        device = torch.device(kind, int(index)) if index else get_device(kind)
    if not isinstance(device, torch.device):
        raise TypeError(f"device must be None, a string ({', '.join(_VALID)}) or a torch.device; "
                        f"got {type(device).__name__}.")
    if device.type == "cuda":
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if count == 0 or (device.index is not None and device.index >= count):
            raise ValueError(f"Device {str(device)!r} was requested but this machine has {count} CUDA device(s); "
                             f"use {', '.join(f'cuda:{i}' for i in range(count)) or 'cpu'}.")
    if device.type == "mps" and not _mps_available():
        raise ValueError(f"Device {str(device)!r} was requested but this machine lacks it; "
                         f"available here: {', '.join(_available())}.")
    return device


def _available() -> list[str]:
    return [kind for kind, ok in (("cuda", torch.cuda.is_available()), ("mps", _mps_available()), ("cpu", True)) if ok]


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def describe_device(device: torch.device | str | None = None) -> str:
    """A one-line human description of the device, e.g. ``cuda (NVIDIA H100)`` or ``cpu (2 luồng)``."""
    device = resolve_device(device)
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)})"
    if device.type == "cpu":
        return f"cpu ({torch.get_num_threads()} luồng)"
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
