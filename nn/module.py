"""``Module``: the base class of every network piece — it finds its parameters for you.

A module is a Python object whose attributes hold its **parameters** (``Value``s with
``requires_grad=True``), its **submodules** and its **buffers** (non-trainable arrays such as
running statistics). Nothing needs registering: ``parameters()`` walks the attributes — also
inside lists, tuples and dicts — in the order they were assigned, so names are stable::

    class TwoLayer(nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden = nn.Linear(2, 8)
            self.out = nn.Linear(8, 1)

        def forward(self, x):
            return self.out(self.hidden(x).relu())

    [name for name, _ in TwoLayer().named_parameters()]
    # ['hidden.weight', 'hidden.bias', 'out.weight', 'out.bias']

Attributes whose name starts with an underscore are private: they are never searched, so a
module can keep a reference to another module or Value without owning it.

Assigning a plain array or number where a parameter is (``layer.weight = np.ones((3, 2))``)
raises a ``TypeError`` that shows the fix, as PyTorch does: it would silently turn the
parameter into a constant that ``parameters()`` no longer lists, and training would leave it
alone. Change the numbers in place with ``layer.weight.data[...] = array``, or assign a new
parameter, ``autograd.Value(array)``; ``None`` removes it. Assigning any ``Value`` is allowed:
that is a deliberate choice (a constant ``Value(w, requires_grad=False)`` is how gradcheck and
functional code swap weights in).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from autograd import Value
from autograd.scope import SCOPE


class Module:
    """Base class of layers and models: subclass it and write ``forward``.

    ``module(x)`` calls ``forward(x)``; the nodes it creates remember the module, so
    ``draw_graph`` can group them. ``training`` is True after construction; ``eval()`` and
    ``train()`` switch it for the module and every submodule.
    """

    training: bool = True  # a class default, so subclasses that skip super().__init__() work
    _buffer_names: tuple[str, ...] = ()

    def __init__(self) -> None:
        self.training = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Give every layer's constructor a clear error for a keyword it does not take (often a
        PyTorch name, such as ``device=``): the message lists the names it does take."""
        super().__init_subclass__(**kwargs)
        if "__init__" in cls.__dict__:
            cls.__init__ = _explain_keywords(cls.__dict__["__init__"])

    def __setattr__(self, name: str, value: Any) -> None:
        if name[0] != "_" and value is not None:
            current = self.__dict__.get(name)
            if _is_parameter(current) and not isinstance(value, (Value, Module)):
                _refuse(self, name, value, current)
            if (
                isinstance(current, list)
                and current
                and all(map(_is_parameter, current))
                and isinstance(value, (list, tuple, np.ndarray))
                and not any(isinstance(v, Value) for v in value)
            ):
                _refuse(self, name, value, current)
        object.__setattr__(self, name, value)

    # ------------------------------------------------------------------ calling
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward(...)")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        # autograd.scope.module_scope(self), written out: a generator-based context manager
        # would cost more than the rest of this call for a small layer.
        previous = SCOPE.current
        SCOPE.current = self
        try:
            return self.forward(*args, **kwargs)
        finally:
            SCOPE.current = previous

    # ------------------------------------------------------------------ discovery
    def _named_members(self) -> Iterator[tuple[str, Value | Module]]:
        """This module's own parameters and direct submodules, with their local names.

        Walks the public attributes in assignment order, looking inside lists, tuples and
        dicts (``layers.0``, ``heads.left``). Containers override this (``Sequential`` names its
        layers ``0``, ``1``, ... as PyTorch does).
        """
        for name, value in vars(self).items():
            if name[0] != "_" and name != "training":
                yield from _walk(name, value)

    def named_modules(
        self, prefix: str = "", _seen: set[int] | None = None
    ) -> Iterator[tuple[str, Module]]:
        """This module (name ``prefix``, '' at the top) and every submodule, depth first."""
        seen = set() if _seen is None else _seen
        if id(self) in seen:
            return
        seen.add(id(self))
        yield prefix, self
        for name, member in self._named_members():
            if isinstance(member, Module):
                yield from member.named_modules(f"{prefix}.{name}" if prefix else name, seen)

    def modules(self) -> Iterator[Module]:
        """This module and every submodule, depth first."""
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """The direct submodules with their names."""
        for name, member in self._named_members():
            if isinstance(member, Module):
                yield name, member

    def children(self) -> Iterator[Module]:
        """The direct submodules."""
        for _, module in self.named_children():
            yield module

    def named_parameters(self) -> Iterator[tuple[str, Value]]:
        """Every parameter with its dotted name (``"layers.0.weight"``), in a stable order: the
        order the attributes were assigned, depth first. A parameter reachable twice (a shared
        weight) is listed once, under its first name."""
        return _walk_parameters(self, "", {id(self)}, set())

    def parameters(self) -> list[Value]:
        """Every parameter, in the order of :meth:`named_parameters` (a list: pass it to an
        optimizer, count it, iterate it twice)."""
        return [p for _, p in self.named_parameters()]

    def num_parameters(self) -> int:
        """How many numbers training adjusts: the total size of every parameter."""
        return sum(p.size for p in self.parameters())

    # ------------------------------------------------------------------ buffers
    def register_buffer(self, name: str, array: Any) -> None:
        """Keep ``array`` as non-trainable state (e.g. running statistics) under ``name``.

        A buffer is an ordinary attribute (``self.<name>``) that goes into :meth:`state_dict`
        and saved files but not into :meth:`parameters`; loading writes into it in place.
        """
        if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
            raise ValueError(f"register_buffer: {name!r} is not a valid public attribute name")
        if isinstance(array, Value):
            array = array.data
        array = np.asarray(array)
        if array.dtype.kind == "O":
            raise TypeError(f"register_buffer({name!r}): buffers must be numeric arrays")
        if name not in self._buffer_names:
            self._buffer_names = (*self._buffer_names, name)
        setattr(self, name, array)

    def named_buffers(self) -> Iterator[tuple[str, np.ndarray]]:
        """Every buffer with its dotted name, after walking the modules like the parameters."""
        for prefix, module in self.named_modules():
            for name in module._buffer_names:
                yield (f"{prefix}.{name}" if prefix else name), getattr(module, name)

    def buffers(self) -> list[np.ndarray]:
        """Every buffer array."""
        return [b for _, b in self.named_buffers()]

    # ------------------------------------------------------------------ training state
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget every parameter's gradient (``None``, or zeros with ``set_to_none=False``)."""
        for p in self.parameters():
            if set_to_none or p.grad is None:
                p.grad = None
            elif isinstance(p.grad, np.ndarray):
                p.grad.fill(0)
            else:
                p.grad = 0.0 if type(p.data) is float else np.zeros_like(p.data)

    def train(self, mode: bool = True) -> Module:
        """Set training mode (dropout active, batch statistics) here and in every submodule."""
        for module in self.modules():
            module.training = bool(mode)
        return self

    def eval(self) -> Module:
        """Set evaluation mode here and in every submodule (same as ``train(False)``)."""
        return self.train(False)

    # ------------------------------------------------------------------ state dicts
    def state_dict(self) -> dict[str, np.ndarray]:
        """Name → numpy copy of every parameter, then every buffer.

        A scalar parameter (Python-float data) becomes a 0-d float64 array. The copies do not
        change when training goes on.
        """
        state = {name: np.array(p.data) for name, p in self.named_parameters()}
        for name, array in self.named_buffers():
            state[name] = np.array(array)
        return state

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True) -> Module:
        """Copy ``state_dict`` into the parameters and buffers, after checking all of it.

        Every name, shape and dtype is checked first; any problem — a missing or unexpected
        name (only with ``strict=True``), a shape or a dtype mismatch — raises one
        ``ValueError`` listing all of them, and nothing is changed. Arrays are written into the
        existing ones in place, so an optimizer holding the parameters keeps working; scalar
        parameters are rebound to a new float.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                f"load_state_dict expects a mapping name -> array (from state_dict() or "
                f"np.load), got {type(state_dict).__name__}"
            )
        arrays = {
            name: np.asarray(value.data if isinstance(value, Value) else value)
            for name, value in state_dict.items()
        }
        specs = {name: (array.shape, array.dtype) for name, array in arrays.items()}
        problems = state_problems(self, specs, strict, "the state dict")
        targets = _targets(self)
        plan = [(*targets[name], arrays[name]) for name in targets if name in arrays]
        if problems:
            raise ValueError(
                f"load_state_dict: the state dict does not fit {type(self).__name__}; nothing "
                "was loaded. Problems:\n  " + "\n  ".join(problems)
            )
        for owner, attr, current, array in plan:
            if isinstance(owner, Value):
                if type(owner.data) is float:
                    owner.data = float(array)
                else:
                    np.copyto(owner.data, array)
                    owner.mark_modified()  # a graph recorded before the load must not use it
            elif isinstance(current, np.ndarray):
                np.copyto(current, array)
            else:
                setattr(owner, attr, array.copy())
        return self

    # ------------------------------------------------------------------ repr
    def extra_repr(self) -> str:
        """The settings shown between the parentheses of ``repr`` (override in layers)."""
        return ""

    def __repr__(self) -> str:
        children = list(self.named_children())
        extra = self.extra_repr()
        if not children:
            return f"{type(self).__name__}({extra})"
        lines = [f"{type(self).__name__}("] + ([f"  {extra}"] if extra else [])
        for name, child in children:
            text = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {text}")
        lines.append(")")
        return "\n".join(lines)


# PyTorch keyword names a layer here does not take, and what to do instead.
_TORCH_KEYWORDS = {
    "device": "glassgrad computes on the CPU with numpy: leave device out",
    "in_features": "glassgrad's name is nin",
    "out_features": "glassgrad's name is nout",
    "requires_grad": "set it on a parameter afterwards: layer.weight.requires_grad = False",
    "inplace": "glassgrad never overwrites a layer's input: leave inplace out",
}


def _explain_keywords(init: Any) -> Any:
    """Wrap a layer's ``__init__`` so that an unknown keyword names the ones it takes."""

    @functools.wraps(init)
    def __init__(self: Module, *args: Any, **kwargs: Any) -> None:
        try:
            init(self, *args, **kwargs)
        except TypeError as error:
            text = str(error)
            marker = "got an unexpected keyword argument '"
            if not text.startswith(init.__qualname__ + "()") or marker not in text:
                raise  # raised by something else inside the constructor
            word = text.split(marker, 1)[1].rstrip("'")
            names = [
                p.name
                for p in inspect.signature(init).parameters.values()
                if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
            ]
            hint = _TORCH_KEYWORDS.get(word)
            owner = type(self).__name__
            raise TypeError(
                f"{owner}() takes no keyword '{word}'"
                + (f" ({hint})" if hint else "")
                + (f"; {owner} takes: {', '.join(names)}" if names else f"; {owner}() takes none")
            ) from None

    return __init__


