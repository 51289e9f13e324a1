"""glassgrad's autograd engine: ``Value`` nodes, primitive ops with their gradients, and tools
to check (``gradcheck``), transform (``grad``) and see (``draw_graph``, ``backward_steps``)
backpropagation.

Note: this package is named ``autograd`` like the unrelated PyPI package (HIPS autograd); the
two cannot be installed in the same environment.
"""

from autograd.anomaly import detect_anomaly
from autograd.attention import scaled_dot_product_attention
from autograd.backprop import backpropagate, backward_order, backward_walk
from autograd.draw import draw_graph
from autograd.functional import grad, value_and_grad
from autograd.grad_mode import enable_grad, is_grad_enabled, no_grad
from autograd.gradcheck import GradcheckError, gradcheck
from autograd.ops.activations import (
    elu,
    hardtanh,
    logsigmoid,
    mish,
    selu,
    silu,
    softplus,
    softsign,
)
from autograd.ops.conv import conv2d, conv_transpose2d
from autograd.ops.dtype import astype
from autograd.ops.elementary import (
    arccos,
    arcsin,
    arctan,
    arctan2,
    ceil,
    cosh,
    erf,
    expm1,
    floor,
    hypot,
    isfinite,
    isnan,
    log1p,
    log2,
    log10,
    mod,
    reciprocal,
    round,
    sign,
    sinh,
    square,
    tan,
)
from autograd.ops.gather import gather, index_put, masked_fill, scatter_add, take_along_axis
from autograd.ops.gelu import gelu
from autograd.ops.layout import (
    array_split,
    diagonal,
    expand_dims,
    flip,
    moveaxis,
    pad,
    permute,
    repeat,
    roll,
    split,
    squeeze,
    tile,
    trace,
    tril,
    triu,
    unsqueeze,
)
from autograd.ops.linalg import dot, einsum, inner, kron, outer, svdvals, tensordot
from autograd.ops.pooling import avg_pool2d, max_pool2d
from autograd.ops.reductions_more import all, any, norm, prod, std
from autograd.ops.scans import cumprod, cumsum, diff, logaddexp, logcumsumexp
from autograd.ops.selection import argmax, argmin, argsort, sort, topk
from autograd.player import step_through
from autograd.random import generator, manual_seed
from autograd.steps import Step, backward_steps
from autograd.value import Value, apply, concatenate, linear, stack, where
from autograd.value import as_function as _as_function

# Every op is also a function: autograd.exp(x) is x.exp(), and accepts arrays and numbers too.
exp = _as_function(Value.exp)
log = _as_function(Value.log)
sqrt = _as_function(Value.sqrt)
abs = _as_function(Value.abs)  # noqa: A001
sin = _as_function(Value.sin)
cos = _as_function(Value.cos)
tanh = _as_function(Value.tanh)
sigmoid = _as_function(Value.sigmoid)
relu = _as_function(Value.relu)
leaky_relu = _as_function(Value.leaky_relu)
maximum = _as_function(Value.maximum)
minimum = _as_function(Value.minimum)
clip = _as_function(Value.clip)
sum = _as_function(Value.sum)  # noqa: A001
mean = _as_function(Value.mean)
max = _as_function(Value.max)  # noqa: A001
min = _as_function(Value.min)  # noqa: A001
var = _as_function(Value.var)
reshape = _as_function(Value.reshape)
transpose = _as_function(Value.transpose)
flatten = _as_function(Value.flatten)
broadcast_to = _as_function(Value.broadcast_to)
softmax = _as_function(Value.softmax)
log_softmax = _as_function(Value.log_softmax)
logsumexp = _as_function(Value.logsumexp)
add = _as_function(Value.__add__)
sub = _as_function(Value.__sub__)
mul = _as_function(Value.__mul__)
div = _as_function(Value.__truediv__)
pow = _as_function(Value.__pow__)  # noqa: A001
matmul = _as_function(Value.__matmul__)
neg = _as_function(Value.__neg__)
swapaxes = _as_function(Value.swapaxes)

__all__ = [
    "Value", "no_grad", "enable_grad", "is_grad_enabled", "grad", "value_and_grad", "gradcheck",
    "GradcheckError", "manual_seed", "generator", "backpropagate", "backward_order", "apply",
    "backward_walk", "detect_anomaly",
    "where", "concatenate", "stack", "linear", "exp", "log", "sqrt", "abs", "sin", "cos", "tanh",
    "sigmoid", "relu",
    "leaky_relu", "maximum", "minimum", "clip", "sum", "mean", "max", "min", "var", "reshape",
    "transpose", "flatten", "broadcast_to", "softmax", "log_softmax", "logsumexp", "add", "sub",
    "mul", "div", "pow", "matmul", "neg", "draw_graph", "backward_steps", "Step", "step_through",
    "conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d", "gelu",
    "scaled_dot_product_attention",
    # the wider op set (issue 16)
    "squeeze", "expand_dims", "unsqueeze", "swapaxes", "moveaxis", "permute", "repeat", "tile",
    "flip", "roll", "split", "array_split", "pad", "tril", "triu", "diagonal", "trace",
    "take_along_axis", "gather", "scatter_add", "masked_fill", "index_put",
    "argmax", "argmin", "argsort", "sort", "topk",
    "prod", "std", "norm", "any", "all", "cumsum", "cumprod", "logcumsumexp", "logaddexp", "diff",
    "einsum", "tensordot", "outer", "inner", "dot", "kron", "svdvals",
    "sign", "floor", "ceil", "round", "mod", "log1p", "expm1", "log2", "log10", "tan", "sinh",
    "cosh", "arcsin", "arccos", "arctan", "arctan2", "erf", "square", "reciprocal", "hypot",
    "isnan", "isfinite", "softplus", "elu", "selu", "silu", "mish", "hardtanh", "softsign",
    "logsigmoid", "astype",
]  # fmt: skip
