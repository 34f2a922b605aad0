"""Checkers for the chapter "Kết luận" (conclusion)."""

from __future__ import annotations

import random
from collections.abc import Callable

import torch

from .. import complexity
from ..models.mixer import PatchEmbedding
from ._core import NUMBER, CheckResult, Property, reader, run_checks, shown_pair

__all__ = ["check_first_layer_ratio"]


def _reference_first_layer_ratio(image_size: int, hidden: int, patch_size: int, hidden_dim: int,
                                 channels: int = 3) -> float:
    """Parameters of a flatten-MLP's first layer divided by those of a Mixer's patch embedding.

    MLP: ``nn.Linear(H*W*C, hidden)``; Mixer: ``Conv2d(C, hidden_dim, P, stride=P)``, i.e.
    ``P*P*C*hidden_dim + hidden_dim``.
    """
    mlp = complexity.flatten_first_layer(image_size, image_size, channels, hidden)["params"]
    return mlp / complexity.conv2d_params(channels, hidden_dim, patch_size)


def check_first_layer_ratio(first_layer_ratio: Callable[..., float], seed: int = 0,
                            verbose: bool = True) -> CheckResult:
    """Check ``first_layer_ratio(image_size, hidden, patch_size, hidden_dim)`` (3 colour channels).

    Properties: equals the ratio of parameters counted on real modules (``nn.Linear`` and
    :class:`mixerbook.models.PatchEmbedding`, built on the meta device); grows about 4x when the image side
    doubles, since the patch embedding does not depend on the image size.
    """
    first_layer_ratio = reader(first_layer_ratio, NUMBER)
    rng = random.Random(seed)
    cases = []
    for _ in range(12):
        p = rng.choice([4, 7, 8, 14, 16, 32])
        cases.append((p * rng.randint(1, 16), rng.choice([64, 256, 1024]), p, rng.choice([32, 128, 512, 768])))

    def matches_modules() -> bool | str:
        for size, hidden, p, c in cases:
            with torch.device("meta"):
                stem = PatchEmbedding(size, p, 3, c)
                fc = torch.nn.Linear(size * size * 3, hidden)
            want = complexity.count_params(fc) / complexity.count_params(stem)
            got = first_layer_ratio(size, hidden, p, c)
            if abs(got - want) > 1e-6 * want:  # float32 (torch's default) is good to ~1e-7; slips differ by 1e-6+
                want_text, got_text = shown_pair(want, got)
                return (f"ảnh {size}×{size}, MLP {hidden} nơ-ron, patch {p}, C = {c}: cần {want_text}, hàm trả về "
                        f"{got_text}")
        return True

    def grows_with_image() -> bool | str:
        a, b = first_layer_ratio(224, 1024, 16, 768), first_layer_ratio(448, 1024, 16, 768)
        growth = b / a
        return True if 3.99 < growth < 4.01 else f"tỉ lệ tăng {growth:.3f} lần thay vì khoảng 4 lần"

    props = [
        Property("khớp số tham số đếm trên module thật", matches_modules,
                 "lớp nhúng patch là Conv2d(3, C, P, stride=P): C bộ lọc P×P nhìn 3 kênh, mỗi bộ lọc một bias, và "
                 "không phụ thuộc cỡ ảnh; lớp đầu của MLP nối mọi phần tử của ảnh màu đã làm phẳng với mỗi nơ-ron.",
                 reveal="tỉ số = (R·R·3·n_h + n_h) / (P·P·3·C + C)."),
        Property("gấp đôi cạnh ảnh thì tỉ lệ gấp khoảng 4", grows_with_image,
                 "tử số tỉ lệ với số điểm ảnh, mẫu số thì không đổi."),
    ]
    return run_checks("Bài tập 9.2: lớp đầu của MLP so với lớp nhúng patch", props, verbose)
