"""Parameter and multiply-add counts: analytic formulas and the same quantities measured on a model.

A multiply-add (MAC) is one multiplication followed by one addition; 1 MAC = 2 FLOPs. The
formulas count the weights' multiply-adds per image and leave out bias additions, which is also
what ``torch.utils.flop_counter.FlopCounterMode`` counts (it reports FLOPs = 2 x MACs for matrix
multiplications and convolutions).
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn

__all__ = [
    "linear_params",
    "linear_macs",
    "conv2d_params",
    "conv2d_macs",
    "flatten_first_layer",
    "count_params",
    "count_macs",
    "mixer_token_mlp_params",
    "mixer_channel_mlp_params",
    "mixer_block_params",
    "mixer_block_macs",
    "growth_series",
    "available_memory",
    "measure_latency",
    "GrowthPoint",
    "measure_linear_growth",
]


def _positive(**values: int) -> None:
    for name, value in values.items():
        if not isinstance(value, int) or value <= 0:
            raise ValueError(f"{name} must be a positive int, got {value!r}.")


def linear_params(in_features: int, out_features: int, bias: bool = True) -> int:
    """Parameters of ``nn.Linear(in_features, out_features)``: weights ``in*out`` plus ``out`` biases."""
    _positive(in_features=in_features, out_features=out_features)
    return in_features * out_features + (out_features if bias else 0)


def linear_macs(in_features: int, out_features: int) -> int:
    """Multiply-adds of one ``nn.Linear`` per input vector: every weight is used once."""
    _positive(in_features=in_features, out_features=out_features)
    return in_features * out_features


def conv2d_params(in_channels: int, out_channels: int, kernel_size: int, bias: bool = True) -> int:
    """Parameters of a square ``nn.Conv2d``: ``k*k*in*out`` weights plus ``out`` biases.

    Note that the image size does not appear: the same kernel is reused at every position.
    """
    _positive(in_channels=in_channels, out_channels=out_channels, kernel_size=kernel_size)
    return kernel_size * kernel_size * in_channels * out_channels + (out_channels if bias else 0)


def conv2d_macs(in_channels: int, out_channels: int, kernel_size: int, out_height: int, out_width: int) -> int:
    """Multiply-adds of a square ``nn.Conv2d`` per image: ``H_out*W_out*k*k*in*out``."""
    _positive(in_channels=in_channels, out_channels=out_channels, kernel_size=kernel_size,
              out_height=out_height, out_width=out_width)
    return out_height * out_width * kernel_size * kernel_size * in_channels * out_channels


def flatten_first_layer(height: int, width: int, channels: int, hidden: int) -> dict[str, int]:
    """The first layer of a flatten-MLP on an (H, W, C) image.

    Returns:
        ``{"inputs": H*W*C, "params": H*W*C*hidden + hidden, "macs": H*W*C*hidden}``.
    """
    _positive(height=height, width=width, channels=channels, hidden=hidden)
    inputs = height * width * channels
    return {"inputs": inputs, "params": linear_params(inputs, hidden), "macs": linear_macs(inputs, hidden)}


def count_params(module: nn.Module, trainable_only: bool = False) -> int:
    """Number of parameters of ``module`` (shared tensors counted once)."""
    seen: set[int] = set()
    total = 0
    for p in module.parameters():
        if id(p) in seen or (trainable_only and not p.requires_grad):
            continue
        seen.add(id(p))
        total += p.numel()
    return total


def _sdpa_flops(query_shape, key_shape, value_shape, *args, out_shape=None, **kwargs) -> int:
    """FLOPs of attention QK^T and AV, for the SDPA kernels that ``FlopCounterMode`` has no formula for."""
    from torch.utils.flop_counter import sdpa_flop_count

    return sdpa_flop_count(query_shape, key_shape, value_shape)


def _attention_formulas() -> dict:
    """``FlopCounterMode`` formulas for the CPU attention kernels it leaves out (torch 2.x)."""
    aten = torch.ops.aten
    names = ("_scaled_dot_product_flash_attention_for_cpu", "_scaled_dot_product_fused_attention_overrideable")
    return {getattr(aten, n): _sdpa_flops for n in names if hasattr(aten, n)}


@torch.no_grad()
def count_macs(module: nn.Module, input_shape: tuple[int, ...], count_attention: bool = True) -> int:
    """Multiply-adds of one forward pass per image, measured with ``FlopCounterMode``.

    ``FlopCounterMode`` counts only the operators it has a formula for. Two gaps matter for
    Transformers such as ``torchvision.models.vit_b_16``: in inference ``nn.MultiheadAttention``
    takes a fused "fast path" (one kernel for projections and attention) that it does not see at
    all, and the CPU kernel of ``scaled_dot_product_attention`` has no formula. With
    ``count_attention=True`` (the default) the fast path is switched off while counting and the
    attention products QK^T and AV are counted; models without attention are unaffected.

    Args:
        module: the model; it is run once in eval mode on zeros on its own device (a model on the
            ``meta`` device is counted without computing anything).
        input_shape: shape of ONE input without the batch axis, e.g. ``(1, 28, 28)``.
        count_attention: False gives ``FlopCounterMode``'s raw count (which misses the above).

    Returns:
        MACs per image (FLOPs counted by PyTorch divided by 2), an int.
    """
    from torch.utils.flop_counter import FlopCounterMode

    try:
        device = next(module.parameters()).device
    except StopIteration:
        device = torch.device("cpu")
    was_training = module.training
    module.eval()
    x = torch.zeros((1, *input_shape), device=device)
    counter = FlopCounterMode(display=False, custom_mapping=_attention_formulas() if count_attention else None)
    mha = getattr(torch.backends, "mha", None)
    fastpath = mha.get_fastpath_enabled() if mha is not None else None
    try:
        if count_attention and mha is not None:
            mha.set_fastpath_enabled(False)
        with counter:
            module(x)
    finally:
        if mha is not None:
            mha.set_fastpath_enabled(fastpath)
        module.train(was_training)
    return counter.get_total_flops() // 2


# --------------------------------------------------------------------------------------------------
# Growth with resolution (chapter "Số tham số tăng theo bình phương"): a Mixer layer's formulas in the
# paper's names, the three first-layer series, and the flatten-MLP's first layer measured on a device.


def mixer_token_mlp_params(num_patches: int, tokens_mlp_dim: int) -> int:
    """Parameters of the token-mixing MLP of one Mixer layer: ``2*S*D_S + D_S + S``.

    The MLP is Dense(S -> D_S) then Dense(D_S -> S): weights W1 (D_S x S) and W2 (S x D_S), biases
    b1 (D_S) and b2 (S). It is shared by all C channels, so C does not appear.

    Args:
        num_patches: S, the number of patches (tokens).
        tokens_mlp_dim: D_S, the hidden width of the token-mixing MLP.
    """
    _positive(num_patches=num_patches, tokens_mlp_dim=tokens_mlp_dim)
    return linear_params(num_patches, tokens_mlp_dim) + linear_params(tokens_mlp_dim, num_patches)


def mixer_channel_mlp_params(hidden_dim: int, channels_mlp_dim: int) -> int:
    """Parameters of the channel-mixing MLP of one Mixer layer: ``2*C*D_C + D_C + C``.

    Shared by all S patches, so S does not appear: the count is the same at any resolution.

    Args:
        hidden_dim: C, the channels of each token.
        channels_mlp_dim: D_C, the hidden width of the channel-mixing MLP.
    """
    _positive(hidden_dim=hidden_dim, channels_mlp_dim=channels_mlp_dim)
    return linear_params(hidden_dim, channels_mlp_dim) + linear_params(channels_mlp_dim, hidden_dim)


def mixer_block_params(num_patches: int, hidden_dim: int, tokens_mlp_dim: int, channels_mlp_dim: int) -> int:
    """Parameters of one ``mixerbook.models.MixerBlock``: both MLPs, with biases, and its two LayerNorms.

    ``(2*S*D_S + D_S + S) + (2*C*D_C + D_C + C) + 2 * 2*C`` (each LayerNorm has a scale and a shift
    of C entries). Mixer-B/16 at 224 px (S=196, C=768, D_S=384, D_C=3072): 151,108 + 4,722,432 + 3,072.

    Args:
        num_patches: S.
        hidden_dim: C.
        tokens_mlp_dim: D_S.
        channels_mlp_dim: D_C.
    """
    _positive(num_patches=num_patches, hidden_dim=hidden_dim, tokens_mlp_dim=tokens_mlp_dim,
              channels_mlp_dim=channels_mlp_dim)
    layer_norms = 2 * (2 * hidden_dim)
    return (mixer_token_mlp_params(num_patches, tokens_mlp_dim)
            + mixer_channel_mlp_params(hidden_dim, channels_mlp_dim) + layer_norms)


def mixer_block_macs(num_patches: int, hidden_dim: int, tokens_mlp_dim: int, channels_mlp_dim: int) -> int:
    """Multiply-adds of one Mixer layer per image: ``2*S*C*(D_S + D_C)``.

    The token-mixing MLP runs on each of the C columns of the (S, C) table, ``S*D_S + D_S*S`` each;
    the channel-mixing MLP runs on each of the S rows, ``C*D_C + D_C*C`` each. Like
    :func:`count_macs` (``FlopCounterMode``), this counts the matrix multiplications only and leaves
    out LayerNorm, GELU, bias additions and skip connections: element-wise work in which no weight
    is multiplied. With D_S and D_C fixed the count grows linearly in S.

    Args:
        num_patches: S.
        hidden_dim: C.
        tokens_mlp_dim: D_S.
        channels_mlp_dim: D_C.
    """
    _positive(num_patches=num_patches, hidden_dim=hidden_dim, tokens_mlp_dim=tokens_mlp_dim,
              channels_mlp_dim=channels_mlp_dim)
    token = hidden_dim * 2 * linear_macs(num_patches, tokens_mlp_dim)
    channel = num_patches * 2 * linear_macs(hidden_dim, channels_mlp_dim)
    return token + channel


def growth_series(
    resolutions: Sequence[int],
    hidden: int = 1024,
    channels: int = 3,
    conv_channels: int = 64,
    kernel_size: int = 3,
    patch_size: int = 16,
    hidden_dim: int = 768,
    tokens_mlp_dim: int = 384,
    channels_mlp_dim: int = 3072,
) -> dict[str, dict[str, list[int]]]:
    """Parameters and multiply-adds of three layers as a square R x R image grows.

    * ``"MLP"``: the first layer of a flatten-MLP, ``nn.Linear(R*R*channels, hidden)``;
    * ``"CNN"``: a first convolution ``nn.Conv2d(channels, conv_channels, kernel_size, padding=kernel_size // 2)``
      (stride 1, so the output is R x R too);
    * ``"Mixer"``: one Mixer layer (:func:`mixer_block_params`, :func:`mixer_block_macs`) on
      ``S = (R / patch_size)**2`` patches; the defaults are Mixer-B/16's C, D_S and D_C.

    Args:
        resolutions: image sides R; each must be divisible by ``patch_size``.

    Returns:
        ``{"MLP" | "CNN" | "Mixer": {"params": [...], "macs": [...]}}``, one entry per resolution.

    Raises:
        ValueError: if a size is not a positive int or a resolution is not divisible by ``patch_size``.
    """
    resolutions = list(resolutions)
    if not resolutions:
        raise ValueError("growth_series needs at least one resolution.")
    _positive(hidden=hidden, channels=channels, conv_channels=conv_channels, kernel_size=kernel_size,
              patch_size=patch_size)
    for r in resolutions:
        _positive(resolution=r)
        if r % patch_size != 0:
            raise ValueError(f"Resolution {r} is not divisible by patch_size {patch_size}: a Mixer needs whole "
                             f"patches; choose a resolution that is a multiple of {patch_size}.")
    series: dict[str, dict[str, list[int]]] = {name: {"params": [], "macs": []} for name in ("MLP", "CNN", "Mixer")}
    for r in resolutions:
        mlp = flatten_first_layer(r, r, channels, hidden)
        series["MLP"]["params"].append(mlp["params"])
        series["MLP"]["macs"].append(mlp["macs"])
        series["CNN"]["params"].append(conv2d_params(channels, conv_channels, kernel_size))
        series["CNN"]["macs"].append(conv2d_macs(channels, conv_channels, kernel_size, r, r))
        s = (r // patch_size) ** 2
        series["Mixer"]["params"].append(mixer_block_params(s, hidden_dim, tokens_mlp_dim, channels_mlp_dim))
        series["Mixer"]["macs"].append(mixer_block_macs(s, hidden_dim, tokens_mlp_dim, channels_mlp_dim))
    return series


def available_memory(device: torch.device | str, fallback_bytes: int = 4 * 2**30) -> int:
    """Bytes that can still be allocated on ``device``, read before allocating anything.

    * CUDA: the free memory reported by ``torch.cuda.mem_get_info``;
    * CPU: ``MemAvailable`` from ``/proc/meminfo`` (Linux);
    * anything else (macOS, MPS), or when the value cannot be read: ``fallback_bytes``.

    On the CPU the Linux out-of-memory killer ends the whole process without a Python exception,
    so code that may allocate a lot must compare its needs with this number first.
    """
    device = torch.device(device)
    if device.type == "cuda":
        free, _total = torch.cuda.mem_get_info(device)
        return int(free)
    if device.type == "cpu":
        try:
            with open("/proc/meminfo", encoding="ascii") as f:
                for line in f:
                    if line.startswith("MemAvailable:"):
                        return int(line.split()[1]) * 1024
        except (OSError, ValueError, IndexError):
            pass
    return int(fallback_bytes)


def _synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


@torch.inference_mode()
def measure_latency(module: nn.Module, x: torch.Tensor, repeats: int = 3, warmup: int = 1) -> float:
    """Median wall time of ``module(x)`` in milliseconds, timed with ``time.perf_counter``.

    Args:
        module: the module, already on ``x``'s device.
        x: one input batch, e.g. (B, in_features).
        repeats: timed forward passes (the median is returned).
        warmup: untimed passes first (memory is touched, kernels are chosen).

    On CUDA and MPS the device is synchronised before the clock is read, so the time covers the
    work itself and not only its launch.
    """
    if repeats < 1 or warmup < 0:
        raise ValueError(f"repeats must be >= 1 and warmup >= 0, got repeats={repeats}, warmup={warmup}.")
    device = x.device
    for _ in range(warmup):
        module(x)
    _synchronize(device)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        module(x)
        _synchronize(device)
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


@dataclass
class GrowthPoint:
    """One resolution of :func:`measure_linear_growth`.

    Attributes:
        resolution: image side R.
        inputs: ``R*R*channels``, the length of the flat vector.
        params: parameters of ``nn.Linear(inputs, hidden)``.
        weight_bytes: float32 bytes of those parameters (``params * 4``).
        needed_bytes: weights plus one batch of inputs and outputs.
        budget_bytes: what this point was allowed to use (``max_fraction`` of the free memory).
        latency_ms: median forward time of one batch, or None when the point was not measured.
        status: ``"ok"``; ``"memory"`` (would not fit, not allocated); ``"oom"`` (the allocation or
            the forward pass failed for memory); ``"time"`` (would exceed the time limit);
            ``"not run"`` (it would fit, but an earlier point stopped the sweep).
        reason: an English sentence explaining the status.
    """

    resolution: int
    inputs: int
    params: int
    weight_bytes: int
    needed_bytes: int
    budget_bytes: int
    latency_ms: float | None
    status: str
    reason: str


def _point(base: dict, latency_ms: float | None, status: str, reason: str) -> GrowthPoint:
    return GrowthPoint(**base, latency_ms=latency_ms, status=status, reason=reason)


def measure_linear_growth(
    resolutions: Sequence[int],
    hidden: int = 1024,
    channels: int = 3,
    batch_size: int = 8,
    device: torch.device | str | None = None,
    max_fraction: float = 0.5,
    memory_cap: int | None = None,
    time_limit_s: float = 30.0,
    repeats: int = 3,
) -> list[GrowthPoint]:
    """Weight memory and forward latency of a flatten-MLP's first layer as the image grows.

    For each side R (in increasing order) it builds ``nn.Linear(R*R*channels, hidden)`` in float32
    on ``device`` and times a forward pass of a (batch_size, R*R*channels) batch. Before allocating
    it compares the bytes needed with ``max_fraction`` of :func:`available_memory` (capped by
    ``memory_cap``), and stops cleanly at the first resolution that would not fit, instead of letting
    the process be killed. It also stops when the next point, predicted from the previous one's cost
    scaled by the input size, would take the whole sweep past ``time_limit_s``. Later resolutions
    are not allocated: they are returned with status ``"memory"`` when they would not fit either,
    else ``"not run"``, so the caller still sees what each would need.

    The weights are filled with one constant instead of random numbers: the time of a dense matrix
    product does not depend on the values, and drawing billions of random numbers on a CPU takes
    longer than the measurement itself.

    Args:
        resolutions: image sides R, e.g. ``(32, 64, 128, 224, 448, 896)``; sorted before use.
        hidden: output features of the layer.
        channels: image channels (3 for RGB).
        batch_size: images per forward pass.
        device: where to measure; ``mixerbook.get_device()`` when None.
        max_fraction: share of the free memory one point may use, in (0, 1].
        memory_cap: an upper bound on the free memory in bytes (tests use it to force a stop).
        time_limit_s: wall-time budget of the whole sweep in seconds.
        repeats: timed forward passes per point (after one warm-up pass).

    Returns:
        One :class:`GrowthPoint` per resolution, in increasing order.
    """
    from .device import resolve_device

    resolutions = sorted(resolutions)
    if not resolutions:
        raise ValueError("measure_linear_growth needs at least one resolution.")
    for r in resolutions:
        _positive(resolution=r)
    _positive(hidden=hidden, channels=channels, batch_size=batch_size, repeats=repeats)
    if not 0 < max_fraction <= 1:
        raise ValueError(f"max_fraction must be in (0, 1], got {max_fraction!r}.")
    if memory_cap is not None and memory_cap <= 0:
        raise ValueError(f"memory_cap must be a positive number of bytes or None, got {memory_cap!r}.")
    if time_limit_s <= 0:
        raise ValueError(f"time_limit_s must be positive, got {time_limit_s!r}.")
    device = resolve_device(device)

    points: list[GrowthPoint] = []
    stopped: str | None = None
    start = time.perf_counter()
    last: tuple[int, float] | None = None  # (inputs, seconds) of the last measured point
    for r in resolutions:
        inputs = r * r * channels
        params = linear_params(inputs, hidden)
        weight_bytes = 4 * params
        needed = weight_bytes + 4 * batch_size * (inputs + hidden)
        free = available_memory(device)
        if memory_cap is not None:
            free = min(free, int(memory_cap))
        budget = int(max_fraction * free)

        base = dict(resolution=r, inputs=inputs, params=params, weight_bytes=weight_bytes, needed_bytes=needed,
                    budget_bytes=budget)

        if needed > budget:  # checked for every point: it costs nothing and says what would not fit
            reason = (f"needs {needed / 1e9:.2f} GB but the budget is {budget / 1e9:.2f} GB "
                      f"({max_fraction:.0%} of the free memory)")
            points.append(_point(base, None, "memory", reason))
            stopped = stopped or f"the sweep stopped at resolution {r} (memory)"
            continue
        if stopped is not None:
            points.append(_point(base, None, "not run", stopped))
            continue
        if last is not None:
            predicted = last[1] * inputs / last[0]
            elapsed = time.perf_counter() - start
            if elapsed + predicted > time_limit_s:
                reason = (f"predicted {predicted:.1f} s after {elapsed:.1f} s would pass the time limit of "
                          f"{time_limit_s:.0f} s")
                points.append(_point(base, None, "time", reason))
                stopped = f"the sweep stopped at resolution {r} (time)"
                continue
        t0 = time.perf_counter()
        layer = x = None
        try:
            layer = nn.Linear(inputs, hidden, device="meta").to_empty(device=device)
            with torch.no_grad():
                layer.weight.fill_(inputs ** -0.5)
                layer.bias.zero_()
            x = torch.ones(batch_size, inputs, device=device)
            latency = measure_latency(layer, x, repeats=repeats)
            points.append(_point(base, latency, "ok", "measured"))
            last = (inputs, time.perf_counter() - t0)
        except RuntimeError as exc:  # includes torch.cuda.OutOfMemoryError
            message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            points.append(_point(base, None, "oom", f"{type(exc).__name__}: {message}"))
            stopped = f"the sweep stopped at resolution {r} (allocation failed)"
        finally:
            del layer, x
            gc.collect()
            if device.type == "cuda":
                torch.cuda.empty_cache()
    return points


# --------------------------------------------------------------------------------------------------
# Parameter sharing (chapter "Trộn token và trộn kênh").


def mixer_token_mlp_params_untied(num_patches: int, tokens_mlp_dim: int, hidden_dim: int) -> int:
    """Parameters of a token-mixing layer whose C channels do NOT share one MLP: ``C * (2*S*D_S + D_S + S)``.

    The Mixer shares one token-mixing MLP (:func:`mixer_token_mlp_params`) across its C channel
    columns; giving every column its own copy multiplies the count by exactly C (paper, Appendix A.1).
    Mixer-B/16 (S=196, D_S=384, C=768): 116,050,944 instead of 151,108.

    Args:
        num_patches: S.
        tokens_mlp_dim: D_S.
        hidden_dim: C, the number of channel columns, each with its own MLP.
    """
    _positive(hidden_dim=hidden_dim)
    return hidden_dim * mixer_token_mlp_params(num_patches, tokens_mlp_dim)


__all__ += ["mixer_token_mlp_params_untied"]


# --------------------------------------------------------------------------------------------------
# Beyond MLP-Mixer (chapter "Khả năng mở rộng và kết quả"): how many weights each successor spends on
# mixing tokens in one block.
TOKEN_MIXERS: tuple[str, ...] = ("Mixer", "ResMLP", "gMLP", "ConvMixer")
"""Designs known to :func:`token_mixing_params`."""


def token_mixing_params(design: str, num_patches: int, hidden_dim: int, tokens_mlp_dim: int = 384,
                        kernel_size: int = 9) -> int:
    """Parameters of the token-mixing step of ONE block, for four all-MLP or MLP-like designs.

    * ``"Mixer"``: the token-mixing MLP, Dense(S -> D_S) then Dense(D_S -> S), shared by the C
      channels: ``2*S*D_S + D_S + S`` (:func:`mixer_token_mlp_params`).
    * ``"ResMLP"``: one linear layer across patches, ``nn.Linear(S, S)``: ``S*S + S`` (the
      per-channel affine and LayerScale vectors around it are not counted).
    * ``"gMLP"``: the spatial projection of the Spatial Gating Unit, ``nn.Linear(S, S)`` applied
      across tokens and shared by the channels: ``S*S + S`` (its LayerNorm is not counted).
    * ``"ConvMixer"``: a depthwise ``k x k`` convolution, one filter per channel:
      ``C*k*k + C``. It does not depend on S: every patch only sees its k x k neighbours.

    Args:
        design: one of :data:`TOKEN_MIXERS`.
        num_patches: S, the number of tokens (patches).
        hidden_dim: C, the channels per token (used by ConvMixer only).
        tokens_mlp_dim: D_S of the Mixer's token-mixing MLP.
        kernel_size: k of ConvMixer's depthwise convolution.
    """
    _positive(num_patches=num_patches, hidden_dim=hidden_dim, tokens_mlp_dim=tokens_mlp_dim,
              kernel_size=kernel_size)
    if design == "Mixer":
        return mixer_token_mlp_params(num_patches, tokens_mlp_dim)
    if design in ("ResMLP", "gMLP"):
        return linear_params(num_patches, num_patches)
    if design == "ConvMixer":
        return hidden_dim * kernel_size * kernel_size + hidden_dim
    raise ValueError(f"Unknown design {design!r}; expected one of {', '.join(TOKEN_MIXERS)}.")


__all__ += ["TOKEN_MIXERS", "token_mixing_params"]
