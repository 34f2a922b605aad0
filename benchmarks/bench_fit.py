"""fit() against the loop most tutorials use, and against the bare training step.

1. The tutorial loop: ``torchvision.datasets.FashionMNIST`` with ``ToTensor()`` and ``Normalize``
   through a ``DataLoader`` (shuffle, batch size as fit), same model, same initial weights, same
   optimiser. Images per second of each, and the ratio fit / DataLoader.
2. The bare step: forward, backward and optimiser step on batches prepared in memory beforehand, in
   the same order as fit. The share of fit's time spent outside the model is 1 - bare / fit.
3. The roofline: each model's training FLOP per image (``mixerbook.speed.train_flop_per_image``), the
   GFLOP/s that fit and the bare step achieve, and their fraction of the machine's float32 matmul peak
   (``mixerbook.speed.matmul_peak_gflops``, 512 x 512 ``torch.mm``) measured in the same run, before
   and after the models (the better of the two).
4. R, the book's unit of time: one fit epoch of the MLP + one of the CNN + one of the Mixer (medians).
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


def tutorial_loop(model: nn.Module, root: str, batch_size: int, lr: float, device: torch.device,
                  num_workers: int) -> float:
    from torch.utils.data import DataLoader
    from torchvision import datasets, transforms

    tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])
    ds = datasets.FashionMNIST(root, train=True, download=False, transform=tf)
    loader = DataLoader(ds, batch_size=batch_size, shuffle=True, num_workers=num_workers)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    loss_fn = nn.CrossEntropyLoss()
    model.to(device).train()

    def epoch() -> None:
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            loss = loss_fn(model(x), y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()

    return timed(epoch, device)


def bare_loop(model: nn.Module, images: torch.Tensor, labels: torch.Tensor, batch_size: int, lr: float,
              device: torch.device, seed: int) -> float:
    order = torch.randperm(images.shape[0], generator=torch.Generator().manual_seed(seed))
    fmt = mb.train.memory_format_for(model)  # the layout fit() uses, so only the work outside the model differs
    batches = [(mb.data.to_float(images[idx]).to(device).contiguous(memory_format=fmt), labels[idx].to(device))
               for idx in order.split(batch_size)]
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    loss_fn = nn.CrossEntropyLoss()
    model.to(device, memory_format=fmt).train()

    def epoch() -> None:
        for x, y in batches:
            loss = loss_fn(model(x), y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()

    return timed(epoch, device)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", default=",".join(mb.speed.R_MODELS))
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--workers", type=int, default=0, help="DataLoader workers (tutorials mostly use 0 or 2)")
    parser.add_argument("--repeats", type=int, default=3, help="epochs measured per loop; the median is reported")
    parser.add_argument("--no-loader", action="store_true", help="skip the DataLoader loop (saves time)")
    parser.add_argument("--json", default=None)
    args = parser.parse_args()

    device = mb.get_device()
    train = mb.data.load_fashion_mnist("train")
    n = len(train)
    print(f"device: {mb.describe_device(device)}; {n:,} images, batch {args.batch_size}, "
          f"median of {args.repeats} epochs per loop")
    peak_before = mb.speed.matmul_peak_gflops(device=device)
    rows = []
    seconds: dict[str, float] = {}
    for name in args.models.split(","):
        lr = mb.experiments.budget_settings(name, "quick")["lr"]
        flop = mb.speed.train_flop_per_image(mb.experiments.build_model(name))
        fns = {
            "loader": lambda name=name, lr=lr: tutorial_loop(mb.experiments.build_model(name), train.source,
                                                             args.batch_size, lr, device, args.workers),
            "fit": lambda name=name, lr=lr: timed(lambda: mb.train.fit(
                mb.experiments.build_model(name), train.images, train.labels, epochs=1,
                batch_size=args.batch_size, lr=lr, device=device, progress=False), device),
            "bare": lambda name=name, lr=lr: bare_loop(mb.experiments.build_model(name), train.images,
                                                       train.labels, args.batch_size, lr, device, seed=0),
        }
        if args.no_loader:
            del fns["loader"]
        med = median_of(fns, args.repeats)  # interleaved, the order reversed every other repeat
        t_loader, t_fit, t_bare = med.get("loader"), med["fit"], med["bare"]
        seconds[name] = t_fit
        rows.append({
            "model": name,
            "dataloader_img_s": n / t_loader if t_loader else None,
            "fit_img_s": n / t_fit,
            "bare_img_s": n / t_bare,
            "fit_vs_dataloader": t_loader / t_fit if t_loader else None,
            "share_outside_model": max(0.0, 1 - t_bare / t_fit),
            "fit_s": t_fit,
            "train_mflop_per_img": flop / 1e6,
            "fit_gflop_s": flop * n / t_fit / 1e9,
            "bare_gflop_s": flop * n / t_bare / 1e9,
        })
    peak = max(peak_before, mb.speed.matmul_peak_gflops(device=device))
    for row in rows:
        row["fit_of_peak"] = row["fit_gflop_s"] / peak
        row["bare_of_peak"] = row["bare_gflop_s"] / peak
    print_table(rows, ["model", "dataloader_img_s", "fit_img_s", "bare_img_s", "fit_vs_dataloader",
                       "share_outside_model"])
    print()
    print(f"float32 matmul peak (512 x 512 torch.mm, best of the runs before and after): {peak:,.1f} GFLOP/s")
    print_table(rows, ["model", "fit_s", "train_mflop_per_img", "fit_gflop_s", "bare_gflop_s", "fit_of_peak",
                       "bare_of_peak"])
    r = None
    if all(m in seconds for m in mb.speed.R_MODELS):
        r = sum(seconds[m] for m in mb.speed.R_MODELS)
        parts = " + ".join(f"{m} {seconds[m]:.1f}" for m in mb.speed.R_MODELS)
        print(f"\nR = {r:.1f} s ({parts}): one fit epoch of each, {n:,} images, medians")
    else:
        print(f"\nR needs {', '.join(mb.speed.R_MODELS)} in --models.")
    write_json(args.json, {"device": str(device), "peak_gflop_s": peak, "R_s": r, "rows": rows})


if __name__ == "__main__":
    main()
