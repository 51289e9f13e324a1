"""The ``Optimizer`` base class: parameter groups, ``step``, ``zero_grad`` and state dicts.

An optimizer owns a list of *parameter groups*. Each group is a dict holding its parameters under
``"params"`` and its own copy of every option (``lr``, ``momentum``, ...), so one model can train
its parts at different rates, as in PyTorch::

    opt = optim.SGD([{"params": body.parameters()},
                     {"params": head.parameters(), "lr": 0.1}], lr=0.01, momentum=0.9)

A subclass states its maths in two methods and leaves the bookkeeping here:

- ``_update(param, grad, state, group)``: change the numpy array ``param`` in place from
  ``grad`` (read-only) and the parameter's ``state`` dict (moment estimates, step count);
- ``_state_keys(group)``: the names of the entries ``_update`` keeps in ``state``.

Parameters whose ``.grad`` is None are skipped. A scalar ``Value`` holds a Python float, which
cannot change in place; :meth:`Optimizer._step_parameter` hands ``_update`` a 1-element float64
array instead and rebinds ``.data`` afterwards, so each rule is written once for both kinds (the
state of a scalar parameter, float or 0-d array, is held in 1-element arrays).
"""

from __future__ import annotations

import difflib
import math
import numbers
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from autograd import Value

ParamsLike = Iterable[Value] | Iterable[dict[str, Any]]


