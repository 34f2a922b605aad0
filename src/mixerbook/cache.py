"""A disk cache of finished training runs, keyed by everything that determines the result.

Re-running a chapter (in Colab, or a local rebuild of the book) then reuses the models it has
already trained. The key is a hash of: the model's architecture (its ``repr``), the training
settings, the seed, a fingerprint of the data, the device type, the torch version, and the source
code of the whole ``mixerbook`` package, so a changed configuration or a changed line of package
code never reuses a stale result.

Location: ``$MIXERBOOK_CACHE_DIR``, else ``~/.cache/mixerbook/runs``. Set ``MIXERBOOK_CACHE=0``
to switch the cache off.

A cache folder may be shared (a classroom drive, several torchrun ranks, two builds at once), so
an entry can never run code and can never be half-written:

* ``<key>.json`` holds the record's plain values and, in place of each tensor, a reference into
  ``<key>-<sha>.pt``, a flat ``{name: tensor}`` file read with ``torch.load(weights_only=True)``
  (no pickle of arbitrary objects). The JSON names that file and its SHA-256; ``<sha>`` is the
  start of the same digest, so a JSON file always points at the exact tensors written with it.
* Files are written under unique temporary names in the cache folder and moved into place with
  an atomic rename, tensors first and the JSON last: a reader sees a whole entry or none.
* A JSON file that is not valid, belongs to another key or format, names a missing file or one
  whose bytes do not match the digest (truncated, tampered, foreign) makes the entry absent: the
  run is trained again and the entry rewritten.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import json
import os
import pickle
import tempfile
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


#: Format tag written into every entry's JSON; entries of another format are ignored.
FORMAT = "mixerbook-run/2"
_TENSOR = "__tensor__"


def _split(value, tensors: dict[str, torch.Tensor], path: str):
    """``value`` with every tensor replaced by ``{"__tensor__": name}``; the tensors go to ``tensors``."""
    if isinstance(value, torch.Tensor):
        tensors[path] = value.detach().cpu().contiguous()
        return {_TENSOR: path}
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise TypeError(f"cache records need string keys, got {list(value)[:3]} at {path or 'the top'}")
        return {k: _split(v, tensors, f"{path}.{k}" if path else k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_split(v, tensors, f"{path}.{i}") for i, v in enumerate(value)]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"cache records hold tensors, numbers, strings, lists and dicts; got {type(value).__name__} "
                    f"at {path or 'the top'}")


def _join(value, tensors: dict[str, torch.Tensor]):
    if isinstance(value, dict):
        if set(value) == {_TENSOR}:
            return tensors[value[_TENSOR]]
        return {k: _join(v, tensors) for k, v in value.items()}
    if isinstance(value, list):
        return [_join(v, tensors) for v in value]
    return value


def _write_atomic(folder: Path, name: str, data: bytes) -> Path:
    """Write ``data`` to ``folder/name`` through a uniquely named temporary file and an atomic rename."""
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, folder / name)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return folder / name


def load(key: str) -> dict | None:
    """The stored record of run ``key``, or None when absent, invalid in any way, or the cache is off."""
    if not enabled():
        return None
    folder = cache_dir()
    try:
        meta = json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))
        if not (isinstance(meta, dict) and meta.get("format") == FORMAT and meta.get("key") == key):
            return None
        name = meta["tensors"]
        if not (isinstance(name, str) and name.startswith(f"{key}-") and name.endswith(".pt") and "/" not in name):
            return None
        raw = (folder / name).read_bytes()
        if hashlib.sha256(raw).hexdigest() != meta["sha256"]:
            return None
        tensors = torch.load(io.BytesIO(raw), map_location="cpu", weights_only=True)
        if not (isinstance(tensors, dict) and all(isinstance(t, torch.Tensor) for t in tensors.values())):
            return None
        return _join(meta["record"], tensors)
    except (OSError, EOFError, ValueError, KeyError, TypeError, AttributeError, RuntimeError, pickle.UnpicklingError):
        return None  # absent, truncated, foreign or tampered: train again


def save(key: str, record: dict) -> Path | None:
    """Store a run's record (state_dict, history, metrics ...); returns the path of its JSON file.

    Tensors anywhere in ``record`` go to the tensor file; everything else must be plain JSON
    values (numbers, strings, booleans, None, lists, dicts with string keys).
    """
    if not enabled():
        return None
    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    tensors: dict[str, torch.Tensor] = {}
    plain = _split(record, tensors, "")
    buf = io.BytesIO()
    torch.save(tensors, buf)
    raw = buf.getvalue()
    digest = hashlib.sha256(raw).hexdigest()
    name = f"{key}-{digest[:16]}.pt"
    _write_atomic(folder, name, raw)
    meta = {"format": FORMAT, "key": key, "tensors": name, "sha256": digest, "record": plain}
    path = _write_atomic(folder, f"{key}.json", json.dumps(meta).encode("utf-8"))
    _remove_unreferenced(folder, key)
    return path


def _remove_unreferenced(folder: Path, key: str) -> None:
    """Delete tensor files of ``key`` that its JSON (as it is on disk now) does not name."""
    try:
        keep = json.loads((folder / f"{key}.json").read_text(encoding="utf-8")).get("tensors")
    except (OSError, ValueError, AttributeError):
        return
    for old in folder.glob(f"{key}-*.pt"):
        if old.name != keep:
            with contextlib.suppress(OSError):
                old.unlink()
