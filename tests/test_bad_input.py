"""Bad input ends in a precise error raised by the package, or a clear checker verdict, never a stack trace from torch.

``CASES`` lists every case of issue 12 (part 4) in one table: (id, callable, expected, message regex). The
callable takes a scratch folder. ``expected`` is an exception type (the message must match the regex and the
traceback's last frame must lie inside ``src/mixerbook``), a :class:`Verdict` (a checker returns a falsy result
and prints a matching verdict: without an unrelated hint when the function returned the wrong kind of value, with
the property's hint when it raised), or an :class:`Exit` (the command line exits with
that status and a matching message on stderr, without a traceback).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import signal
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import pytest
import torch

import mixerbook as mb
from mixerbook import checks
from mixerbook.__main__ import main
from mixerbook.data import RAW_SHA256, CorruptDataError, load_fashion_mnist
from mixerbook.experiments import budget_settings, build_model, mlp_vs_cnn, resolve_budget
from mixerbook.models import FlattenMLP, MlpMixer, PyramidCNN, SmallCNN
from mixerbook.train import NonFiniteLossError, TrainingInterrupted, evaluate, fit, predict

PACKAGE = Path(mb.__file__).resolve().parent
RAW = Path(os.environ.get("MIXERBOOK_DATA", "")) / "FashionMNIST" / "raw"


@dataclass(frozen=True)
class Verdict:
    """A checker's printed verdict: the tag it starts with, and whether the property's hint follows (when the
    reader's function raised, the exception is reported on the failed property's line and the hint still comes)."""

    tag: str
    hint: bool = False


@dataclass(frozen=True)
class Exit:
    """The command line's exit status."""

    code: int


# ------------------------------------------------------------------------------------------------ helpers
def _data():
    test = load_fashion_mnist("test")
    return test.images[:64], test.labels[:64]


def _mlp():
    torch.manual_seed(0)
    return FlattenMLP(hidden_dims=(16,))


def _fit(model=None, images=None, labels=None, **kw):
    x, y = _data()
    kw = {"epochs": 1, "batch_size": 16, "device": "cpu", "progress": False, **kw}
    return fit(model or _mlp(), x if images is None else images, y if labels is None else labels, **kw)


def _broken_copy(tmp: Path, name: str, damage) -> Path:
    """A torchvision-layout folder with the test split, one file of it damaged by ``damage(bytearray)``."""
    raw = tmp / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    for part in ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        shutil.copyfile(RAW / part, raw / part)
    data = bytearray((raw / name).read_bytes())
    (raw / name).write_bytes(bytes(damage(data)))
    return tmp