class Optimizer:
    """Base class of the optimizers: holds parameter groups and per-parameter state.

    ``params`` is an iterable of ``Value``s, or of dicts (parameter groups) with a ``"params"``
    entry and any options that override ``defaults`` for that group.
    """

    def __init__(self, params: ParamsLike, defaults: dict[str, Any]) -> None:
        self.defaults = dict(defaults)
        self.param_groups: list[dict[str, Any]] = []
        self.state: dict[Value, dict[str, Any]] = {}
        name = type(self).__name__
        if isinstance(params, Value):
            raise TypeError(
                f"{name}: params must be an iterable of Values, got a single Value; "
                "wrap it in a list: [w]"
            )
        if isinstance(params, dict):
            raise TypeError(
                f"{name}: params must be an iterable of Values or of parameter-group dicts, "
                "got one dict; wrap it in a list: [{'params': ..., 'lr': ...}]"
            )
        if hasattr(params, "parameters") and callable(params.parameters):
            raise TypeError(f"{name}: pass model.parameters(), not the model itself")
        try:
            items = list(params)
        except TypeError:
            raise TypeError(
                f"{name}: params must be an iterable of Values or of parameter-group dicts, "
                f"got {type(params).__name__}"
            ) from None
        if not items:
            raise ValueError(f"{name} got an empty parameter list")
        if all(isinstance(item, dict) for item in items):
            groups = items
        elif any(isinstance(item, dict) for item in items):
            raise TypeError(
                f"{name}: params mixes Values and parameter-group dicts; "
                "put every Value inside a group"
            )
        else:
            groups = [{"params": items}]
        for group in groups:
            self.add_param_group(group)

    # --- what a subclass provides ------------------------------------------------------------

    def _check_group(self, group: dict[str, Any]) -> None:
        """Validate (and normalise to Python numbers) the options of one group."""

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
        name = type(self).__name__
        index = len(self.param_groups)
        if not isinstance(param_group, dict):
            raise TypeError(
                f"{name}: a parameter group must be a dict, got {type(param_group).__name__}"
            )
        if "params" not in param_group:
            raise ValueError(f"{name}: parameter group {index} has no 'params' entry")
        for key in param_group:
            if key != "params" and key not in self.defaults:
                raise ValueError(
                    f"{name}: parameter group {index} has unknown option {key!r}"
                    f"{_did_you_mean(key, self.defaults)}; {name} options are: "
                    f"{', '.join(sorted(self.defaults))}"
                )
        params = param_group["params"]
        params = [params] if isinstance(params, Value) else list(params)
        if not params:
            raise ValueError(f"{name}: parameter group {index} has an empty 'params' list")
        for p in params:
            _check_parameter(name, p)
        seen: set[int] = set()
        for p in params:
            if id(p) in seen:
                raise ValueError(
                    f"{name}: parameter group {index} lists the same parameter twice "
                    f"(shape {np.shape(p.data)}); it would be updated twice per step"
                )
            seen.add(id(p))
        for other in self.param_groups:
            if any(id(p) in seen for p in other["params"]):
                raise ValueError(
                    f"{name}: some parameters appear in more than one parameter group; "
                    "give each parameter to exactly one group"
                )
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
        lr = check_number(type(self).__name__, "lr", value)
        for group in self.param_groups:
            group["lr"] = lr

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
        before the update. The update itself works on ``.data`` only and records no graph.
        """
        loss = closure() if closure is not None else None
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    self._step_parameter(p, group)
        return loss

    def _step_parameter(self, p: Value, group: dict[str, Any]) -> None:
        """Run ``_update`` on one parameter: in place for arrays, rebinding for Python floats."""
        grad = p.grad
        if isinstance(grad, Value):  # left by backward(create_graph=True)
            grad = grad.data
        state = self.state.get(p)
        if state is None:
            state = self.state[p] = {}
        data = p.data
        if isinstance(data, np.ndarray) and data.ndim:
            if type(grad) is not np.ndarray or grad.shape != data.shape or grad.dtype != data.dtype:
                grad = _grad_like(type(self).__name__, grad, data)
            self._update(data, grad, state, group)
        else:
            # A scalar: a Python float cannot change in place, and numpy arithmetic turns 0-d
            # arrays into immutable numpy scalars. So the rule runs on a 1-element array: a
            # view of a 0-d array, or a copy of a float that is then rebound to .data.
            box = data.reshape(1) if isinstance(data, np.ndarray) else np.array([data])
            grad = _grad_like(type(self).__name__, grad, data).reshape(1)
            self._update(box, grad, state, group)
            if not isinstance(data, np.ndarray):
                p.data = float(box[0])

    # --- saving and resuming -----------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """A snapshot to resume from: ``{"state": {index: {...}}, "param_groups": [...]}``.

        As in PyTorch, parameters are numbered 0, 1, ... in group order and ``"params"`` holds
        those numbers; arrays are copies, so later steps do not change the snapshot.
        """
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            saved = {key: value for key, value in group.items() if key != "params"}
            saved["params"] = []
            for p in group["params"]:
                index[id(p)] = len(index)
                saved["params"].append(index[id(p)])
            groups.append(saved)
        state = {}
        for group in self.param_groups:
            for p in group["params"]:
                entry = self.state.get(p)
                if entry:
                    state[index[id(p)]] = {k: _copy(v) for k, v in entry.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore options, step counts and buffers saved by :meth:`state_dict`.

        Everything is checked before anything changes: the number of groups and of parameters
        in each, the option names, each state entry's names and array shapes. Arrays are copied
        and cast to their parameter's dtype (as PyTorch does).
        """
        name = type(self).__name__
        if not isinstance(state_dict, dict) or set(state_dict) != {"state", "param_groups"}:
            found = sorted(state_dict) if isinstance(state_dict, dict) else type(state_dict)
            raise ValueError(
                f"{name}.load_state_dict expects a dict with keys 'state' and 'param_groups' "
                f"(from Optimizer.state_dict()), got {found}"
            )
        saved_groups = state_dict["param_groups"]
        if not isinstance(saved_groups, (list, tuple)) or len(saved_groups) != len(
            self.param_groups
        ):
            count = len(saved_groups) if isinstance(saved_groups, (list, tuple)) else "no"
            raise ValueError(
                f"{name}.load_state_dict: the state dict has {count} parameter groups, "
                f"this optimizer has {len(self.param_groups)}"
            )
        new_groups = []
        owner: dict[Any, tuple[Value, dict[str, Any]]] = {}  # saved index -> (param, group)
        for i, (group, saved) in enumerate(zip(self.param_groups, saved_groups, strict=True)):
            if not isinstance(saved, dict) or "params" not in saved:
                raise ValueError(f"{name}.load_state_dict: saved group {i} has no 'params'")
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(
                    f"{name}.load_state_dict: saved group {i} has {len(saved['params'])} "
                    f"parameters, this optimizer's group {i} has {len(group['params'])}"
                )
            options = set(saved) - {"params"}
            if options != set(self.defaults):
                missing = sorted(set(self.defaults) - options)
                unexpected = sorted(options - set(self.defaults))
                raise ValueError(
                    f"{name}.load_state_dict: saved group {i} has the wrong options "
                    f"(missing {missing}, unexpected {unexpected}); "
                    f"was it saved from a different optimizer?"
                )
            new_group = {**saved, "params": group["params"]}
            self._check_group(new_group)
            new_groups.append(new_group)
            for index, p in zip(saved["params"], group["params"], strict=True):
                if index in owner:
                    raise ValueError(
                        f"{name}.load_state_dict: parameter index {index!r} appears twice"
                    )
                owner[index] = (p, new_group)
        saved_state = state_dict["state"]
        if not isinstance(saved_state, dict):
            raise ValueError(f"{name}.load_state_dict: 'state' must be a dict")
        new_state: dict[Value, dict[str, Any]] = {}
        for index, entry in saved_state.items():
            if index not in owner:
                raise ValueError(
                    f"{name}.load_state_dict: state for parameter index {index!r}, "
                    f"which no saved group lists"
                )
            if not entry:
                continue
            p, group = owner[index]
            new_state[p] = self._load_entry(index, p, group, entry)
        self.param_groups[:] = new_groups
        self.state = new_state

    def _load_entry(
        self, index: Any, p: Value, group: dict[str, Any], entry: dict[str, Any]
    ) -> dict[str, Any]:
        """Check one saved state entry against its parameter and return a fresh copy."""
        name = type(self).__name__
        expected = set(self._state_keys(group))
        if not isinstance(entry, dict) or set(entry) != expected:
            found = sorted(entry) if isinstance(entry, dict) else type(entry).__name__
            raise ValueError(
                f"{name}.load_state_dict: state of parameter {index} has entries {found}, "
                f"expected {sorted(expected)} for these options"
            )
        data = p.data
        dtype = data.dtype if isinstance(data, np.ndarray) else np.dtype(np.float64)
        shape = np.shape(data) or (1,)  # a scalar keeps its state in 1-element arrays
        loaded: dict[str, Any] = {}
        for key, value in entry.items():
            if key == "step":
                if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
                    raise ValueError(
                        f"{name}.load_state_dict: state {key!r} of parameter {index} must be "
                        f"a non-negative int, got {value!r}"
                    )
                loaded[key] = int(value)
                continue
            array = np.asarray(value)
            if array.shape != shape or array.dtype.kind != "f":
                raise ValueError(
                    f"{name}.load_state_dict: state {key!r} of parameter {index} is "
                    f"{array.dtype} with shape {array.shape}, expected floats of shape "
                    f"{shape}; does the state dict belong to this model?"
                )
            loaded[key] = np.array(array, dtype=dtype, copy=True)
        return loaded

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__}("]
        for i, group in enumerate(self.param_groups):
            options = ", ".join(f"{k}={v!r}" for k, v in group.items() if k != "params")
            lines.append(f"  group {i}: {len(group['params'])} parameters, {options}")
        return "\n".join(lines) + "\n)"


# --- helpers shared by the optimizers -----------------------------------------------------------


def check_number(
    owner: str,
    name: str,
    value: Any,
    *,
    low: float = 0.0,
    high: float | None = None,
    high_open: bool = False,
) -> float:
    """Return ``value`` as a Python float, or raise if it is not a real number in range.

    The range is ``[low, high]`` (``[low, high)`` with ``high_open``). Python floats keep
    float32 arrays float32 in numpy arithmetic, where a ``np.float64`` would upcast them.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: {name} must be a number, got {type(value).__name__} {value!r}")
    number = float(value)
    too_high = high is not None and (number >= high if high_open else number > high)
    if not math.isfinite(number) or number < low or too_high:
        if high is None:
            allowed = f">= {low:g}"
        else:
            allowed = f"in [{low:g}, {high:g}{')' if high_open else ']'}"
        raise ValueError(f"{owner}: invalid {name}={value!r}; it must be {allowed}")
    return number


def check_flag(owner: str, name: str, value: Any) -> bool:
    """Return ``value`` if it is a bool, else raise a TypeError naming the option."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{owner}: {name} must be True or False, got {value!r}")
    return bool(value)


