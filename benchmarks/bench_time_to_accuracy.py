"""Time to accuracy on Fashion-MNIST: training seconds until the test accuracy first reaches a target.

Targets: MLP 88%, CNN 91%, Mixer 89% (the book's models, quick-budget settings, seed 0). The test set
is evaluated after every epoch; evaluation time is not counted. A model that never reaches its target
within the budget is reported as such. Times are printed in seconds and in R, this machine's unit (one
quick epoch each of the MLP, the CNN and the Mixer, ``mixerbook.speed.measure_r``) measured in the same
run, so that figures compare across machines; issue 14 aims at the Mixer's 89% within 1 R.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import print_table, write_json  # noqa: E402

import mixerbook as mb  # noqa: E402

TARGETS = {"MLP": 0.88, "CNN": 0.91, "Mixer": 0.89}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--budget", default="quick")
    parser.add_argument("--r-images", type=int, default=12000,
                        help="training images per model to estimate R from (60000: a full epoch each)")
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    device = mb.get_device()
    train, test = mb.data.load_fashion_mnist("train"), mb.data.load_fashion_mnist("test")
    r = mb.speed.measure_r(images=args.r_images, device=device)
    print(f"device: {mb.describe_device(device)}; budget {args.budget}; R = {r['R']:.1f} s (MLP {r['MLP']:.1f} + "
          f"CNN {r['CNN']:.1f} + Mixer {r['Mixer']:.1f} s per quick epoch)")
    rows = []
    for name, target in TARGETS.items():
        settings = mb.experiments.budget_settings(name, args.budget, device)
        history = mb.train.fit(mb.experiments.build_model(name), train.images, train.labels,
                               epochs=int(settings["epochs"]), batch_size=int(settings["batch_size"]),
                               lr=float(settings["lr"]), test_images=test.images, test_labels=test.labels,
                               device=device, progress=False)
        elapsed, reached = 0.0, None
        for epoch, (seconds, acc) in enumerate(zip(history.epoch_seconds, history.test_accuracy, strict=True), 1):
            elapsed += seconds
            if acc >= target:
                reached = (epoch, elapsed)
                break
        rows.append({"model": name, "target": target, "epochs_run": len(history.epoch_seconds),
                     "best_accuracy": max(history.test_accuracy),
                     "epoch_reached": reached[0] if reached else None,
                     "seconds_to_target": reached[1] if reached else None,
                     "R_to_target": reached[1] / r["R"] if reached else None,
                     "total_train_seconds": history.seconds})
    print_table(rows, ["model", "target", "epochs_run", "best_accuracy", "epoch_reached", "seconds_to_target",
                       "R_to_target", "total_train_seconds"])
    write_json(args.json, {"device": str(device), "budget": args.budget, "R": r, "rows": rows})


if __name__ == "__main__":
    main()
