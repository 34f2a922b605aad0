"""Published figures of MLP-Mixer and its comparators, each with the table or section it comes from.

Sources, cited by tag in every record:

* ``[M]`` Tolstikhin et al., "MLP-Mixer: An all-MLP Architecture for Vision", NeurIPS 2021,
  arXiv:2105.01601 (v4). Table 1 (configurations), Table 2 (transfer, throughput, cost),
  Table 3 (model scale x pre-training set), §3.3 (pre-training data size).
* ``[ViT]`` Dosovitskiy et al., "An Image is Worth 16x16 Words", ICLR 2021, arXiv:2010.11929.
* ``[timm]`` huggingface/pytorch-image-models, ``results/benchmark-*.csv`` (inference benchmarks).
* Follow-up models: ResMLP (arXiv:2105.03404), gMLP (arXiv:2105.08050), ConvMixer (arXiv:2201.09792).

Throughput in [M] is images per second **per TPU-v3 core** ("img/sec/core"), at the best batch
size of each model; "core-days" is the pre-training cost in TPU-v3 core-days. ImageNet top-1 is
in percent, after fine-tuning on ImageNet at the resolution given in ``resolution``.

This module holds data only: it imports nothing else from the package.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "PRETRAIN_SETS",
    "PaperResult",
    "TABLE2",
    "TABLE3",
    "RESULTS",
    "PARAMS",
    "find",
    "pretraining_series",
    "ReportClaim",
    "REPORT_TABLE",
    "REPORT_PRETRAINING",
    "ERRATA",
    "PRETRAINING_STUDY",
    "Benchmark",
    "PAPER_THROUGHPUT",
    "TIMM_BENCHMARKS",
    "FollowUp",
    "FOLLOW_UPS",
]

PRETRAIN_SETS: dict[str, dict[str, object]] = {
    "ImageNet-1k": {"images": 1.3e6, "classes": 1000, "source": "[M] §3 (ILSVRC2012, 1.3M images)"},
    "ImageNet-21k": {"images": 14e6, "classes": 21000, "source": "[M] §3 (about 14M images, ~21k classes)"},
    "JFT-300M": {"images": 300e6, "classes": 18000, "source": "[M] §3 (300M images, 18k classes)"},
}
"""The three pre-training sets of [M] §3, with their approximate sizes."""


@dataclass(frozen=True)
class PaperResult:
    """One row of Table 2 or Table 3 of [M].

    Attributes:
        model: e.g. "Mixer-L/16", "ViT-H/14", "BiT-R152x4".
        family: "Mixer", "ViT", "BiT" or "other".
        pretrain: "ImageNet-1k", "ImageNet-21k", "JFT-300M" or "unlabelled/weak".
        resolution: fine-tuning resolution in pixels (None where [M] does not state it).
        top1: ImageNet top-1 accuracy after fine-tuning, in percent.
        throughput: img/sec/core on TPU-v3 (None where the table has a dash).
        core_days: pre-training cost in TPU-v3 core-days (the tables write 0.41k for 410).
        source: the table, e.g. "[M] Table 3".
        pretrain_epochs: pre-training epochs where Table 3 gives them.
        real: ImageNet ReaL top-1 (None for a dash).
        avg5: mean top-1 over ImageNet, CIFAR-10, CIFAR-100, Pets and Flowers (None for a dash).
        note: anything the reader must know about the row (English).
    """

    model: str
    family: str
    pretrain: str
    resolution: int | None
    top1: float
    throughput: float | None
    core_days: float | None
    source: str
    pretrain_epochs: int | None = None
    real: float | None = None
    avg5: float | None = None
    note: str = ""

    @property
    def extra_regularization(self) -> bool:
        """Table 3's ImageNet-1k and ImageNet-21k rows were pre-trained with extra regularization ("+extra reg.")."""
        return self.source == "[M] Table 3" and self.pretrain in ("ImageNet-1k", "ImageNet-21k")

    @property
    def cost_extrapolated(self) -> bool:
        """Table 3's "‡": core-days extrapolated from JFT-300M runs without extra regularization."""
        return self.extra_regularization

    @property
    def private_numbers(self) -> bool:
        """Table 3's "☎": ViT rows on ImageNet-1k/21k hold numbers supplied privately by the ViT authors."""
        return self.extra_regularization and self.family == "ViT"

    @property
    def label(self) -> str:
        """Short label: model, resolution and pre-training set, e.g. "Mixer-L/16 448px IN-21k"."""
        short = {"ImageNet-1k": "IN-1k", "ImageNet-21k": "IN-21k", "JFT-300M": "JFT-300M"}
        res = f" {self.resolution}px" if self.resolution else ""
        return f"{self.model}{res} {short.get(self.pretrain, self.pretrain)}"


