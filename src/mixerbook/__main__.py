"""Run the book's experiments from the command line.

Examples::

    python -m mixerbook list
    python -m mixerbook speed --images 12000     # R, the unit of the book's chapter times, on this machine
    python -m mixerbook run mlp_vs_cnn --budget quick --out results.json
    python -m mixerbook book-models              # the shipped MLP, CNN and Mixer: recipe, accuracy, checksum
    python -m mixerbook book-models --check      # compare them with the models this machine trains
    python -m mixerbook book-models --write      # train them (quick, seed 0, CPU) and write src/mixerbook/weights/
    torchrun --nproc_per_node 2 -m mixerbook run mlp_vs_cnn --budget smoke --out results.json

Under ``torchrun`` the process group is set up here (NCCL on CUDA, gloo on the CPU) and
:func:`mixerbook.train.fit` trains with DistributedDataParallel; only rank 0 writes the JSON.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

import torch

from . import __version__
from .device import describe_device, get_device
from .experiments import BUDGETS, EXPERIMENTS, MODELS, RunResult, resolve_budget
from .text import number
from .train import TrainingInterrupted, world


def _init_distributed() -> torch.device | None:
    """Join the process group when launched by torchrun; return this process's device (None otherwise)."""
    if int(os.environ.get("WORLD_SIZE", "1")) <= 1:
        return None
    import torch.distributed as dist

    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    if torch.cuda.is_available():
        torch.cuda.set_device(local_rank)
        dist.init_process_group("nccl")
        return torch.device("cuda", local_rank)
    dist.init_process_group("gloo")
    return torch.device("cpu")


def _record(result: RunResult) -> dict:
    return {**result.row(), "train_loss": result.history.train_loss,
            "test_accuracy_per_epoch": result.history.test_accuracy,
            "epoch_seconds": result.history.epoch_seconds, "cached": result.history.cached}