def _check_parameter(owner: str, p: Any) -> None:
    if isinstance(p, tuple) and len(p) == 2 and isinstance(p[1], Value):
        raise TypeError(
            f"{owner}: got a (name, Value) pair; pass model.parameters(), "
            "not model.named_parameters()"
        )
    if not isinstance(p, Value):
        raise TypeError(f"{owner}: parameters must be Values, got {type(p).__name__}")
    data = p.data
    if isinstance(data, np.ndarray):
        if data.dtype.kind != "f":
            raise TypeError(
                f"{owner}: cannot optimize a {data.dtype} parameter of shape {data.shape}; "
                "only floating-point parameters have gradients (use .astype(np.float32))"
            )
    elif not isinstance(data, float):
        raise TypeError(
            f"{owner}: a parameter's data must be a float or a numpy array, "
            f"got {type(data).__name__}"
        )


def _grad_like(owner: str, grad: Any, data: np.ndarray | float) -> np.ndarray:
    """``grad`` as an array of ``data``'s shape and dtype (float64 for a float), or an error."""
    grad = np.asarray(grad)
    if grad.shape != np.shape(data):
        raise ValueError(
            f"{owner}.step: a parameter of shape {np.shape(data)} has a gradient of shape "
            f"{grad.shape}; a gradient must have its parameter's shape"
        )
    dtype = data.dtype if isinstance(data, np.ndarray) else np.float64
    return grad.astype(dtype, copy=False)


def _copy(value: Any) -> Any:
    return value.copy() if isinstance(value, np.ndarray) else value


def _did_you_mean(key: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(key), list(options), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