def _row(source, pretrain, model, family, res, top1, real, avg5, tput, days, epochs=None, note=""):
    return PaperResult(model=model, family=family, pretrain=pretrain, resolution=res, top1=top1, throughput=tput,
                       core_days=days, source=source, pretrain_epochs=epochs, real=real, avg5=avg5, note=note)


_T2 = "[M] Table 2"
_VIT_NOTE = "from [ViT] Table 2, fine-tuned at {} px ([ViT] §4.1)"
TABLE2: tuple[PaperResult, ...] = (
    _row(_T2, "ImageNet-21k", "HaloNet", "other", None, 85.8, None, None, 120, 100,
         note="fine-tuning resolution not given in Table 2"),
    _row(_T2, "ImageNet-21k", "Mixer-L/16", "Mixer", 448, 84.15, 87.86, 93.91, 105, 410,
         note="'resize-crop' evaluation (Appendix C); Table 3 gives 83.91 for the same setting"),
    _row(_T2, "ImageNet-21k", "ViT-L/16", "ViT", 512, 85.30, 88.62, 94.39, 32, 180, note=_VIT_NOTE.format(512)),
    _row(_T2, "ImageNet-21k", "BiT-R152x4", "BiT", None, 85.39, None, 94.04, 26, 940),
    _row(_T2, "JFT-300M", "NFNet-F4+", "other", None, 89.2, None, None, 46, 1860),
    _row(_T2, "JFT-300M", "Mixer-H/14", "Mixer", 448, 87.94, 90.18, 95.71, 40, 1010),
    _row(_T2, "JFT-300M", "BiT-R152x4", "BiT", None, 87.54, 90.54, 95.33, 26, 9900),
    _row(_T2, "JFT-300M", "ViT-H/14", "ViT", 518, 88.55, 90.72, 95.97, 15, 2300, note=_VIT_NOTE.format(518)),
    _row(_T2, "unlabelled/weak", "MPL", "other", None, 90.0, 91.12, None, None, 20480),
    _row(_T2, "unlabelled/weak", "ALIGN", "other", None, 88.64, None, None, 15, 14820),
)
"""Table 2 of [M]: Mixer fine-tuned at 448 px; mean of 3 runs (std < 0.1)."""