def _speed(args: argparse.Namespace) -> int:
    """Print R and its parts; the teacher's guide multiplies the chapters' times in R by it."""
    from .data import DataUnavailableError
    from .speed import measure_r

    try:
        parts = measure_r(images=args.images, device=get_device(args.device))
    except (ValueError, DataUnavailableError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    device = describe_device(get_device(args.device))
    print(f"R = {parts['R']:.1f} giây trên {device}: một epoch ngân sách quick ({number(60_000)} ảnh) của MLP "
          f"{parts['MLP']:.1f} giây + CNN {parts['CNN']:.1f} giây + Mixer {parts['Mixer']:.1f} giây")
    return 0


def _book_models(args: argparse.Namespace) -> int:
    """List, check or write the book models shipped in ``mixerbook/weights`` (see :mod:`mixerbook.book_models`)."""
    from . import book_models

    if args.write:
        path = book_models.write(progress=not args.no_progress)
        print(f"wrote {path.parent}")
    entries = book_models.manifest()["models"]
    for name, entry in entries.items():
        recipe = entry["recipe"]
        print(f"{name}: {entry['file']} {entry['bytes']} bytes, sha256 {entry['sha256'][:12]}, "
              f"{recipe['budget']} seed {recipe['seed']} ({recipe['settings']['epochs']} epochs), "
              f"test accuracy {entry['test_accuracy']:.4f}, torch {recipe['torch']}, written {recipe['written']}")
    if args.check:
        from .experiments import trained

        failed = 0
        for name in entries:
            run = trained(name, book_models.RECIPE_BUDGET, device="cpu", seed=book_models.RECIPE_SEED,
                          progress=not args.no_progress)
            a = book_models.compare(run)
            failed += not a.ok
            print(f"{name}: shipped {a.shipped_accuracy:.4f}, trained here {a.trained_accuracy:.4f} "
                  f"(gap {a.accuracy_gap * 100:.2f} points, at most {book_models.ACCURACY_TOLERANCE * 100:.1f}); "
                  f"same prediction on {a.same_prediction:.2%} of the test images (at least "
                  f"{book_models.AGREEMENT_FLOOR:.0%}): {'ok' if a.ok else 'MISMATCH'}")
        if failed:
            print(f"{failed} model(s) no longer match; write them again with `{book_models.REGENERATE_COMMAND}`.",
                  file=sys.stderr)
            return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mixerbook", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="list the experiments")
    speed = sub.add_parser("speed", help="measure R: one quick epoch each of the MLP, the CNN and the Mixer")
    speed.add_argument("--images", type=int, default=12000,
                       help="training images per model, the time scaled to 60,000 (default 12000; 60000 = exact)")
    speed.add_argument("--device", default=None, help="cuda, mps or cpu (default: the best available)")
    run = sub.add_parser("run", help="run one experiment and write its results as JSON")
    run.add_argument("experiment", help="an experiment name (see `list`)")
    run.add_argument("--budget", default="auto", choices=("auto", *BUDGETS),
                     help="auto (default), quick, full or smoke")
    run.add_argument("--seed", type=int, default=0)
    run.add_argument("--device", default=None, help="cuda, mps or cpu (default: the best available)")
    run.add_argument("--models", default=None, help="comma-separated model names, e.g. MLP,CNN")
    run.add_argument("--limit", type=int, default=None, help="train on the first N training images only")
    run.add_argument("--out", default=None, help="JSON file to write (default: results-<experiment>.json)")
    run.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    models_cmd = sub.add_parser("book-models", help="the book's shipped MLP, CNN and Mixer: list, check or write")
    models_cmd.add_argument("--check", action="store_true",
                            help="train them here (or take them from the run cache) and compare")
    models_cmd.add_argument("--write", action="store_true",
                            help="train them (quick, seed 0, CPU; the run cache is reused) and write the weights")
    models_cmd.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    args = parser.parse_args(argv)

    if args.command == "list":
        for name, fn in EXPERIMENTS.items():
            print(f"{name}: {(fn.__doc__ or '').strip().splitlines()[0]}")
        return 0

    if args.command == "speed":
        return _speed(args)

    if args.command == "book-models":
        return _book_models(args)

    if args.experiment not in EXPERIMENTS:
        parser.error(f"unknown experiment {args.experiment!r}; choose one of: {', '.join(EXPERIMENTS)}")
    models = tuple(m.strip() for m in args.models.split(",") if m.strip()) if args.models else None
    unknown = [m for m in models or () if m not in MODELS]
    if unknown:
        parser.error(f"unknown model {unknown[0]!r} in --models; choose from: {', '.join(MODELS)}")
    if args.limit is not None and args.limit <= 0:
        parser.error(f"--limit must be a positive number of images, got {args.limit}")
    try:
        device = _init_distributed() or get_device(args.device)
    except ValueError as exc:
        parser.error(f"--device: {exc}")
    size, rank = world()
    kwargs = {"budget": args.budget, "device": device, "seed": args.seed, "progress": not args.no_progress}
    if models:
        kwargs["models"] = models
    if args.limit is not None:
        kwargs["limit"] = args.limit
    try:
        results = EXPERIMENTS[args.experiment](**kwargs)
    except (ValueError, TypeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except TrainingInterrupted as exc:
        print(f"interrupted: {exc}", file=sys.stderr)
        return 130
    if rank == 0:
        out = Path(args.out or f"results-{args.experiment}.json")
        payload = {
            "experiment": args.experiment,
            "budget": resolve_budget(args.budget, device),
            "device": describe_device(device),
            "world_size": size,
            "seed": args.seed,
            "mixerbook": __version__,
            "torch": torch.__version__,
            "finished": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "runs": {name: _record(r) for name, r in results.items()},
        }
        out.write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
        for name, r in results.items():
            print(f"{name}: accuracy {r.metrics.accuracy:.4f}, {r.history.seconds:.1f} s")
        print(f"wrote {out}")
    if size > 1:
        torch.distributed.destroy_process_group()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
