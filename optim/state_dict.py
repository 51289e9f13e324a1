"""Saving and restoring an optimizer's state: PyTorch's layout, checked before it changes anything.

``save_state(optimizer)`` gives ``{"state": {index: {...}}, "param_groups": [...]}`` with the
parameters numbered 0, 1, ... in group order; ``load_state(optimizer, saved)`` checks the number
of groups and parameters, the option names, each state entry's names, shapes and dtypes, and
only then replaces the optimizer's groups and state with copies.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from autograd import Value

#: Options added after state dicts were first saved: a saved group without them gets the
#: optimizer's default instead of an error.
_ADDED_OPTIONS = ("maximize",)


def save_state(optimizer: Any) -> dict[str, Any]:
    """A deep-copied snapshot of ``optimizer``'s groups and per-parameter state."""
    index: dict[int, int] = {}
    groups = []
    for group in optimizer.param_groups:
        saved = {key: value for key, value in group.items() if key != "params"}
        saved["params"] = []
        for p in group["params"]:
            index[id(p)] = len(index)
            saved["params"].append(index[id(p)])
        groups.append(saved)
    state = {}
    for group in optimizer.param_groups:
        for p in group["params"]:
            entry = optimizer.state.get(p)
            if entry:
                state[index[id(p)]] = {k: _copy(v) for k, v in entry.items()}
    return {"state": state, "param_groups": groups}


def load_state(optimizer: Any, state_dict: Any) -> None:
    """Check ``state_dict`` against ``optimizer`` completely, then load copies of it."""
    name = type(optimizer).__name__
    if not isinstance(state_dict, dict) or set(state_dict) != {"state", "param_groups"}:
        found = sorted(state_dict) if isinstance(state_dict, dict) else type(state_dict)
        raise ValueError(
            f"{name}.load_state_dict expects a dict with keys 'state' and 'param_groups' "
            f"(from Optimizer.state_dict()), got {found}"
        )
    saved_groups = state_dict["param_groups"]
    if not isinstance(saved_groups, (list, tuple)) or len(saved_groups) != len(
        optimizer.param_groups
    ):
        count = len(saved_groups) if isinstance(saved_groups, (list, tuple)) else "no"
        raise ValueError(
            f"{name}.load_state_dict: the state dict has {count} parameter groups, "
            f"this optimizer has {len(optimizer.param_groups)}"
        )
    defaults = optimizer.defaults
    new_groups = []
    owner: dict[Any, tuple[Value, dict[str, Any]]] = {}  # saved index -> (param, group)
    for i, (group, saved) in enumerate(zip(optimizer.param_groups, saved_groups, strict=True)):
        if not isinstance(saved, dict) or "params" not in saved:
            raise ValueError(f"{name}.load_state_dict: saved group {i} has no 'params'")
        if len(saved["params"]) != len(group["params"]):
            raise ValueError(
                f"{name}.load_state_dict: saved group {i} has {len(saved['params'])} "
                f"parameters, this optimizer's group {i} has {len(group['params'])}"
            )
        added = {k: defaults[k] for k in _ADDED_OPTIONS if k in defaults and k not in saved}
        options = (set(saved) | set(added)) - {"params"}
        if options != set(defaults):
            missing = sorted(set(defaults) - options)
            unexpected = sorted(options - set(defaults))
            raise ValueError(
                f"{name}.load_state_dict: saved group {i} has the wrong options "
                f"(missing {missing}, unexpected {unexpected}); "
                f"was it saved from a different optimizer?"
            )
        new_group = {**added, **saved, "params": group["params"]}
        optimizer._check_group(new_group)
        new_groups.append(new_group)
        for index, p in zip(saved["params"], group["params"], strict=True):
            if index in owner:
                raise ValueError(f"{name}.load_state_dict: parameter index {index!r} appears twice")
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
        new_state[p] = _load_entry(optimizer, index, p, group, entry)
    optimizer.param_groups[:] = new_groups
    optimizer.state = new_state


def _load_entry(
    optimizer: Any, index: Any, p: Value, group: dict[str, Any], entry: Any
) -> dict[str, Any]:
    """Check one saved state entry against its parameter and return a fresh copy."""
    name = type(optimizer).__name__
    expected = set(optimizer._state_keys(group))
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


def _copy(value: Any) -> Any:
    return value.copy() if isinstance(value, np.ndarray) else value