_T3 = "[M] Table 3"
_PHONE = "numbers supplied privately by the ViT authors (Table 3 legend)"
_EXTRA = "cost extrapolated from JFT-300M runs (Table 3 legend)"
TABLE3: tuple[PaperResult, ...] = (
    _row(_T3, "ImageNet-1k", "Mixer-B/16", "Mixer", 224, 76.44, 82.36, 88.33, 1384, 10, 300, _EXTRA),
    _row(_T3, "ImageNet-1k", "ViT-B/16", "ViT", 224, 79.67, 84.97, 90.79, 861, 20, 300, _PHONE),
    _row(_T3, "ImageNet-1k", "Mixer-L/16", "Mixer", 224, 71.76, 77.08, 87.25, 419, 40, 300, _EXTRA),
    _row(_T3, "ImageNet-1k", "ViT-L/16", "ViT", 224, 76.11, 80.93, 89.66, 280, 50, 300, _PHONE),
    _row(_T3, "ImageNet-21k", "Mixer-B/16", "Mixer", 224, 80.64, 85.80, 92.50, 1384, 150, 300, _EXTRA),
    _row(_T3, "ImageNet-21k", "ViT-B/16", "ViT", 224, 84.59, 88.93, 94.16, 861, 180, 300, _PHONE),
    _row(_T3, "ImageNet-21k", "Mixer-L/16", "Mixer", 224, 82.89, 87.54, 93.63, 419, 410, 300, _EXTRA),
    _row(_T3, "ImageNet-21k", "ViT-L/16", "ViT", 224, 84.46, 88.35, 94.49, 280, 550, 300, _PHONE),
    _row(_T3, "ImageNet-21k", "Mixer-L/16", "Mixer", 448, 83.91, 87.75, 93.86, 105, 410, 300,
         "'resmall-crop' evaluation (Appendix C); Table 2 gives 84.15"),
    _row(_T3, "JFT-300M", "Mixer-S/32", "Mixer", 224, 68.70, 75.83, 87.13, 11489, 10, 5),
    _row(_T3, "JFT-300M", "Mixer-B/32", "Mixer", 224, 75.53, 81.94, 90.99, 4208, 50, 7),
    _row(_T3, "JFT-300M", "Mixer-S/16", "Mixer", 224, 73.83, 80.60, 89.50, 3994, 30, 5),
    _row(_T3, "JFT-300M", "BiT-R50x1", "BiT", 224, 73.69, 81.92, None, 2159, 80, 7),
    _row(_T3, "JFT-300M", "Mixer-B/16", "Mixer", 224, 80.00, 85.56, 92.60, 1384, 80, 7),
    _row(_T3, "JFT-300M", "Mixer-L/32", "Mixer", 224, 80.67, 85.62, 93.24, 1314, 120, 7),
    _row(_T3, "JFT-300M", "BiT-R152x1", "BiT", 224, 79.12, 86.12, None, 932, 140, 7),
    _row(_T3, "JFT-300M", "BiT-R50x2", "BiT", 224, 78.92, 86.06, None, 890, 140, 7),
    _row(_T3, "JFT-300M", "BiT-R152x2", "BiT", 224, 83.34, 88.90, None, 356, 580, 14),
    _row(_T3, "JFT-300M", "Mixer-L/16", "Mixer", 224, 84.05, 88.14, 94.51, 419, 230, 7),
    _row(_T3, "JFT-300M", "Mixer-L/16", "Mixer", 224, 84.82, 88.48, 94.77, 419, 450, 14),
    _row(_T3, "JFT-300M", "ViT-L/16", "ViT", 224, 85.63, 89.16, 95.21, 280, 650, 14),
    _row(_T3, "JFT-300M", "Mixer-H/14", "Mixer", 224, 86.32, 89.14, 95.49, 194, 1010, 14),
    _row(_T3, "JFT-300M", "BiT-R200x3", "BiT", 224, 84.73, 89.58, None, 141, 1780, 14),
    _row(_T3, "JFT-300M", "Mixer-L/16", "Mixer", 448, 86.78, 89.72, 95.13, 105, 450, 14),
    _row(_T3, "JFT-300M", "ViT-H/14", "ViT", 224, 86.65, 89.56, 95.57, 87, 2300, 14),
    _row(_T3, "JFT-300M", "ViT-L/16", "ViT", 512, 87.76, 90.54, 95.63, 32, 650, 14),
)
"""Table 3 of [M]: model scale x pre-training set; fine-tuned at 224 px unless noted; mean of 3 runs (std < 0.15)."""

RESULTS: tuple[PaperResult, ...] = TABLE2 + TABLE3
"""Every row of Tables 2 and 3."""

PARAMS: dict[str, tuple[int, str]] = {
    "Mixer-S/32": (19, "[M] Table 1"),
    "Mixer-S/16": (18, "[M] Table 1"),
    "Mixer-B/32": (60, "[M] Table 1"),
    "Mixer-B/16": (59, "[M] Table 1"),
    "Mixer-L/32": (206, "[M] Table 1"),
    "Mixer-L/16": (207, "[M] Table 1"),
    "Mixer-H/14": (431, "[M] Table 1"),
    "ViT-B/16": (86, "[ViT] Table 1"),
    "ViT-L/16": (307, "[ViT] Table 1"),
    "ViT-H/14": (632, "[ViT] Table 1"),
}
"""Parameters in millions as the papers print them: ``{model: (millions, source)}``.

Mixer counts are for 224 px input without the classifier head; ViT counts are per model size
(Base, Large, Huge)."""


