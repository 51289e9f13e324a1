"""``Embedding``: a lookup table that turns integer tokens into learned vectors."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Value
from autograd.checks import check_dtype, check_size

from . import init as nn_init
from .module import Module


class Embedding(Module):
    """A table of ``num_embeddings`` learned vectors of size ``embedding_dim``.

    ``embedding(idx)`` replaces every integer in ``idx`` (any shape) by its row of ``weight``:
    the output has shape ``idx.shape + (embedding_dim,)``. It is the same as multiplying a
    one-hot vector by ``weight``, without building the one-hot vectors.

    The gradient is a **scatter-add**: row ``i`` of ∂L/∂weight is the sum of the output
    gradients at every position where token ``i`` appears (a token used three times in a batch
    collects three contributions); rows of unused tokens get 0. Indexing a ``Value`` by an
    integer array already does exactly that.

    ``weight`` has shape ``(num_embeddings, embedding_dim)`` and starts N(0, 1), as in
    ``torch.nn.Embedding``, so state dicts carry over.
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, dtype: Any = np.float32) -> None:
        super().__init__()
        self.num_embeddings = check_size("Embedding", "num_embeddings", num_embeddings)
        self.embedding_dim = check_size("Embedding", "embedding_dim", embedding_dim)
        dtype = check_dtype("Embedding", dtype)
        self.weight = Value(np.zeros((self.num_embeddings, self.embedding_dim), dtype),
                            label="weight")  # fmt: skip
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw fresh vectors from N(0, 1) (PyTorch's default)."""
        nn_init.normal(self.weight, 0.0, 1.0)

    def forward(self, idx: Any) -> Value:
        tokens = np.asarray(idx.data if isinstance(idx, Value) else idx)
        if tokens.dtype.kind not in "iu":
            raise TypeError(
                f"Embedding: indices must be integers, got dtype {tokens.dtype}; convert them "
                "with np.asarray(idx, dtype=np.int64)"
            )
        if tokens.size and (tokens.min() < 0 or tokens.max() >= self.num_embeddings):
            raise IndexError(
                f"Embedding({self.num_embeddings}, {self.embedding_dim}): indices must lie in "
                f"0..{self.num_embeddings - 1}, got values from {tokens.min()} to "
                f"{tokens.max()}; enlarge num_embeddings or check the vocabulary"
            )
        return self.weight[tokens]

    def extra_repr(self) -> str:
        dtype = self.weight.dtype
        extra = "" if dtype == np.float32 else f", dtype={dtype}"
        return f"{self.num_embeddings}, {self.embedding_dim}{extra}"