def _flip(data: bytearray) -> bytearray:
    data[len(data) // 2] ^= 0xFF
    return data


def _load_broken(name, damage):
    return lambda tmp: load_fashion_mnist("test", root=_broken_copy(tmp, name, damage), download=False)


def _damaged_download_cache(tmp: Path):
    """A damaged earlier download in the cache folder is reported before any network access."""
    _broken_copy(tmp / "mixerbook", "t10k-labels-idx1-ubyte", _flip)
    with mock.patch.dict(os.environ, {"XDG_CACHE_HOME": str(tmp)}):
        os.environ.pop("MIXERBOOK_DATA", None)
        return load_fashion_mnist("test", download=True)


def _interrupt_on_step(k: int, how: str = "raise"):
    """Patch AdamW.step: call number ``k`` raises KeyboardInterrupt before updating ("raise"), or sends
    SIGINT to this process and then completes the step ("signal", as Ctrl-C or a Jupyter interrupt)."""
    original = torch.optim.AdamW.step
    calls = {"n": 0}

    def step(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == k:
            if how == "raise":
                raise KeyboardInterrupt
            signal.raise_signal(signal.SIGINT)
        return original(self, *args, **kwargs)

    return mock.patch.object(torch.optim.AdamW, "step", step)


def _interrupted_fit(tmp):
    with _interrupt_on_step(3):
        return _fit(epochs=2)


def _stub(*args, **kwargs):
    raise NotImplementedError("Bài tập: viết lời giải ở đây")


CHECKERS = [(f"{mod}.{name}", getattr(getattr(checks, mod), name))
            for mod in ("flattening", "growth", "inductive_bias", "hierarchy", "patches", "mixing", "mixer", "scaling",
                        "conclusion")
            for name in getattr(checks, mod).__all__ if name.startswith("check_")]


def _flat_index_raises(row, col, channel, height, width, channels):
    return row // 0


# ------------------------------------------------------------------------------------------------ the table
CASES = [
    # 1. corrupt or truncated data files
    ("data: truncated images file", _load_broken("t10k-images-idx3-ubyte", lambda d: d[: len(d) // 3]),
     CorruptDataError, r"t10k-images-idx3-ubyte is damaged: it has 2,613,338 bytes, but the complete file has "
                       r"7,840,016 .*truncated.*Remedies: delete it .*MIXERBOOK_DATA"),
    ("data: one byte flipped", _load_broken("t10k-labels-idx1-ubyte", _flip),
     CorruptDataError, r"t10k-labels-idx1-ubyte is damaged: its SHA-256 is [0-9a-f]{64}, expected "
                       + RAW_SHA256["t10k-labels-idx1-ubyte"] + r".*delete it.*MIXERBOOK_DATA"),
    ("data: wrong idx header", _load_broken("t10k-images-idx3-ubyte", lambda d: b"\0\0\x08\x01" + d[4:]),
     CorruptDataError, r"idx header reads \(2049, 10000, 28, 28\), expected \(2051, 10000, 28, 28\).*Remedies"),
    ("data: damaged earlier download", _damaged_download_cache,
     CorruptDataError, r"mixerbook/FashionMNIST/raw/t10k-labels-idx1-ubyte is damaged.*delete it"),
    # 2. labels outside the number of classes
    ("fit: label 10 for 10 classes", lambda tmp: _fit(labels=torch.full((64,), 10)),
     ValueError, r"labels must be class ids 0 \.\. 9 \(FlattenMLP has 10 outputs\); got values from 10 to 10"),
    ("fit: negative label", lambda tmp: _fit(labels=torch.arange(64) % 10 - 1),
     ValueError, r"labels must be class ids 0 \.\. 9 .*got values from -1 to 8, e\.g\. -1 at index 0"),
    ("fit: float labels", lambda tmp: _fit(labels=torch.zeros(64)),
     TypeError, r"labels must be a 1-D tensor of integer class ids \(e\.g\. int64\), got shape \(64,\) and dtype "
                r"torch\.float32"),
    ("fit: test labels out of range", lambda tmp: _fit(test_images=_data()[0], test_labels=_data()[1] + 5),
     ValueError, r"test_labels must be class ids 0 \.\. 9 \(FlattenMLP has 10 outputs\)"),
    ("evaluate: label 12", lambda tmp: evaluate(_mlp(), _data()[0], torch.full((64,), 12), device="cpu"),
     ValueError, r"labels must be class ids 0 \.\. 9 .*got values from 12 to 12"),
    ("fit: labels of another length", lambda tmp: _fit(labels=_data()[1][:10]),
     ValueError, r"images and labels disagree in length: 64 vs 10"),
    # 3. images of the wrong type, dtype, shape or size
    ("fit: 32x32 images into a 28x28 MLP", lambda tmp: _fit(images=torch.zeros(64, 32, 32, dtype=torch.uint8)),
     ValueError, r"FlattenMLP was built for 1x28x28 images: it accepts images of shape \(N, 28, 28\) or "
                 r"\(N, 1, 28, 28\), uint8 or float in \[0, 1\]; got images of shape \(64, 32, 32\)"),
    ("predict: 3 channels into a 1-channel CNN", lambda tmp: predict(SmallCNN(), torch.zeros(4, 3, 28, 28)),
     ValueError, r"SmallCNN was built for 1x28x28 images: it accepts images of shape \(N, 28, 28\) or "
                 r"\(N, 1, 28, 28\)"),
    ("evaluate: 32x32 into a 28x28 Mixer", lambda tmp: evaluate(build_model("Mixer-tiny"),
                                                                 torch.zeros(4, 32, 32, dtype=torch.uint8),
                                                                 torch.zeros(4, dtype=torch.long), device="cpu"),
     ValueError, r"MlpMixer was built for 1x28x28 images: it accepts images of shape \(N, 28, 28\) or "
                 r"\(N, 1, 28, 28\)"),
    ("fit: int64 images", lambda tmp: _fit(images=_data()[0].long()),
     TypeError, r"images must be uint8 \(0 \.\. 255\) or floating point in \[0, 1\], got torch\.int64"),
    ("predict: float images in 0..255", lambda tmp: predict(_mlp(), _data()[0].float(), device="cpu"),
     ValueError, r"float images must lie in \[0, 1\] \(or pass uint8 images 0 \.\. 255\); got values in "
                 r"\[0, 255\]: divide by 255"),
    ("fit: NaN in float images", lambda tmp: _fit(images=torch.full((64, 28, 28), float("nan"))),
     ValueError, r"float images must lie in \[0, 1\].*got values in \[nan, nan\]"),
    ("fit: a NumPy array", lambda tmp: _fit(images=_data()[0].numpy()),
     TypeError, r"images must be a torch\.Tensor of shape \(N, H, W\) or \(N, C, H, W\), got ndarray "
                r"\(use torch\.from_numpy\)"),
    ("fit: one image without the batch axis", lambda tmp: _fit(images=_data()[0][0], labels=_data()[1][:28]),
     ValueError, r"images must be \(N, H, W\) or \(N, C, H, W\) with N >= 1, got shape \(28, 28\)"),
    ("FlattenMLP: (N, H, W) without the channel axis", lambda tmp: _mlp()(torch.zeros(2, 28, 28)),
     ValueError, r"FlattenMLP expects input of shape \(B, 1, 28, 28\), got \(2, 28, 28\)\. Add the channel axis "
                 r"with x\.unsqueeze\(1\)"),
    ("SmallCNN: uint8 input", lambda tmp: SmallCNN()(torch.zeros(2, 1, 28, 28, dtype=torch.uint8)),
     TypeError, r"SmallCNN expects a float tensor of shape \(B, 1, 28, 28\), got dtype torch\.uint8.*to_float"),
    ("MlpMixer: 32x32 input", lambda tmp: build_model("Mixer-tiny")(torch.zeros(2, 1, 32, 32)),
     ValueError, r"MlpMixer was built for 28x28 images with patch_size 7, got 32x32\. It expects input of shape "
                 r"\(B, 1, 28, 28\)"),
    ("PyramidCNN: 3 channels", lambda tmp: PyramidCNN()(torch.zeros(2, 3, 28, 28)),
     ValueError, r"PyramidCNN expects input of shape \(B, 1, H, W\), got \(2, 3, 28, 28\)"),
    ("FlattenMLP: a list", lambda tmp: _mlp()([[0.0] * 784]),
     TypeError, r"FlattenMLP expects a float tensor of shape \(B, 1, 28, 28\), got list"),
    # 4. a loss that becomes NaN or infinite
    ("fit: loss becomes NaN", lambda tmp: _fit(lr=1e30),
     NonFiniteLossError, r"training loss became (nan|inf) in batch 2/4 of epoch 1/1.*smaller learning rate, "
                         r"e\.g\. lr=1e\+29 instead of lr=1e\+30"),
    ("fit: lr not positive", lambda tmp: _fit(lr=0),
     ValueError, r"lr must be positive: a finite number > 0, got 0"),
    # 5. an interrupted fit
    ("fit: interrupted", _interrupted_fit,
     TrainingInterrupted, r"Training stopped in epoch 1/2 after 2/4 batches \(0 whole epochs, 2 steps done\); "
                          r"the partial History is in \.history"),
    # 6. unknown experiment, budget, model or device names
    ("get_device: unknown kind", lambda tmp: mb.get_device("tpu"),
     ValueError, r"Unknown device 'tpu'; expected one of cuda, mps, cpu"),
    ("get_device: MIXERBOOK_DEVICE", lambda tmp: _with_env("MIXERBOOK_DEVICE", "gpu", mb.get_device),
     ValueError, r"Unknown device 'gpu' \(from MIXERBOOK_DEVICE\); expected one of cuda, mps, cpu"),
    ("fit: unknown device string", lambda tmp: _fit(device="tpu"),
     ValueError, r"Unknown device 'tpu'; expected one of cuda, mps, cpu or 'cuda:<index>'"),
    ("fit: missing CUDA index", lambda tmp: _fit(device="cuda:7"),
     ValueError, r"Device 'cuda:7' was requested but this machine has \d+ CUDA device\(s\); use "),
    ("build_model: unknown model", lambda tmp: build_model("ViT"),
     ValueError, r"Unknown model 'ViT'; expected one of MLP, CNN, CNN-pyramid, Mixer, Mixer-tiny"),
    ("budget_settings: unknown model", lambda tmp: budget_settings("ResNet", "quick"),
     ValueError, r"Unknown model 'ResNet'; expected one of MLP, CNN"),
    ("resolve_budget: unknown budget", lambda tmp: resolve_budget("huge"),
     ValueError, r"Unknown budget 'huge'; expected 'auto', 'quick', 'full' or 'smoke'"),
    ("resolve_budget: MIXERBOOK_BUDGET", lambda tmp: _with_env("MIXERBOOK_BUDGET", "fast", resolve_budget),
     ValueError, r"Unknown budget 'fast' \(from MIXERBOOK_BUDGET\); expected 'auto', 'quick', 'full' or 'smoke'"),
    ("budget_settings: unknown experiment", lambda tmp: budget_settings("CNN", "quick", experiment="nope"),
     ValueError, r"Unknown experiment 'nope'; budgets exist for permutation"),
    ("mlp_vs_cnn: unknown model, before loading data", lambda tmp: mlp_vs_cnn("smoke", models=("MLP", "ViT")),
     ValueError, r"Unknown model 'ViT'; expected one of MLP, CNN"),
    ("mlp_vs_cnn: a string instead of a tuple", lambda tmp: mlp_vs_cnn("smoke", models="MLP"),
     TypeError, r"models must be a tuple of model names such as \('MLP', 'CNN'\), got 'MLP'"),
    ("Mixer: unknown paper configuration", lambda tmp: MlpMixer.from_paper("X/8"),
     ValueError, r"Unknown Mixer configuration 'X/8'; expected one of S/32, S/16"),
    ("cli: unknown experiment", lambda tmp: main(["run", "nope"]),
     Exit(2), r"unknown experiment 'nope'; choose one of: mlp_vs_cnn, permutation, data_scaling"),
    ("cli: unknown budget", lambda tmp: main(["run", "mlp_vs_cnn", "--budget", "huge"]),
     Exit(2), r"invalid choice: 'huge' \(choose from 'auto', 'quick', 'smoke', 'full'\)"),
    ("cli: unknown device", lambda tmp: main(["run", "mlp_vs_cnn", "--device", "tpu"]),
     Exit(2), r"--device: Unknown device 'tpu'; expected one of cuda, mps, cpu"),
    ("cli: unknown model", lambda tmp: main(["run", "mlp_vs_cnn", "--models", "MLP,ViT"]),
     Exit(2), r"unknown model 'ViT' in --models; choose from: MLP, CNN, CNN-pyramid, Mixer, Mixer-tiny"),
    # 7. a checker given a function that returns the wrong type or raises, or a stub
    ("checker: returns None", lambda tmp: checks.flattening.check_flat_index(lambda *a: None),
     Verdict("[CHƯA ĐẠT]"), r"<lambda>\(14, 0, 0, 32, 32, 1\) trả về NoneType \(None\), cần một số nguyên \(int\)"),
    ("checker: raises", lambda tmp: checks.flattening.check_flat_index(_flat_index_raises),
     Verdict("[CHƯA ĐẠT]", hint=True), r"gọi _flat_index_raises\(14, 0, 0, 32, 32, 1\) thì hàm báo lỗi: "
                                       r"ZeroDivisionError: integer division or modulo by zero"),
    ("checker: NumPy instead of a tensor", lambda tmp: checks.patches.check_patchify(lambda x, p: x.numpy()),
     Verdict("[CHƯA ĐẠT]"), r"<lambda>\(tensor \(2, 3, 12, 12\), 4\) trả về ndarray \(mảng \(2, 3, 12, 12\)\), cần "
                            r"một tensor torch\.Tensor"),
    ("checker: one tensor instead of a pair", lambda tmp: checks.mixer.check_expand_token_weight(lambda w, b, k: w),
     Verdict("[CHƯA ĐẠT]"), r"trả về Tensor \(tensor \(3, 5\)\), cần một cặp \(W1', b1'\) gồm hai tensor"),
    ("checker: a string instead of a list", lambda tmp: checks.hierarchy.check_receptive_field(lambda k, s: "7"),
     Verdict("[CHƯA ĐẠT]"), r"trả về str \('7'\), cần một danh sách số nguyên, mỗi lớp một số"),
    ("checker: raises where a float is due", lambda tmp: checks.conclusion.check_first_layer_ratio(
        lambda *a: {}["x"]), Verdict("[CHƯA ĐẠT]", hint=True), r"thì hàm báo lỗi: KeyError: 'x'"),
] + [
    (f"checker stub: {name}", lambda tmp, check=check: check(_stub),
     Verdict("[CHƯA LÀM]"), r"Chưa làm: hãy thay dòng `raise NotImplementedError` bằng lời giải của bạn\.")
    for name, check in CHECKERS
]


def _with_env(name: str, value: str, fn):
    with mock.patch.dict(os.environ, {name: value}):
        return fn()


def _last_frame(tb) -> str:
    while tb.tb_next is not None:
        tb = tb.tb_next
    return tb.tb_frame.f_code.co_filename


@pytest.mark.parametrize(("case", "call", "expected", "pattern"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_fails_clearly(case, call, expected, pattern, tmp_path, capsys):
    if case.startswith("data") and not RAW.is_dir():
        pytest.skip("needs MIXERBOOK_DATA with the raw Fashion-MNIST files")
    if isinstance(expected, Verdict):
        result = call(tmp_path)
        out = capsys.readouterr().out
        assert not result, out
        verdict = out.strip().splitlines()[-1]
        assert verdict.startswith(expected.tag), out
        assert "Traceback" not in out
        if expected.hint:  # the exception on the ✗ line, the hint on the verdict line
            assert re.search(pattern, out) and "Gợi ý" in verdict, out
            return
        assert re.search(pattern, verdict), verdict
        assert "Gợi ý" not in out  # no hint about the maths when the function returned the wrong kind of value
        return
    if isinstance(expected, Exit):
        err = io.StringIO()
        with contextlib.redirect_stderr(err), pytest.raises(SystemExit) as info:
            call(tmp_path)
        assert info.value.code == expected.code
        assert re.search(pattern, err.getvalue()), err.getvalue()
        assert "Traceback" not in err.getvalue()
        return
    with pytest.raises(BaseException) as info:  # TrainingInterrupted is a KeyboardInterrupt; the type is checked below
        call(tmp_path)
    assert type(info.value) is expected, f"{case}: {type(info.value).__name__}: {info.value}"
    assert re.search(pattern, str(info.value)), str(info.value)
    last = Path(_last_frame(info.tb)).resolve()
    assert PACKAGE in last.parents, f"{case}: raised from {last}, not from the package"


def test_the_table_covers_every_case_of_the_issue():
    ids = [c[0] for c in CASES]
    for prefix in ("data:", "fit: label", "fit: 32x32", "fit: loss becomes NaN", "fit: interrupted", "cli:",
                   "checker: returns", "checker: raises", "checker stub:"):
        assert any(i.startswith(prefix) for i in ids), prefix
    assert len(CHECKERS) == 15  # every checker of the book gets the stub case


# ------------------------------------------------------------------------------------------------ details
def test_verification_is_cached_per_path_size_and_mtime(tmp_path):
    from mixerbook import data

    folder = _broken_copy(tmp_path, "t10k-labels-idx1-ubyte", lambda d: d)  # an intact copy
    path = folder / "FashionMNIST" / "raw" / "t10k-labels-idx1-ubyte"
    with mock.patch.object(data, "_file_sha256", wraps=data._file_sha256) as digest:
        data.verify_raw_file(path)
        data.verify_raw_file(path)
        assert digest.call_count == 1  # the second check costs one stat
        path.write_bytes(bytes(_flip(bytearray(path.read_bytes()))))  # same size, new mtime
        os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
        with pytest.raises(CorruptDataError):
            data.verify_raw_file(path)
    with pytest.raises(ValueError, match="not a Fashion-MNIST raw file; expected one of train-images-idx3-ubyte"):
        data.verify_raw_file(tmp_path / "notes.txt")


@pytest.fixture
def usual_ctrl_c():
    """SIGINT handled as in a terminal or a Jupyter kernel, whatever the test runner inherited (a job started in the
    background by a non-interactive shell inherits SIGINT ignored, and then Python never installs its handler)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.mark.parametrize("how", ["raise", "signal"])
def test_interrupted_fit_keeps_a_usable_model_and_says_how_far_it_got(how, capsys, usual_ctrl_c):
    torch.manual_seed(0)
    model = FlattenMLP(hidden_dims=(16,))
    snapshots = []
    original = torch.optim.AdamW.step

    def record(self, *args, **kwargs):
        out = original(self, *args, **kwargs)
        snapshots.append({k: v.clone() for k, v in model.state_dict().items()})
        return out

    with mock.patch.object(torch.optim.AdamW, "step", record), _interrupt_on_step(3, how):
        with pytest.raises(TrainingInterrupted) as info:
            _fit(model, epochs=2)
    # "raise": step 3 never ran, so 2 steps are done; "signal": step 3 finishes, then training stops
    done = 2 if how == "raise" else 3
    history = info.value.history
    assert history.interrupted and history.steps_done == done and history.train_loss == []
    assert isinstance(info.value, KeyboardInterrupt)
    assert not model.training
    for key, value in model.state_dict().items():  # the weights of the last finished step
        assert torch.equal(value, snapshots[done - 1][key]), key
    assert f"Đã dừng ở epoch 1/2, sau {done}/4 lô" in capsys.readouterr().out
    assert torch.isfinite(predict(model, _data()[0], device="cpu")).all()  # still usable
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # the usual Ctrl-C is back


def test_non_finite_loss_leaves_the_model_in_eval_mode_with_the_finished_epochs():
    model = _mlp()
    with pytest.raises(NonFiniteLossError) as info:
        _fit(model, lr=1e30)
    assert not model.training and info.value.history.train_loss == []
    assert isinstance(info.value, FloatingPointError)


def test_a_good_fit_is_not_flagged():
    history = _fit(epochs=1)
    assert not history.interrupted and history.steps_done == 4 and len(history.train_loss) == 1


def test_command_line_reports_an_interrupted_run_without_a_traceback(monkeypatch, capsys):
    from mixerbook import experiments
    from mixerbook.train import History

    def interrupted(**kwargs):
        raise TrainingInterrupted("Training stopped in epoch 1/1 after 3/235 batches", History(interrupted=True))

    monkeypatch.setitem(experiments.EXPERIMENTS, "mlp_vs_cnn", interrupted)
    assert main(["run", "mlp_vs_cnn", "--budget", "smoke", "--device", "cpu"]) == 130
    assert "interrupted: Training stopped in epoch 1/1" in capsys.readouterr().err