def find(model: str | None = None, *, pretrain: str | None = None, resolution: int | None = None,
         top1: float | None = None, throughput: float | None = None, source: str | None = None,
         pretrain_epochs: int | None = None) -> list[PaperResult]:
    """The rows of :data:`RESULTS` that match every given field.

    Example: ``find("Mixer-L/16", pretrain="ImageNet-21k", resolution=224)``.

    Raises:
        ValueError: for a model or pre-training set that appears in no row.
    """
    if model is not None and all(r.model != model for r in RESULTS):
        known = sorted({r.model for r in RESULTS})
        raise ValueError(f"No row of Tables 2-3 is about {model!r}; models in the tables: {', '.join(known)}.")
    if pretrain is not None and all(r.pretrain != pretrain for r in RESULTS):
        known = sorted({r.pretrain for r in RESULTS})
        raise ValueError(f"Unknown pre-training set {pretrain!r}; expected one of {', '.join(known)}.")
    wanted = {"model": model, "pretrain": pretrain, "resolution": resolution, "top1": top1,
              "throughput": throughput, "source": source, "pretrain_epochs": pretrain_epochs}
    return [r for r in RESULTS if all(v is None or getattr(r, k) == v for k, v in wanted.items())]


def pretraining_series(model: str, resolution: int = 224) -> dict[str, PaperResult]:
    """Table 3's row of ``model`` at ``resolution`` for each pre-training set it was trained on.

    Where Table 3 has several JFT-300M rows (7 and 14 epochs), the longest pre-training is used.

    Returns:
        ``{pre-training set: PaperResult}`` in the order ImageNet-1k, ImageNet-21k, JFT-300M.
    """
    out: dict[str, PaperResult] = {}
    for name in PRETRAIN_SETS:
        rows = find(model, pretrain=name, resolution=resolution, source=_T3)
        if rows:
            out[name] = max(rows, key=lambda r: r.pretrain_epochs or 0)
    if not out:
        raise ValueError(f"Table 3 has no row of {model!r} at {resolution} px.")
    return out


# ------------------------------------------------------------------------------ the report's table
@dataclass(frozen=True)
class ReportClaim:
    """One line of the source report's results table, checked against the papers.

    Attributes:
        model: the model named in the report.
        params_m, top1, throughput: what the report prints (millions, %, "img/s").
        correct_params_m: the paper's parameter count (see :data:`PARAMS`).
        accuracy_row: the paper row the report's accuracy really comes from.
        throughput_row: the paper row the report's throughput really comes from.
    """

    model: str
    params_m: float
    top1: float
    throughput: float
    correct_params_m: float
    accuracy_row: PaperResult
    throughput_row: PaperResult

    @property
    def paired_correctly(self) -> bool:
        """True when accuracy and throughput come from the same row of the paper."""
        return self.accuracy_row == self.throughput_row

    @property
    def params_correct(self) -> bool:
        return self.params_m == self.correct_params_m


def _claim(model, params_m, top1, tput):
    acc = find(model, top1=top1)
    rows = find(model, throughput=tput)
    same = [r for r in rows if r in acc]
    # the throughput row: the accuracy row itself when it has this throughput, else Table 3's 224-px row
    t_row = same[0] if same else max((r for r in rows if r.source == _T3), key=lambda r: r.pretrain == "ImageNet-21k")
    return ReportClaim(model, params_m, top1, tput, PARAMS[model][0], acc[0], t_row)


REPORT_TABLE: tuple[ReportClaim, ...] = (
    _claim("Mixer-B/16", 59, 76.44, 1384),
    _claim("Mixer-L/16", 207, 84.15, 419),
    _claim("Mixer-H/14", 431, 87.94, 40),
    _claim("ViT-B/16", 86, 79.67, 861),
    _claim("ViT-L/16", 304, 85.30, 280),
    _claim("ViT-H/14", 631, 88.55, 87),
)
"""The report's table ("Bảng Kết Quả ImageNet", headed "pre-trained on ImageNet-21k"), line by line.

Its unit "img/s" is img/sec/core on TPU-v3; its rows mix three pre-training sets and several
fine-tuning resolutions."""

