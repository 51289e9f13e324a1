"""Optimizers and learning-rate schedules, with PyTorch's update rules and defaults.

``optim.SGD``, ``optim.Adam``, ``optim.AdamW``, ``optim.Adagrad`` and ``optim.RMSprop`` update
``Value`` parameters in place from their ``.grad``; ``optim.StepLR``, ``optim.ExponentialLR``,
``optim.InverseTimeLR``, ``optim.CosineAnnealingLR``, ``optim.LambdaLR`` and
``optim.ReduceLROnPlateau`` change the learning rate once per epoch::

    opt = optim.Adam(model.parameters(), lr=1e-3)
    for xb, yb in loader:
        loss = loss_fn(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()

Every optimizer takes ``maximize=True`` (climb instead of descend); ``step()`` checks every
gradient before it moves any parameter. Each file is one update rule; the shared machinery is
in ``optimizer.py``, the argument checks in ``param_groups.py`` (and ``autograd.checks``), saving
and loading in ``state_dict.py``.
"""

from .adagrad import Adagrad
from .adam import Adam, AdamW
from .lr_scheduler import (
    CosineAnnealingLR,
    ExponentialLR,
    InverseTimeLR,
    LambdaLR,
    LRScheduler,
    ReduceLROnPlateau,
    StepLR,
)
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = [
    "Optimizer",
    "SGD",
    "Adam",
    "AdamW",
    "Adagrad",
    "RMSprop",
    "LRScheduler",
    "StepLR",
    "ExponentialLR",
    "InverseTimeLR",
    "CosineAnnealingLR",
    "LambdaLR",
    "ReduceLROnPlateau",
]
