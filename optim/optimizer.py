"""The ``Optimizer`` base class: parameter groups and the ``step`` / ``zero_grad`` machinery.

An optimizer owns a list of *parameter groups*. Each group is a dict holding its parameters under
``"params"`` and its own copy of every option (``lr``, ``momentum``, ...), so one model can train
its parts at different rates, as in PyTorch::

    opt = optim.SGD([{"params": body.parameters()},
                     {"params": head.parameters(), "lr": 0.1}], lr=0.01, momentum=0.9)

A subclass is its maths and a declaration of its options; everything else lives elsewhere:

- ``option_checks``: option name → a check from :mod:`autograd.checks` (argument checking is
  declared, not written out; ``_check_group`` adds rules that involve several options);
- ``_update(param, grad, state, group)``: change the numpy array ``param`` in place from
  ``grad`` (read-only) and the parameter's ``state`` dict (moment estimates, step count);
- ``_state_keys(group)``: the names of the entries ``_update`` keeps in ``state``.

Parsing ``params`` into groups is in :mod:`optim.param_groups`; saving and loading state in
:mod:`optim.state_dict`. Every optimizer takes ``maximize=False`` (as PyTorch's): with True it
climbs the objective, by running the rule on ``-grad``.

:meth:`Optimizer.step` is all-or-nothing: it checks every gradient's shape before it changes any
parameter. Parameters whose ``.grad`` is None are skipped. A scalar ``Value`` holds a Python
float, which cannot change in place; the rule then runs on a 1-element float64 array that is
rebound to ``.data`` afterwards, so each rule is written once for both kinds (the state of a
scalar parameter, float or 0-d array, is held in 1-element arrays).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

from autograd import Value
from autograd.checks import check_flag, check_number

from . import state_dict as _state_dict
from .param_groups import ParamsLike, check_group_entry, parse_params

__all__ = ["Optimizer", "ParamsLike"]


class Optimizer:
    """Base class of the optimizers: holds parameter groups and per-parameter state.

    ``params`` is an iterable of ``Value``s, or of dicts (parameter groups) with a ``"params"``
    entry and any options that override ``defaults`` for that group.
    """

    #: option name -> check(owner, name, value) returning the normalised value.
    option_checks: ClassVar[dict[str, Callable[[str, str, Any], Any]]] = {
        "lr": check_number,
        "maximize": check_flag,
    }

    def __init__(self, params: ParamsLike, defaults: dict[str, Any]) -> None:
        self.defaults = dict(defaults)
        self.param_groups: list[dict[str, Any]] = []
        self.state: dict[Value, dict[str, Any]] = {}
        for group in parse_params(type(self).__name__, params):
            self.add_param_group(group)

    # --- what a subclass provides ------------------------------------------------------------

    def _check_group(self, group: dict[str, Any]) -> None:
        """Validate (and normalise to Python numbers) the options of one group, in place."""
        name = type(self).__name__
        for key, check in self.option_checks.items():
            group[key] = check(name, key, group[key])

    def _state_keys(self, group: dict[str, Any]) -> tuple[str, ...]:
        """Names of the per-parameter state entries ``_update`` creates for this group."""
        return ()

    def _update(
        self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]
    ) -> None:
        """Apply one step of the update rule to ``param`` in place; never write into ``grad``."""
        raise NotImplementedError(f"{type(self).__name__} must implement _update")

    # --- parameter groups --------------------------------------------------------------------

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group: its ``"params"`` and options; missing options come from the defaults."""
        params = check_group_entry(self, param_group, index=len(self.param_groups))
        group = {**self.defaults, **param_group, "params": params}
        self._check_group(group)
        self.param_groups.append(group)

    @property
    def lr(self) -> float:
        """The learning rate shared by every group (set it to change every group's lr)."""
        lrs = {group["lr"] for group in self.param_groups}
        if len(lrs) != 1:
            raise ValueError(
                f"{type(self).__name__}: the parameter groups have different learning rates "
                f"{[g['lr'] for g in self.param_groups]}; read optimizer.param_groups[i]['lr']"
            )
        return lrs.pop()

    @lr.setter
    def lr(self, value: float) -> None:
        lr = self.check_lr(value)
        for group in self.param_groups:
            group["lr"] = lr

    def check_lr(self, value: Any) -> float:
        """``value`` as a learning rate this optimizer accepts (a Python float), or the error
        its ``lr`` setter raises. Schedulers check each lr with it before setting any."""
        return self.option_checks["lr"](type(self).__name__, "lr", value)

    # --- the training-loop API ---------------------------------------------------------------

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients: ``p.grad = None`` (or zeros when ``set_to_none=False``)."""
        for group in self.param_groups:
            for p in group["params"]:
                if set_to_none or p.grad is None:
                    p.grad = None
                elif isinstance(p.grad, np.ndarray):
                    p.grad.fill(0)
                else:
                    p.grad = np.zeros_like(p.data) if isinstance(p.data, np.ndarray) else 0.0

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; return ``closure()`` if one is given.

        ``closure`` (optional, as in PyTorch) recomputes the loss and its gradients; it runs
        before the update. The update works on ``.data`` only and records no graph. Every
        gradient is checked first, so a bad one raises before any parameter has moved.
        """
        loss = closure() if closure is not None else None
        name = type(self).__name__
        work = []
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    work.append((p, _grad_like(name, p), group))
        for p, grad, group in work:
            self._step_parameter(p, grad, group)
        return loss

    def _step_parameter(self, p: Value, grad: np.ndarray, group: dict[str, Any]) -> None:
        """Run ``_update`` on one parameter: in place for arrays, rebinding for Python floats."""
        if group["maximize"]:
            grad = -grad
        state = self.state.get(p)
        if state is None:
            state = self.state[p] = {}
        data = p.data
        if isinstance(data, np.ndarray) and data.ndim:
            self._update(data, grad, state, group)
            p.mark_modified()  # graphs recorded before this step must not backprop through p
        else:
            # A scalar: a Python float cannot change in place, and numpy arithmetic turns 0-d
            # arrays into immutable numpy scalars. So the rule runs on a 1-element array: a
            # view of a 0-d array, or a copy of a float that is then rebound to .data.
            box = data.reshape(1) if isinstance(data, np.ndarray) else np.array([data])
            self._update(box, grad.reshape(1), state, group)
            if isinstance(data, np.ndarray):
                p.mark_modified()
            else:
                p.data = float(box[0])  # (assigning .data marks it modified)

    # --- saving and resuming (see optim/state_dict.py) ---------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """A snapshot to resume from: ``{"state": {index: {...}}, "param_groups": [...]}``.

        As in PyTorch, parameters are numbered 0, 1, ... in group order and ``"params"`` holds
        those numbers; arrays are copies, so later steps do not change the snapshot.
        """
        return _state_dict.save_state(self)

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore options, step counts and buffers saved by :meth:`state_dict`.

        Everything is checked before anything changes: the number of groups and of parameters
        in each, the option names, each state entry's names and array shapes. Arrays are copied
        and cast to their parameter's dtype (as PyTorch does).
        """
        _state_dict.load_state(self, state_dict)

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__}("]
        for i, group in enumerate(self.param_groups):
            options = ", ".join(f"{k}={v!r}" for k, v in group.items() if k != "params")
            lines.append(f"  group {i}: {len(group['params'])} parameters, {options}")
        return "\n".join(lines) + "\n)"


def _grad_like(owner: str, p: Value) -> np.ndarray:
    """``p.grad`` as an array of ``p.data``'s shape and dtype (float64 for a float), or an
    error naming both shapes. The common case (a float array of the right kind) is returned
    as it is."""
    grad, data = p.grad, p.data
    if isinstance(grad, Value):  # left by backward(create_graph=True)
        grad = grad.data
    if (
        type(grad) is np.ndarray
        and type(data) is np.ndarray
        and grad.shape == data.shape
        and grad.dtype == data.dtype
    ):
        return grad
    grad = np.asarray(grad)
    if grad.shape != np.shape(data):
        raise ValueError(
            f"{owner}.step: a parameter of shape {np.shape(data)} has a gradient of shape "
            f"{grad.shape}; a gradient must have its parameter's shape. Nothing was updated."
        )
    if grad.dtype.kind not in "fiub":
        raise TypeError(
            f"{owner}.step: a parameter of shape {np.shape(data)} has a gradient of dtype "
            f"{grad.dtype}; gradients must be real numbers. Nothing was updated."
        )
    dtype = data.dtype if isinstance(data, np.ndarray) else np.float64
    return grad.astype(dtype, copy=False)