REPORT_PRETRAINING: dict[str, dict[str, object]] = {
    "Mixer-L/16": {
        "report": {"ImageNet-1k": 72.6, "ImageNet-21k": 84.15, "JFT-300M": 87.94},
        "correct": {"ImageNet-1k": 71.76, "ImageNet-21k": 82.89, "JFT-300M": 84.82},
    },
    "ViT-L/16": {
        "report": {"ImageNet-1k": 76.5, "ImageNet-21k": 85.30, "JFT-300M": 88.55},
        "correct": {"ImageNet-1k": 76.11, "ImageNet-21k": 84.46, "JFT-300M": 85.63},
    },
}
"""The report's "scaling behaviour" plot data for L/16 models, beside Table 3's 224-px values (JFT-300M:
the 14-epoch rows). The report's 72.6 and 76.5 appear nowhere in [M]; its 84.15 and 85.30 are the
Table 2 rows at 448 and 512 px; its 87.94 and 88.55 belong to Mixer-H/14 and ViT-H/14."""

ERRATA: tuple[dict[str, str], ...] = (
    {"claim": "Mixer-L/16: 84.15% ở 419 img/s",
     "correct": "84.15% (ImageNet-21k, tinh chỉnh 448 px) đi với 105 ảnh/giây/lõi; ở 419 (224 px) độ chính xác là "
                "82.89%",
     "source": "[M] Bảng 2, Bảng 3"},
    {"claim": "ViT-L/16: 304M tham số, 85.30%, 280 img/s",
     "correct": "307M tham số; 85.30% đi với 32 ảnh/giây/lõi (512 px); ở 280 (224 px) độ chính xác là 84.46%",
     "source": "[ViT] Bảng 1; [M] Bảng 2, Bảng 3"},
    {"claim": "ViT-H/14: 631M tham số, 88.55%, 87 img/s",
     "correct": "632M tham số; 88.55% (JFT-300M, 518 px) đi với 15 ảnh/giây/lõi; ở 87 (224 px) độ chính xác là "
                "86.65%",
     "source": "[ViT] Bảng 1; [M] Bảng 2, Bảng 3"},
    {"claim": "cả bảng ghi \"tiền huấn luyện trên ImageNet-21k\", đơn vị img/s",
     "correct": "dòng B/16 chỉ huấn luyện trên ImageNet-1k, dòng L/16 trên ImageNet-21k, dòng H/14 trên JFT-300M; "
                "độ phân giải tinh chỉnh cũng khác nhau (224 so với 448/512/518 px); đơn vị là ảnh/giây trên một "
                "lõi TPU-v3",
     "source": "[M] Bảng 2, Bảng 3"},
    {"claim": "Mixer-L/16: 72.6% (chỉ ImageNet), 87.94% (JFT-300M)",
     "correct": "71.76% trên ImageNet-1k; 87.94% là của Mixer-H/14; Mixer-L/16 trên JFT-300M đạt 84.82% (224 px) "
                "hoặc 86.78% (448 px)",
     "source": "[M] Bảng 2, Bảng 3"},
    {"claim": "ViT-L/16: 76.5% (chỉ ImageNet), 88.55% (JFT-300M)",
     "correct": "[M] ghi 76.11% (không kiểm chứng được con số 76.5); 88.55% là của ViT-H/14; ViT-L/16 trên JFT-300M "
                "đạt 85.63% (224 px) hoặc 87.76% (512 px)",
     "source": "[M] Bảng 3; [ViT] Bảng 2"},
    {"claim": "độ chính xác ImageNet của các checkpoint Mixer đã công bố",
     "correct": "README của vision_transformer chỉ ghi độ chính xác khi tinh chỉnh trên CIFAR-10 (B/16: 96.72% từ "
                "ImageNet, 96.82% từ ImageNet-21k; L/16: 96.59%, 98.34%), không ghi độ chính xác ImageNet",
     "source": "google-research/vision_transformer, README"},
    {"claim": "nhãn \"goog_in21k_ft_in1k\" của timm (B/16 76.62%, L/16 72.08%)",
     "correct": "hai con số này sát với kết quả chỉ huấn luyện trên ImageNet-1k của [M] (76.44, 71.76): không thể "
                "dựa vào nhãn để biết checkpoint đã tiền huấn luyện trên tập nào",
     "source": "timm results/results-imagenet.csv (bản 2025-10-30); [M] Bảng 3"},
)
"""The errors of the report's results section (fact sheet items 1-6, 12, 13), with the correct values.

Display strings in Vietnamese: ``claim`` (what the report or a source says), ``correct`` (the
correct figure) and ``source`` ([M] = the MLP-Mixer paper, [ViT] = the ViT paper)."""

