"""Models of the book: the flatten-MLP and the small CNN (the Mixer follows in Part II)."""

from .cnn import SmallCNN
from .mlp import FlattenMLP

__all__ = ["FlattenMLP", "SmallCNN"]