Module.__init__ = _explain_keywords(Module.__init__)  # for layers without their own __init__


def _is_parameter(value: Any) -> bool:
    return isinstance(value, Value) and value.requires_grad


def _refuse(module: Module, name: str, value: Any, current: Any) -> None:
    """Raise the TypeError for ``module.<name> = value`` over the parameter(s) ``current``."""
    owner = type(module).__name__
    what = "numpy.ndarray" if isinstance(value, np.ndarray) else type(value).__name__
    if isinstance(current, list):
        raise TypeError(
            f"cannot assign {what} to '{name}' of {owner}: '{name}' holds "
            f"{len(current)} parameters, and plain numbers would drop them from parameters() "
            f"(training would no longer change them). Set each one in place, e.g. "
            f"`for p, v in zip(module.{name}, values): p.data = v`, or assign a list of "
            f"autograd.Value(v)"
        )
    shape = f"shape {current.shape}" if current.ndim else "a scalar"
    raise TypeError(
        f"cannot assign {what} as parameter '{name}' of {owner} ({shape}): it would drop out "
        f"of parameters() and training would no longer change it. Change its numbers in place "
        f"with `module.{name}.data[...] = array` (`module.{name}.data = number` for a scalar), "
        f"or assign a new parameter: `module.{name} = autograd.Value(array)`"
    )


