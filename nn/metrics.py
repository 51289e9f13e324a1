"""Metrics for :func:`nn.fit`: numbers that say how good a model's outputs are (``accuracy``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Value

__all__ = ["accuracy"]


def accuracy(outputs: Any, y: Any, threshold: float = 0.0) -> float:
    """The fraction of examples whose predicted class is the true one.

    - Several outputs per example (shape ``(N, C)``, logits or probabilities): the predicted
      class is the argmax; ``y`` holds integer labels ``(N,)`` or one-hot rows ``(N, C)``.
    - One output per example (shape ``(N,)`` or ``(N, 1)``): class 1 where the output exceeds
      ``threshold`` — 0 for logits or ±1 scores (the default), 0.5 for probabilities, e.g.
      ``metrics={"accuracy": functools.partial(nn.accuracy, threshold=0.5)}``; ``y`` holds
      0/1 or −1/+1 labels.
    """
    out = np.asarray(outputs.data if isinstance(outputs, Value) else outputs)
    labels = np.asarray(y.data if isinstance(y, Value) else y)
    if out.ndim >= 2 and out.shape[-1] > 1:
        predicted = out.argmax(axis=-1)
        if labels.shape == out.shape:  # one-hot or probability targets
            labels = labels.argmax(axis=-1)
    else:
        if out.ndim >= 2:
            out = out.reshape(out.shape[:-1])
        if labels.shape != out.shape and labels.shape == (*out.shape, 1):
            labels = labels.reshape(out.shape)
        predicted = out > threshold
        labels = labels > (0.5 if labels.size and labels.min() >= 0 else 0.0)
    if predicted.shape != labels.shape:
        raise ValueError(
            f"accuracy: outputs of shape {np.shape(outputs)} need labels of shape "
            f"{predicted.shape} (or one-hot {np.shape(outputs)}), got {np.shape(y)}"
        )
    if predicted.size == 0:
        raise ValueError("accuracy: no examples")
    return float(np.mean(predicted == labels))
