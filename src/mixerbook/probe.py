"""Looking inside a model with forward hooks: output shapes, feature maps and receptive fields.

A forward hook is a function that PyTorch calls right after a module has computed its output, so
shapes and activations are read from the real forward pass instead of being typed by hand. The
receptive field of a unit is the region of the input that can change it; it is computed here in
two ways: from the kernel sizes and strides (the recurrence of Araujo et al., Distill 2019) and
empirically, from the input region where the gradient of that unit is nonzero.

Introduced in the chapter "Cấu trúc phân cấp" (hierarchy).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from torch import nn

from .data import to_float
from .text import number

__all__ = [
    "display_name",
    "LayerTrace",
    "trace_shapes",
    "trace_markdown",
    "feature_maps",
    "ReceptiveField",
    "receptive_field_recurrence",
    "receptive_fields",
    "GradientProbe",
    "gradient_receptive_field",
]


# --------------------------------------------------------------------------- names a reader sees
#: Vietnamese names of module classes, for tables and figure labels (the class names stay in code).
TYPE_NAMES = {
    "Tensor": "ảnh", "Conv2d": "tích chập", "BatchNorm2d": "chuẩn hoá theo lô", "ReLU": "ReLU", "GELU": "GELU",
    "MaxPool2d": "gộp cực đại", "AvgPool2d": "gộp trung bình", "AdaptiveAvgPool2d": "gộp trung bình toàn cục",
    "Linear": "kết nối đầy đủ", "Flatten": "làm phẳng", "Dropout": "dropout", "LayerNorm": "LayerNorm",
    "PatchEmbedding": "nhúng patch", "MixerBlock": "lớp Mixer", "Sequential": "tầng", "Identity": "giữ nguyên",
    "BasicBlock": "nhóm lớp có kết nối tắt", "Bottleneck": "nhóm lớp có kết nối tắt", "MlpBlock": "MLP",
}
_FIXED_NAMES = {
    "input": "ảnh đầu vào", "stem": "nhúng patch", "stem.proj": "nhúng patch", "pre_head_norm": "LayerNorm cuối",
    "head": "đầu phân loại", "fc": "đầu phân loại", "flatten": "làm phẳng", "pool": "gộp trung bình toàn cục",
    "avgpool": "gộp trung bình toàn cục", "conv1": "tích chập đầu", "bn1": "chuẩn hoá theo lô đầu",
    "relu": "ReLU đầu", "maxpool": "gộp cực đại đầu", "features": "các tầng", "blocks": "các lớp Mixer",
}
_MIXER_PARTS = {"norm1": "LayerNorm trước trộn token", "norm2": "LayerNorm trước trộn kênh",
                "token_mixing": "trộn token", "channel_mixing": "trộn kênh", "fc1": "lớp thứ nhất",
                "fc2": "lớp thứ hai", "act": "GELU"}


def display_name(name: str, type_name: str | None = None) -> str:
    """The Vietnamese name a reader sees for the module ``name`` of one of the book's models (or a torchvision
    ResNet / VGG), e.g. ``"blocks.0"`` -> ``"lớp Mixer 1"``, ``"features.1.0"`` -> ``"tầng 2, tích chập"``.

    ``type_name`` (the module's class name, as in :class:`LayerTrace`) names the layers inside a stage. A name
    this function does not know falls back to the Vietnamese name of its type, then to ``name`` itself.
    """
    kind = TYPE_NAMES.get(type_name or "", None)
    if name in _FIXED_NAMES:
        return _FIXED_NAMES[name]
    if m := re.fullmatch(r"blocks\.(\d+)((?:\.\w+)*)", name):
        parts = [_MIXER_PARTS.get(part, part) for part in m.group(2).split(".") if part]
        return ", ".join([f"lớp Mixer {int(m.group(1)) + 1}", *parts])
    if m := re.fullmatch(r"features\.(\d+)(?:\.(\d+))?", name):
        stage = f"tầng {int(m.group(1)) + 1}"
        return stage if m.group(2) is None else f"{stage}, {kind or 'lớp ' + str(int(m.group(2)) + 1)}"
    if m := re.fullmatch(r"layer(\d+)(?:\.(\d+))?", name):  # the stages of a torchvision ResNet
        stage = f"tầng {m.group(1)}"
        return stage if m.group(2) is None else f"{stage}, nhóm {int(m.group(2)) + 1}"
    if m := re.fullmatch(r"hidden\.(\d+)", name):  # FlattenMLP: Linear, ReLU, Linear, ReLU ...
        i = int(m.group(1)) // 2 + 1
        return f"lớp ẩn {i}" if type_name in (None, "Linear") else f"{kind or 'lớp'} sau lớp ẩn {i}"
    if m := re.fullmatch(r"head\.(\d+)", name):
        return f"đầu phân loại, {kind or 'lớp ' + str(int(m.group(1)) + 1)}"
    if re.fullmatch(r"\d+", name):  # a bare nn.Sequential such as torchvision's vgg.features
        return f"{kind or 'lớp'} (lớp {int(name) + 1})"
    return kind or name


# --------------------------------------------------------------------------- shapes
@dataclass(frozen=True)
class LayerTrace:
    """What one module produced during a forward pass.

    Attributes:
        name: the module's name inside the model (``"features.0.0"``), or ``"input"``.
        type: the module's class name (``"Conv2d"``).
        shape: shape of its output, batch axis included, e.g. ``(1, 16, 28, 28)``.
        params: parameters of the module, its submodules included (0 for the input row).
    """

    name: str
    type: str
    shape: tuple[int, ...]
    params: int

    @property
    def numel(self) -> int:
        """Numbers in the output of ONE example (the batch axis left out)."""
        return math.prod(self.shape[1:])

    @property
    def positions(self) -> int:
        """Spatial positions: H*W for a (B, C, H, W) map, S for a (B, S, C) token table, 1 for (B, F)."""
        if len(self.shape) == 4:
            return self.shape[2] * self.shape[3]
        if len(self.shape) == 3:
            return self.shape[1]
        return 1

    @property
    def channels(self) -> int:
        """Channels: C of a (B, C, H, W) map or of a (B, S, C) table, F of a (B, F) vector."""
        if len(self.shape) == 4:
            return self.shape[1]
        return self.shape[-1]

    @property
    def layout(self) -> str:
        """The output without its batch axis, as text: ``"16×28×28"`` (C×H×W), ``"196×768"`` (S×C), ``"10"``;
        a side of five digits or more is grouped as the book writes numbers (``"150\u00a0528"``)."""
        return "×".join(number(d) for d in self.shape[1:]) or "1"


def _module_device(module: nn.Module) -> torch.device:
    for tensor in list(module.parameters()) + list(module.buffers()):
        return tensor.device
    return torch.device("cpu")


def _run_with_hooks(model: nn.Module, hooks: Sequence[tuple[nn.Module, Callable]], x: torch.Tensor) -> None:
    """One forward pass of ``model`` in eval mode with forward ``hooks`` attached.

    The hooks are removed and the model's train/eval mode restored afterwards, even on error.
    """
    handles = [module.register_forward_hook(hook) for module, hook in hooks]
    was_training = model.training
    model.eval()
    try:
        model(x.to(_module_device(model)))
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)


def _first_tensor(output: object) -> torch.Tensor | None:
    if isinstance(output, torch.Tensor):
        return output
    if isinstance(output, (tuple, list)):
        for item in output:
            if isinstance(item, torch.Tensor):
                return item
    return None


def _select_modules(model: nn.Module, leaf_types: tuple[type, ...],
                    max_depth: int | None) -> list[tuple[str, nn.Module]]:
    chosen: list[tuple[str, nn.Module]] = []

    def walk(module: nn.Module, prefix: str, depth: int) -> None:
        for name, child in module.named_children():
            full = f"{prefix}.{name}" if prefix else name
            is_leaf = not any(True for _ in child.children())
            if is_leaf or isinstance(child, leaf_types) or (max_depth is not None and depth + 1 >= max_depth):
                chosen.append((full, child))
            else:
                walk(child, full, depth + 1)

    walk(model, "", 0)
    return chosen


@torch.no_grad()
def trace_shapes(
    model: nn.Module,
    example_input: torch.Tensor,
    leaf_types: Sequence[type] = (),
    max_depth: int | None = None,
    include_input: bool = True,
) -> list[LayerTrace]:
    """Run ``model`` once and record the output shape of each chosen module, in the order they ran.

    A module is recorded (and its own submodules are not) when it has no submodules, when it is
    an instance of one of ``leaf_types``, or when it sits ``max_depth`` levels below the model
    (``max_depth=1``: the model's direct children). The model runs in eval mode without gradients
    and is put back in its previous mode. It also works on the ``meta`` device: build the model
    under ``with torch.device("meta"):`` to trace a large network without allocating its weights.

    Args:
        model: any module.
        example_input: one batch, e.g. ``(1, C, H, W)``; moved to the model's device.
        leaf_types: module classes to record as a whole (e.g. ``(MixerBlock,)``).
        max_depth: deepest level to descend to; None descends to the leaves.
        include_input: start the list with a row named ``"input"``.

    Returns:
        One :class:`LayerTrace` per call of a chosen module (a module called twice gives two rows).

    Raises:
        ValueError: if ``example_input`` is not a tensor or ``max_depth`` is below 1.
    """
    if not isinstance(example_input, torch.Tensor):
        raise ValueError(f"example_input must be a tensor (one batch), got {type(example_input).__name__}.")
    if max_depth is not None and max_depth < 1:
        raise ValueError(f"max_depth must be at least 1 (the model's direct children) or None, got {max_depth}.")
    rows: list[LayerTrace] = []
    if include_input:
        rows.append(LayerTrace("input", "Tensor", tuple(example_input.shape), 0))
    from .complexity import count_params

    def make_hook(name: str, module: nn.Module) -> Callable:
        params = count_params(module)

        def hook(_module: nn.Module, _inputs: object, output: object) -> None:
            out = _first_tensor(output)
            if out is not None:
                rows.append(LayerTrace(name, type(module).__name__, tuple(out.shape), params))

        return hook

    chosen = _select_modules(model, tuple(leaf_types), max_depth)
    _run_with_hooks(model, [(m, make_hook(n, m)) for n, m in chosen], example_input)
    return rows


def trace_markdown(rows: Sequence[LayerTrace], names: dict[str, str] | None = None) -> str:
    """A Markdown table (Vietnamese headers) of a :func:`trace_shapes` result.

    Args:
        rows: the trace.
        names: optional display names by module name; other rows show :func:`display_name`.
    """
    names = names or {}
    lines = ["| Lớp | Loại | Hình dạng đầu ra (bỏ trục lô) | Số vị trí | Số kênh | Tham số |",
             "|:--|:--|--:|--:|--:|--:|"]
    for r in rows:
        kind = "–" if r.name == "input" else TYPE_NAMES.get(r.type, f"`{r.type}`")
        lines.append(f"| {names.get(r.name, display_name(r.name, r.type))} | {kind} | {r.layout} "
                     f"| {number(r.positions)} | {number(r.channels)} | {number(r.params)} |")
    return "\n".join(lines)


# --------------------------------------------------------------------------- feature maps
@torch.no_grad()
def feature_maps(model: nn.Module, images: torch.Tensor, layers: Sequence[str]) -> dict[str, torch.Tensor]:
    """The outputs of the named modules when ``model`` sees ``images``, read by forward hooks.

    Args:
        model: the network (run in eval mode, then put back in its previous mode).
        images: uint8 images (H, W), (N, H, W) or (N, C, H, W), converted with
            :func:`mixerbook.data.to_float`; or float model input (N, C, H, W) used as it is.
        layers: module names as in ``model.named_modules()``, e.g. ``["features.0.2"]``.

    Returns:
        ``{name: output}`` in the order of ``layers``, each a CPU tensor with the batch axis,
        e.g. (N, C', H', W') for a convolution stage.

    Raises:
        ValueError: for a name that is not a module of ``model``, or images of the wrong rank.
    """
    modules = dict(model.named_modules())
    missing = [name for name in layers if name not in modules or name == ""]
    if missing:
        known = [n for n in modules if n][:20]
        raise ValueError(f"Unknown layer name(s) {missing}; the model has modules such as {known}.")
    if images.dtype == torch.uint8:
        if images.dim() == 2:
            images = images.unsqueeze(0)  # (H, W) -> (1, H, W)
        x = to_float(images)
    elif images.dim() == 4:
        x = images
    else:
        raise ValueError(f"Float images must be (N, C, H, W) model input, got shape {tuple(images.shape)}.")
    found: dict[str, torch.Tensor] = {}

    def make_hook(name: str) -> Callable:
        def hook(_module: nn.Module, _inputs: object, output: object) -> None:
            out = _first_tensor(output)
            if out is not None and name not in found:
                found[name] = out.detach().float().cpu()

        return hook

    _run_with_hooks(model, [(modules[name], make_hook(name)) for name in layers], x)
    return {name: found[name] for name in layers if name in found}


# --------------------------------------------------------------------------- receptive fields
@dataclass(frozen=True)
class ReceptiveField:
    """The receptive field after one layer of a single-path network.

    Attributes:
        name: the module's name (or ``"layer k"``).
        type: the module's class name.
        kernel: kernel side k (effective side d·(k-1)+1 for a dilated kernel).
        stride: stride s.
        jump: distance in input pixels between two neighbouring outputs, j_l = j_{l-1}·s_l.
        size: side of the receptive field in input pixels, r_l = r_{l-1} + (k_l - 1)·j_{l-1}.
    """

    name: str
    type: str
    kernel: int
    stride: int
    jump: int
    size: int


def _side(value: int | tuple[int, ...], what: str, name: str) -> int:
    if isinstance(value, int):
        return value
    if len(set(value)) != 1:
        raise ValueError(f"{name}: receptive fields are computed for square kernels and strides, got {what}={value}.")
    return int(value[0])


def receptive_field_recurrence(kernel_sizes: Sequence[int], strides: Sequence[int],
                               dilations: Sequence[int] | None = None) -> list[tuple[int, int]]:
    """Receptive field size and jump after each layer of a chain of convolutions / poolings.

    Starting from one input pixel (r_0 = 1, j_0 = 1)::

        r_l = r_{l-1} + (k_l - 1) * j_{l-1}
        j_l = j_{l-1} * s_l

    Padding moves the field but does not change its size. A dilation d turns k into d·(k-1)+1.

    Args:
        kernel_sizes: k_1 ... k_L, positive ints.
        strides: s_1 ... s_L, positive ints (same length).
        dilations: d_1 ... d_L, or None for all 1.

    Returns:
        ``[(r_1, j_1), ..., (r_L, j_L)]``.

    Raises:
        ValueError: for lists of different lengths or values below 1.
    """
    kernel_sizes, strides = list(kernel_sizes), list(strides)
    dilations = [1] * len(kernel_sizes) if dilations is None else list(dilations)
    if not (len(kernel_sizes) == len(strides) == len(dilations)):
        raise ValueError(f"kernel_sizes, strides and dilations must have the same length; got {len(kernel_sizes)}, "
                         f"{len(strides)} and {len(dilations)}.")
    if any(int(v) < 1 for v in kernel_sizes + strides + dilations):
        raise ValueError(f"kernel sizes, strides and dilations must be positive ints; got {kernel_sizes}, "
                         f"{strides}, {dilations}.")
    size, jump, out = 1, 1, []
    for k, s, d in zip(kernel_sizes, strides, dilations, strict=True):
        k_eff = d * (k - 1) + 1
        size = size + (k_eff - 1) * jump
        jump = jump * s
        out.append((size, jump))
    return out


def receptive_fields(model: nn.Module) -> list[ReceptiveField]:
    """Receptive field after every Conv2d / MaxPool2d / AvgPool2d of ``model``, in registration order.

    Valid for single-path networks whose layers run in the order they are registered, like
    :class:`~mixerbook.models.SmallCNN` and :class:`~mixerbook.models.PyramidCNN`; layers with a
    1x1 kernel and stride 1 (and BatchNorm, ReLU ...) leave the field unchanged. It does not
    handle branches (the skip paths of a ResNet).

    Returns:
        One :class:`ReceptiveField` per convolution or pooling layer.

    Raises:
        ValueError: when the model has no such layer, or one of them is not square.
    """
    layers: list[tuple[str, str, int, int, int]] = []
    for name, m in model.named_modules():
        if isinstance(m, nn.Conv2d):
            k, s, d = _side(m.kernel_size, "kernel_size", name), _side(m.stride, "stride", name), _side(
                m.dilation, "dilation", name)
        elif isinstance(m, (nn.MaxPool2d, nn.AvgPool2d)):
            k, s = _side(m.kernel_size, "kernel_size", name), _side(m.stride, "stride", name)
            d = _side(getattr(m, "dilation", 1), "dilation", name)
        else:
            continue
        layers.append((name, type(m).__name__, k, s, d))
    if not layers:
        raise ValueError("The model has no Conv2d, MaxPool2d or AvgPool2d layer, so no receptive field to compute.")
    sizes = receptive_field_recurrence([k for *_, k, _, _ in layers], [s for *_, s, _ in layers],
                                       [d for *_, d in layers])
    return [ReceptiveField(name, kind, d * (k - 1) + 1, s, jump, size)
            for (name, kind, k, s, d), (size, jump) in zip(layers, sizes, strict=True)]


@dataclass
class GradientProbe:
    """Where in the input one output unit gets a nonzero gradient.

    Attributes:
        grad: (H, W) sum of |d unit / d input| over the samples and input channels, scaled to max 1.
        box: (top, left, height, width) of the smallest rectangle holding every nonzero gradient.
        unit: the output index that was probed (without the batch axis).
        output_shape: shape of the probed output, batch axis included.
    """

    grad: torch.Tensor
    box: tuple[int, int, int, int]
    unit: tuple
    output_shape: tuple[int, ...]

    @property
    def height(self) -> int:
        return self.box[2]

    @property
    def width(self) -> int:
        return self.box[3]

    @property
    def covered(self) -> float:
        """Share of input pixels with a nonzero gradient, in [0, 1]."""
        return float((self.grad > 0).float().mean())


def _centre_unit(shape: tuple[int, ...]) -> tuple:
    if len(shape) == 4:  # (B, C, H, W): every channel at the central position
        return (slice(None), shape[2] // 2, shape[3] // 2)
    if len(shape) == 3:  # (B, S, C): every channel of the central token of a square grid
        side = math.isqrt(shape[1])
        token = (side // 2) * side + side // 2 if side * side == shape[1] else shape[1] // 2
        return (token, slice(None))
    raise ValueError(f"Give `unit` explicitly for an output of shape {shape}: only (B, C, H, W) maps and "
                     "(B, S, C) token tables have a default central unit.")


def gradient_receptive_field(module: nn.Module, input_shape: Sequence[int], unit: tuple | None = None,
                             layer: str | None = None, num_samples: int = 8, seed: int = 0) -> GradientProbe:
    """Measure the receptive field of one output unit from the gradient of the input.

    The module runs in eval mode on ``num_samples`` random inputs; the probed unit is summed over
    the batch and differentiated with respect to the input. Input pixels outside the receptive
    field get exactly zero gradient. One input can leave holes inside the field (a ReLU that is
    off, a max-pool that picked another pixel), so the gradients of several random inputs are
    added before the nonzero region is read.

    Args:
        module: maps (B, *input_shape) to a (B, C, H, W) map, a (B, S, C) token table, or any output.
        input_shape: one input without the batch axis, e.g. ``(1, 28, 28)``.
        unit: index into the output without the batch axis; ``slice(None)`` takes a whole axis.
            Default: every channel at the central position (maps) or of the central token (tables).
        layer: probe the output of this named submodule (read by a forward hook) instead of the
            module's own output, e.g. ``"features.1.0"`` or ``"blocks.0"``.
        num_samples: random inputs whose gradients are added.
        seed: seeds the random inputs.

    Returns:
        A :class:`GradientProbe`.

    Raises:
        ValueError: for an input shape that is not (C, H, W), an unknown ``layer``, or when no input
            pixel gets a gradient.
    """
    modules = dict(module.named_modules())
    if layer is not None and (layer not in modules or layer == ""):
        known = [n for n in modules if n][:20]
        raise ValueError(f"Unknown layer {layer!r}; the module has submodules such as {known}.")
    if len(input_shape) != 3:
        raise ValueError(f"input_shape must be one image (C, H, W) without the batch axis, got {tuple(input_shape)}.")
    if num_samples < 1:
        raise ValueError(f"num_samples must be at least 1, got {num_samples}.")
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn((num_samples, *input_shape), generator=generator).to(_module_device(module))
    x.requires_grad_(True)
    was_training = module.training
    module.eval()
    captured: list[torch.Tensor] = []
    handle = None
    if layer is not None:
        handle = modules[layer].register_forward_hook(
            lambda _m, _i, output: captured.append(_first_tensor(output)) if not captured else None)
    try:
        out = module(x)
        if layer is not None:
            out = captured[0]
        unit = tuple(unit) if unit is not None else _centre_unit(tuple(out.shape))
        (grad,) = torch.autograd.grad(out[(slice(None), *unit)].sum(), x)
    finally:
        if handle is not None:
            handle.remove()
        module.train(was_training)
    grad_map = grad.detach().abs().sum(dim=(0, 1)).cpu()  # (N, C, H, W) -> (H, W)
    rows = torch.nonzero(grad_map.sum(dim=1) > 0).flatten()
    cols = torch.nonzero(grad_map.sum(dim=0) > 0).flatten()
    if rows.numel() == 0:
        raise ValueError(f"No input pixel has a nonzero gradient for unit {unit}; is the unit constant?")
    top, left = int(rows[0]), int(cols[0])
    box = (top, left, int(rows[-1]) - top + 1, int(cols[-1]) - left + 1)
    return GradientProbe(grad_map / grad_map.max(), box, unit, tuple(out.shape))
