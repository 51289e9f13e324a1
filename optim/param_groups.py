"""Checking what an optimizer is given: ``params`` (Values or group dicts) and each group.

These are the argument checks of :class:`optim.Optimizer`, kept apart from its update
machinery; the errors say what was passed and what to pass instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd import Value
from autograd.checks import did_you_mean

ParamsLike = Iterable[Value] | Iterable[dict[str, Any]]


def parse_params(owner: str, params: Any) -> list[dict[str, Any]]:
    """``params`` as a list of group dicts (a plain list of Values becomes one group)."""
    if isinstance(params, Value):
        raise TypeError(
            f"{owner}: params must be an iterable of Values, got a single Value; "
            "wrap it in a list: [w]"
        )
    if isinstance(params, dict):
        raise TypeError(
            f"{owner}: params must be an iterable of Values or of parameter-group dicts, "
            "got one dict; wrap it in a list: [{'params': ..., 'lr': ...}]"
        )
    if hasattr(params, "parameters") and callable(params.parameters):
        raise TypeError(f"{owner}: pass model.parameters(), not the model itself")
    try:
        items = list(params)
    except TypeError:
        raise TypeError(
            f"{owner}: params must be an iterable of Values or of parameter-group dicts, "
            f"got {type(params).__name__}"
        ) from None
    if not items:
        raise ValueError(f"{owner} got an empty parameter list")
    if all(isinstance(item, dict) for item in items):
        return items
    if any(isinstance(item, dict) for item in items):
        raise TypeError(
            f"{owner}: params mixes Values and parameter-group dicts; "
            "put every Value inside a group"
        )
    return [{"params": items}]


def check_group_entry(optimizer: Any, param_group: Any, index: int) -> list[Value]:
    """Check one group dict (its keys and its parameters) before ``optimizer`` adds it as group
    ``index``; return its parameters as a list."""
    owner = type(optimizer).__name__
    if not isinstance(param_group, dict):
        raise TypeError(
            f"{owner}: a parameter group must be a dict, got {type(param_group).__name__}"
        )
    if "params" not in param_group:
        raise ValueError(f"{owner}: parameter group {index} has no 'params' entry")
    options = optimizer.defaults
    for key in param_group:
        if key != "params" and key not in options:
            raise ValueError(
                f"{owner}: parameter group {index} has unknown option {key!r}"
                f"{did_you_mean(key, options)}; {owner} options are: "
                f"{', '.join(sorted(options))}"
            )
    params = param_group["params"]
    params = [params] if isinstance(params, Value) else list(params)
    if not params:
        raise ValueError(f"{owner}: parameter group {index} has an empty 'params' list")
    for p in params:
        check_parameter(owner, p)
    seen: set[int] = set()
    for p in params:
        if id(p) in seen:
            raise ValueError(
                f"{owner}: parameter group {index} lists the same parameter twice "
                f"(shape {np.shape(p.data)}); it would be updated twice per step"
            )
        seen.add(id(p))
    for other in optimizer.param_groups:
        if any(id(p) in seen for p in other["params"]):
            raise ValueError(
                f"{owner}: some parameters appear in more than one parameter group; "
                "give each parameter to exactly one group"
            )
    return params


def check_parameter(owner: str, p: Any) -> None:
    """A parameter must be a Value holding a float or a floating-point array."""
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
