"""Every differentiable primitive, each with its forward and its vector-Jacobian products."""

# The op families of issue 16 (most of their ops are composites), as autograd.ops.layout, ...
from autograd.ops import (  # noqa: F401
    activations,
    dtype,
    elementary,
    gather,
    layout,
    linalg,
    reductions_more,
    scans,
    selection,
)
from autograd.ops.arithmetic import Add, Div, MatMul, Mul, Neg, Pow, Sub
from autograd.ops.dtype import AsType
from autograd.ops.elementary import (
    Arccos,
    Arcsin,
    Arctan,
    Arctan2,
    Ceil,
    ClampedLog,
    Erf,
    Expm1,
    Floor,
    Log1p,
    Round,
    Sign,
)
from autograd.ops.elementwise import (
    Abs,
    Clip,
    Cos,
    Exp,
    LeakyReLU,
    Log,
    Maximum,
    Minimum,
    ReLU,
    Sigmoid,
    Sin,
    Sqrt,
    Tanh,
    Where,
)
from autograd.ops.fused import Linear, SoftmaxCrossEntropy
from autograd.ops.linalg import Einsum, Svdvals
from autograd.ops.primitive import PRIMITIVES, Primitive
from autograd.ops.reductions import Max, Mean, Min, Sum
from autograd.ops.shape import (
    BroadcastTo,
    Concatenate,
    GetItem,
    Reshape,
    ScatterAdd,
    Stack,
    Transpose,
)
from autograd.ops.softmax import Softmax

__all__ = [
    "PRIMITIVES", "Primitive", "Add", "Sub", "Neg", "Mul", "Div", "Pow", "MatMul", "Exp", "Log",
    "Sqrt", "Abs", "Sin", "Cos", "Tanh", "Sigmoid", "ReLU", "LeakyReLU", "Maximum", "Minimum",
    "Clip", "Where",
    "Sum", "Mean", "Max", "Min", "Reshape", "Transpose", "BroadcastTo", "GetItem", "ScatterAdd",
    "Concatenate", "Stack", "Softmax", "Linear", "SoftmaxCrossEntropy",
    "AsType", "Sign", "Floor", "Ceil", "Round", "Log1p", "Expm1", "Arcsin", "Arccos", "Arctan",
    "Arctan2", "Erf", "Einsum", "Svdvals", "ClampedLog",
]  # fmt: skip
