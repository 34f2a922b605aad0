"""The package's MlpMixer against timm's MlpMixer built with the same configuration.

Two configurations: the book's small Fashion-MNIST Mixer (28x28, patch 7, C 128, D_S 64, D_C 256,
4 blocks) and Mixer-S/16 at 224x224. For each: parameter counts (must be equal), inference and
training images per second, and the ratio ours / timm, measured interleaved in one process.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import median_of, print_table, timed, write_json  # noqa: E402

import mixerbook as mb  # noqa: E402


def timm_mixer(**kw) -> nn.Module:
    try:
        from timm.models.mlp_mixer import MlpMixer
    except ImportError as exc:
        raise SystemExit("this benchmark needs timm: pip install -r requirements-dev.txt") from exc
    return MlpMixer(**kw)


def configs():
    small = mb.experiments.MODELS["Mixer"][1]
    s16 = mb.models.PAPER_CONFIGS["S/16"]
    return [
        ("Mixer small 28x28", lambda: mb.experiments.build_model("Mixer"),
         lambda: timm_mixer(num_classes=10, img_size=28, in_chans=1, patch_size=small["patch_size"],
                            num_blocks=small["num_blocks"], embed_dim=small["hidden_dim"],
                            mlp_ratio=(small["tokens_mlp_dim"] / small["hidden_dim"],
                                       small["channels_mlp_dim"] / small["hidden_dim"])),
         (1, 28, 28), 256),
        ("Mixer-S/16 224x224", lambda: mb.models.MlpMixer.from_paper("S/16"),
         lambda: timm_mixer(num_classes=1000, img_size=224, in_chans=3, patch_size=s16["patch_size"],
                            num_blocks=s16["num_blocks"], embed_dim=s16["hidden_dim"], mlp_ratio=(0.5, 4.0)),
         (3, 224, 224), 16),
    ]


def throughput(model: nn.Module, shape, batch: int, device: torch.device, train: bool, steps: int):
    x = torch.randn(batch, *shape, device=device)
    y = torch.randint(0, 10, (batch,), device=device)
    model.to(device)
    if train:
        model.train()
        opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
        loss_fn = nn.CrossEntropyLoss()

        def run():
            for _ in range(steps):
                with mb.autocast(device):
                    loss = loss_fn(model(x), y)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
    else:
        model.eval()

        def run():
            with torch.inference_mode(), mb.autocast(device):
                for _ in range(steps):
                    model(x)

    run()  # warm-up
    return lambda: batch * steps / timed(run, device)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--configs", default="all", choices=["all", "small", "S/16"],
                        help="measure both configurations, or only the book's small one or Mixer-S/16")
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    device = mb.get_device()
    print(f"device: {mb.describe_device(device)}; medians of {args.repeats} interleaved repeats")
    rows = []
    small = args.configs == "small"
    chosen = [c for c in configs() if args.configs == "all" or small == c[0].startswith("Mixer small")]
    for label, ours_fn, timm_fn, shape, batch in chosen:
        ours, theirs = ours_fn(), timm_fn()
        p_ours, p_timm = mb.complexity.count_params(ours), mb.complexity.count_params(theirs)
        for mode in ("inference", "training"):
            train = mode == "training"
            speeds = median_of({
                "ours": throughput(ours, shape, batch, device, train, args.steps),
                "timm": throughput(theirs, shape, batch, device, train, args.steps),
            }, args.repeats)
            rows.append({"config": label, "mode": mode, "batch": batch, "params_ours": p_ours,
                         "params_timm": p_timm, "ours_img_s": speeds["ours"], "timm_img_s": speeds["timm"],
                         "ours_over_timm": speeds["ours"] / speeds["timm"]})
    print_table(rows, ["config", "mode", "batch", "params_ours", "params_timm", "ours_img_s", "timm_img_s",
                       "ours_over_timm"])
    write_json(args.json, {"device": str(device), "rows": rows})


if __name__ == "__main__":
    main()