PRETRAINING_STUDY: dict[str, object] = {
    "models": ("Mixer-B/32", "Mixer-L/32", "Mixer-L/16"),
    "comparators": ("ViT-B/32", "ViT-L/32", "ViT-L/16", "BiT-R152x2"),
    "subsets": (0.03, 0.10, 0.30, 1.00),
    "epochs": (233, 70, 23, 7),
    "metric": "linear 5-shot ImageNet top-1, early stopping on upstream validation",
    "findings": (
        "on the smallest subset every Mixer overfits strongly; BiT overfits less",
        "Mixer-L/32 and Mixer-L/16 improve faster than BiT as data grows; Mixer-L/16 keeps improving while BiT "
        "plateaus",
        "the gap between Mixer-L/16 and ViT-L/16 narrows as data grows",
    ),
    "source": "[M] §3.3, Figure 2 (right)",
}
"""The pre-training-size study of [M] §3.3: random subsets of JFT-300M, the same number of steps
for every subset (hence 233/70/23/7 epochs). The text gives no accuracies, only the findings."""


# ------------------------------------------------------------------------------ throughput benchmarks
@dataclass(frozen=True)
class Benchmark:
    """Inference throughput of Mixer-B/16, ViT-B/16 and a ResNet-50 from one published source.

    Attributes:
        source: where the numbers come from (a file name for timm's CSVs).
        hardware: the device, e.g. "TPU-v3 (per core)", "RTX 3090".
        setting: precision, PyTorch version, batch size, as the source states them, in Vietnamese (readers see it).
        images_per_second: ``{"Mixer-B/16": ..., "ViT-B/16": ..., "ResNet-50": ...}``.
    """

    source: str
    hardware: str
    setting: str
    images_per_second: dict[str, float]

    @property
    def label(self) -> str:
        """Label for a figure: the hardware, then the setting, one item of it a line (narrow enough for a column)."""
        return "\n".join([self.hardware, *self.setting.split(", ")])

    def ratio(self, a: str, b: str) -> float:
        """Throughput of model ``a`` divided by that of model ``b``."""
        return self.images_per_second[a] / self.images_per_second[b]


PAPER_THROUGHPUT = Benchmark(
    source="[M] Table 3", hardware="TPU-v3 (mỗi lõi)", setting="224 px, cỡ lô tốt nhất cho từng mô hình",
    images_per_second={"Mixer-B/16": 1384, "ViT-B/16": 861, "ResNet-50": 2159},
)
"""Table 3 of [M] at 224 px; the ResNet-50 entry is BiT-R50x1 (a ResNet-50 with GroupNorm and
weight standardisation), img/sec per TPU-v3 core."""

