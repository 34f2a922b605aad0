"""Models of the book: the flatten-MLP, the small CNN and MLP-Mixer."""

from .cnn import PyramidCNN, SmallCNN
from .mixer import PAPER_CONFIGS, MixerBlock, MlpBlock, MlpMixer, PatchEmbedding
from .mlp import FlattenMLP

__all__ = ["FlattenMLP", "SmallCNN", "PyramidCNN", "PatchEmbedding", "MlpBlock", "MixerBlock", "MlpMixer",
           "PAPER_CONFIGS"]