def _walk(name: str, value: Any) -> Iterator[tuple[str, Value | Module]]:
    """The parameters and modules inside one attribute value, with dotted names."""
    if isinstance(value, Module):
        yield name, value
    elif isinstance(value, Value):
        if value.requires_grad:
            yield name, value
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from _walk(f"{name}.{i}", item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(f"{name}.{key}", item)


def _walk_parameters(
    module: Module, prefix: str, seen_modules: set[int], seen: set[int]
) -> Iterator[tuple[str, Value]]:
    """Depth first through the members, in attribute order: a parameter defined between two
    submodules is listed between their parameters."""
    for name, member in module._named_members():
        if isinstance(member, Value):
            if id(member) not in seen:
                seen.add(id(member))
                yield prefix + name, member
        elif id(member) not in seen_modules:
            seen_modules.add(id(member))
            yield from _walk_parameters(member, f"{prefix}{name}.", seen_modules, seen)


def state_problems(
    module: Module, specs: Mapping[str, tuple[tuple[int, ...], Any]], strict: bool, source: str
) -> list[str]:
    """Every way entries declared as name → (shape, dtype) do not fit ``module``'s parameters
    and buffers: missing or unexpected names (only with ``strict``), wrong shapes, wrong dtypes.
    ``source`` names where the entries come from ("the state dict", "the file")."""
    targets = _targets(module)
    problems: list[str] = []
    missing = [name for name in targets if name not in specs]
    unexpected = [str(name) for name in specs if name not in targets]
    if strict and missing:
        problems.append(f"missing: {', '.join(missing)}")
    if strict and unexpected:
        problems.append(f"unexpected: {', '.join(unexpected)}")
    for name, (_, _, current) in targets.items():
        if name not in specs:
            continue
        shape, dtype = specs[name]
        want_shape, want_dtype = np.shape(current), np.asarray(current).dtype
        if shape != want_shape:
            problems.append(f"{name}: shape {shape} in {source}, {want_shape} in the module")
        if dtype != want_dtype:
            problems.append(
                f"{name}: dtype {dtype} in {source}, {want_dtype} in the module "
                "(convert with .astype, or build the module with that dtype)"
            )
    return problems


def _targets(module: Module) -> dict[str, tuple[Any, str, Any]]:
    """Name → (owner, attribute, current data) for everything a state dict holds."""
    targets: dict[str, tuple[Any, str, Any]] = {}
    for name, p in module.named_parameters():
        targets[name] = (p, "data", p.data)
    for prefix, sub in module.named_modules():
        for attr in sub._buffer_names:
            name = f"{prefix}.{attr}" if prefix else attr
            targets[name] = (sub, attr, getattr(sub, attr))
    return targets