_TIMM = "timm results/"
TIMM_BENCHMARKS: tuple[Benchmark, ...] = (
    Benchmark(_TIMM + "benchmark-infer-amp-nchw-pt113-cu117-rtx3090.csv", "RTX 3090", "số hỗn hợp, PyTorch 1.13",
              {"Mixer-B/16": 1627.8, "ViT-B/16": 1209.0, "ResNet-50": 3025.4}),
    Benchmark(_TIMM + "benchmark-infer-amp-nchw-pt240-cu124-rtx3090.csv", "RTX 3090", "số hỗn hợp, PyTorch 2.4",
              {"Mixer-B/16": 1632.4, "ViT-B/16": 1570.7, "ResNet-50": 3219.1}),
    Benchmark(_TIMM + "benchmark-infer-amp-nchw-pt240-cu124-rtx4090.csv", "RTX 4090", "số hỗn hợp, PyTorch 2.4",
              {"Mixer-B/16": 2607.5, "ViT-B/16": 2787.2, "ResNet-50": 4217.6}),
    Benchmark(_TIMM + "benchmark-infer-amp-nchw-pt291-cu130-5090.csv", "RTX 5090", "số hỗn hợp, PyTorch 2.9",
              {"Mixer-B/16": 3627.5, "ViT-B/16": 3915.6, "ResNet-50": 6356.0}),
    Benchmark(_TIMM + "benchmark-infer-fp32-nchw-pt240-cpu-i9_10940x-dynamo.csv", "CPU i9-10940X",
              "float32, lô 1 ảnh, biên dịch", {"Mixer-B/16": 44.95, "ViT-B/16": 32.37, "ResNet-50": 67.20}),
    Benchmark(_TIMM + "benchmark-infer-fp32-nchw-pt240-cpu-i7_12700h-dynamo.csv", "CPU i7-12700H",
              "float32, lô 1 ảnh, biên dịch", {"Mixer-B/16": 11.22, "ViT-B/16": 8.33, "ResNet-50": 30.48}),
)
"""Inference img/s of timm's mixer_b16_224, vit_base_patch16_224 and resnet50 at 224 px, read from
the benchmark CSVs in huggingface/pytorch-image-models (file names as in the repository; column
``infer_samples_per_sec``, row with ``infer_img_size`` 224).

Checked value by value on 2026-11-30 against the files at commit aa4b5850 of that repository
(:data:`TIMM_COMMIT`). The RTX 4090 file is the version of commit 5c33776a; its older version
(b3f3a005, 2024-08-26) had 2612.11, 2855.91 and 4338.32."""

TIMM_COMMIT = "aa4b5850c1543fa488abf260f18390eda46cf85d"
"""The commit of huggingface/pytorch-image-models whose ``results/`` files the timm figures here were checked
against (``results-imagenet.csv`` there is the version of 2025-10-30, commit 4e5207c7)."""


# ------------------------------------------------------------------------------ follow-up models
@dataclass(frozen=True)
class FollowUp:
    """An all-MLP or MLP-like successor of MLP-Mixer and one published ImageNet-1k result.

    Attributes:
        model: e.g. "ResMLP-S12".
        family: "Mixer", "ResMLP", "gMLP" or "ConvMixer".
        top1: ImageNet-1k top-1 (%), trained on ImageNet-1k only, 224 px.
        params_m: parameters in millions.
        source: where the figure comes from (Vietnamese, for display).
        cite: the bibliography key of the paper.
    """

    model: str
    family: str
    top1: float
    params_m: float
    source: str
    cite: str


FOLLOW_UPS: tuple[FollowUp, ...] = (
    FollowUp("Mixer-B/16", "Mixer", 76.44, 59, "bài báo MLP-Mixer, Bảng 3", "tolstikhin2021mixer"),
    FollowUp("ResMLP-S12", "ResMLP", 76.6, 15, "bài báo ResMLP, Bảng 1 (không chưng cất)", "touvron2022resmlp"),
    FollowUp("ResMLP-S24", "ResMLP", 79.4, 30, "bài báo ResMLP, Bảng 1 (không chưng cất)", "touvron2022resmlp"),
    FollowUp("gMLP-Ti", "gMLP", 72.3, 6, "bài báo gMLP, Bảng 2", "liu2021gmlp"),
    FollowUp("gMLP-S", "gMLP", 79.6, 20, "bài báo gMLP, Bảng 2", "liu2021gmlp"),
    FollowUp("ConvMixer-768/32", "ConvMixer", 80.16, 21.1, "timm results/results-imagenet.csv",
             "trockman2023patches"),
    FollowUp("ConvMixer-1536/20", "ConvMixer", 81.37, 51.6, "README của locuslab/convmixer",
             "trockman2023patches"),
)
"""Published ImageNet-1k results (no extra data, no distillation) of Mixer-B/16 and three successors."""


# ------------------------------------------------------------------------------ tables for the book
def _fmt(value: float | None, spec: str = "g") -> str:
    return "–" if value is None else format(value, spec)


