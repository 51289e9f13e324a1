"""Every differentiable primitive, each with its forward and its vector-Jacobian products."""

from autograd.ops.arithmetic import Add, Div, MatMul, Mul, Neg, Pow, Sub
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
from autograd.ops.softmax import LogSoftmax, LogSumExp, Softmax

__all__ = [
    "PRIMITIVES", "Primitive", "Add", "Sub", "Neg", "Mul", "Div", "Pow", "MatMul", "Exp", "Log",
    "Sqrt", "Abs", "Sin", "Cos", "Tanh", "Sigmoid", "ReLU", "LeakyReLU", "Maximum", "Minimum",
    "Clip", "Where",
    "Sum", "Mean", "Max", "Min", "Reshape", "Transpose", "BroadcastTo", "GetItem", "ScatterAdd",
    "Concatenate", "Stack", "LogSumExp", "LogSoftmax", "Softmax", "Linear", "SoftmaxCrossEntropy",
]  # fmt: skip