def results_markdown(rows: tuple[PaperResult, ...] | list[PaperResult]) -> str:
    """A Markdown table (Vietnamese headers) of paper rows, one line per row, with each row's source."""
    lines = ["| Tiền huấn luyện | Mô hình | Tinh chỉnh | Epoch tiền huấn luyện | Top-1 (%) | ReaL (%) "
             "| Ảnh/giây/lõi | Ngày-lõi TPU-v3 | Nguồn |",
             "|:--|:--|--:|--:|--:|--:|--:|--:|:--|"]
    for r in rows:
        res = f"{r.resolution} px" if r.resolution else "không nêu"
        source = r.source.replace("[M] Table", "Bảng")
        pretrain = {"unlabelled/weak": "không nhãn hoặc nhãn yếu"}.get(r.pretrain, r.pretrain)
        pretrain += " (+điều chuẩn bổ sung)" if r.extra_regularization else ""
        model = f"{r.model} ☎" if r.private_numbers else r.model
        days = f"{_fmt(r.core_days)} ‡" if r.cost_extrapolated else _fmt(r.core_days)
        lines.append(f"| {pretrain} | {model} | {res} | {_fmt(r.pretrain_epochs)} | {r.top1:.2f} "
                     f"| {_fmt(r.real, '.2f')} | {_fmt(r.throughput)} | {days} | {source} |")
    legend = []
    if any(r.cost_extrapolated for r in rows):
        legend.append("‡ chi phí ngoại suy từ các lần chạy trên JFT-300M không có điều chuẩn bổ sung")
    if any(r.private_numbers for r in rows):
        legend.append("☎ số do các tác giả ViT cung cấp riêng cho bài báo Mixer")
    if legend:
        lines += ["", "Ký hiệu (chú thích Bảng 3 của bài báo): " + "; ".join(legend) + "."]
    return "\n".join(lines)


def report_markdown(claims: tuple[ReportClaim, ...] = REPORT_TABLE) -> str:
    """The source report's results table beside the rows of the paper its numbers come from."""
    lines = ["| Mô hình | Báo cáo ghi: tham số, top-1, tốc độ | Dòng có độ chính xác ấy | Dòng có tốc độ ấy "
             "| Tham số theo bài báo | Kết luận |",
             "|:--|:--|:--|:--|:--|:--|"]
    for c in claims:
        a, t = c.accuracy_row, c.throughput_row
        verdict = "đúng cặp" if c.paired_correctly else "**ghép hai dòng khác nhau**"
        if not c.params_correct:
            verdict += "; **sai số tham số**"
        params_source = PARAMS[c.model][1].replace("Table", "Bảng")
        lines.append(
            f"| {c.model} | {c.params_m:g}M, {c.top1:.2f}%, {c.throughput:g} img/s "
            f"| {a.pretrain}, {a.resolution} px: {a.top1:.2f}% ở {a.throughput:g} ảnh/giây/lõi ({a.source[4:]}) "
            f"| {t.pretrain}, {t.resolution} px: {t.top1:.2f}% ở {t.throughput:g} ({t.source[4:]}) "
            f"| {c.correct_params_m:g}M ({params_source}) | {verdict} |".replace("Table", "Bảng"))
    return "\n".join(lines)


def errata_markdown(errata: tuple[dict[str, str], ...] = ERRATA) -> str:
    """The errata as a numbered Markdown table: what the report says, the correct figure, the source."""
    lines = ["| # | Báo cáo ghi | Giá trị đúng | Nguồn |", "|--:|:--|:--|:--|"]
    lines += [f"| {k} | {e['claim']} | {e['correct']} | {e['source']} |" for k, e in enumerate(errata, start=1)]
    return "\n".join(lines)


def follow_ups_markdown(rows: tuple[FollowUp, ...] = FOLLOW_UPS) -> str:
    """The follow-up models' published ImageNet-1k results as a Markdown table."""
    lines = ["| Họ | Mô hình | Tham số (triệu) | Top-1 ImageNet-1k (%) | Nguồn |", "|:--|:--|--:|--:|:--|"]
    lines += [f"| {f.family} | {f.model} | {f.params_m:g} | {f.top1:g} | {f.source} |" for f in rows]
    return "\n".join(lines)


__all__ += ["TIMM_COMMIT", "results_markdown", "report_markdown", "errata_markdown", "follow_ups_markdown"]
