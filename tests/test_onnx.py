"""nn.export_onnx: the graph passes onnx.checker and ONNX Runtime reproduces the eval-mode
outputs to 1e-5, for every supported layer, at any batch size."""

import os
import sys

import numpy as np
import pytest

import autograd
import nn

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

# name -> (build a glassgrad model, input shape, dtype)
CASES = {
    "linear": (lambda: nn.Linear(5, 3), (4, 5), np.float32),
    "linear_no_bias": (lambda: nn.Linear(5, 3, bias=False), (4, 5), np.float32),
    "linear_3d_input": (lambda: nn.Linear(5, 3), (4, 2, 5), np.float32),
    "linear_float64": (lambda: nn.Linear(5, 3, dtype=np.float64), (4, 5), np.float64),
    "relu": (lambda: nn.Sequential(nn.Linear(5, 6), nn.ReLU()), (4, 5), np.float32),
    "leaky_relu": (lambda: nn.Sequential(nn.Linear(5, 6), nn.LeakyReLU(0.2)), (4, 5), np.float32),
    "tanh": (lambda: nn.Tanh(), (4, 5), np.float32),
    "sigmoid": (lambda: nn.Sigmoid(), (4, 5), np.float32),
    "softmax": (lambda: nn.Softmax(), (4, 5), np.float32),
    "softmax_axis1_of_3": (lambda: nn.Softmax(axis=1), (4, 3, 5), np.float32),
    "log_softmax": (lambda: nn.LogSoftmax(), (4, 5), np.float32),
    "identity": (lambda: nn.Identity(), (4, 5), np.float32),
    "step": (lambda: nn.Sequential(nn.Linear(5, 6), nn.Step()), (4, 5), np.float32),
    "dropout": (lambda: nn.Sequential(nn.Linear(5, 6), nn.Dropout(0.5)), (4, 5), np.float32),
    "gaussian_noise": (lambda: nn.GaussianNoise(1.0), (4, 5), np.float32),
    "mlp": (lambda: nn.MLP(5, [8, 8, 3]), (4, 5), np.float32),
    "batchnorm": (lambda: nn.Sequential(nn.Linear(5, 6), nn.BatchNorm1d(6)), (8, 5), np.float32),
    "batchnorm_3d_no_affine": (lambda: nn.BatchNorm1d(3, affine=False), (4, 3, 5), np.float32),
    "layernorm": (lambda: nn.Sequential(nn.Linear(5, 6), nn.LayerNorm(6)), (4, 5), np.float32),
    "layernorm_2d_no_affine": (
        lambda: nn.LayerNorm((3, 5), elementwise_affine=False), (4, 3, 5), np.float32
    ),
    "empty_sequential": (lambda: nn.Sequential(), (4, 5), np.float32),
    "flatten": (lambda: nn.Flatten(), (4, 3, 5, 2), np.float32),
    "flatten_from_2": (lambda: nn.Flatten(2), (4, 3, 5, 2), np.float32),
    "flatten_from_0": (lambda: nn.Flatten(0), (4, 3), np.float32),
    "residual": (
        lambda: nn.Residual(nn.Sequential(nn.Linear(5, 5), nn.Tanh(), nn.Linear(5, 5))),
        (4, 5), np.float32,
    ),
}  # fmt: skip


def _sequence(shape):
    return lambda rng: rng.standard_normal(shape).astype(np.float32)


def _qkv(query_shape, key_shape):
    def make(rng):
        return tuple(
            rng.standard_normal(s).astype(np.float32) for s in (query_shape, key_shape, key_shape)
        )

    return make


# Layers from §4, added as they land (each needs its names in nn).
LATER = {
    "conv_pool_gelu": (
        lambda: nn.Sequential(
            nn.Conv2d(2, 3, 3, padding=1), nn.GELU(), nn.MaxPool2d(2, padding=1),
            nn.Conv2d(3, 4, 2, stride=2, dilation=1, bias=False), nn.GELU(approximate="tanh"),
            nn.AvgPool2d(2, stride=1, padding=1),
        ),
        (2, 2, 7, 7), np.float32, ["Conv2d", "MaxPool2d", "AvgPool2d", "GELU"],
    ),
    "conv_dilated_strided": (
        lambda: nn.Conv2d(2, 3, (3, 2), stride=(2, 1), padding=(1, 0), dilation=(2, 1)),
        (2, 2, 9, 8), np.float32, ["Conv2d"],
    ),
    "conv_transpose_unflatten": (
        lambda: nn.Sequential(
            nn.Linear(6, 12), nn.Unflatten(1, (3, 2, 2)),
            nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1, output_padding=1), nn.SiLU(),
        ),
        (4, 6), np.float32, ["ConvTranspose2d", "Unflatten", "SiLU"],
    ),
    "unflatten_middle": (lambda: nn.Unflatten(1, (2, -1)), (4, 6, 3), np.float32, ["Unflatten"]),
    "activations_more": (
        lambda: nn.Sequential(
            nn.Linear(5, 8), nn.Softplus(beta=2.0, threshold=1.0), nn.Linear(8, 8), nn.ELU(0.5),
            nn.Linear(8, 8), nn.SELU(), nn.Mish(), nn.Hardtanh(-0.5, 0.7), nn.Softsign(),
            nn.LogSigmoid(),
        ),
        (6, 5), np.float32,
        ["Softplus", "ELU", "SELU", "Mish", "Hardtanh", "Softsign", "LogSigmoid"],
    ),
    "embedding": (
        lambda: nn.Sequential(nn.Embedding(7, 4), nn.Flatten(), nn.Linear(12, 2)),
        lambda rng: rng.integers(0, 7, size=(5, 3)), None, ["Embedding"],
    ),
    "rnn_tanh_two_layers": (
        lambda: nn.RNN(3, 4, num_layers=2), _sequence((5, 2, 3)), None, ["RNN"],
    ),
    "rnn_relu_batch_first": (
        lambda: nn.RNN(3, 4, nonlinearity="relu", batch_first=True), _sequence((2, 5, 3)), None,
        ["RNN"],
    ),
    "lstm_two_layers": (lambda: nn.LSTM(3, 4, num_layers=2), _sequence((5, 2, 3)), None, ["LSTM"]),
    "lstm_batch_first_no_bias": (
        lambda: nn.LSTM(3, 4, bias=False, batch_first=True), _sequence((2, 5, 3)), None, ["LSTM"],
    ),
    "gru": (lambda: nn.GRU(3, 4), _sequence((5, 2, 3)), None, ["GRU"]),
    "gru_batch_first_two_layers": (
        lambda: nn.GRU(3, 4, num_layers=2, batch_first=True), _sequence((2, 5, 3)), None, ["GRU"],
    ),
    "rnn_cell": (lambda: nn.RNNCell(3, 4, nonlinearity="relu"), (2, 3), np.float32, ["RNNCell"]),
    "lstm_cell": (lambda: nn.LSTMCell(3, 4), (2, 3), np.float32, ["LSTMCell"]),
    "gru_cell": (lambda: nn.GRUCell(3, 4, bias=False), (2, 3), np.float32, ["GRUCell"]),
    "attention": (
        lambda: nn.MultiheadAttention(8, 2), _qkv((5, 2, 8), (6, 2, 8)), None,
        ["MultiheadAttention"],
    ),
    "attention_batch_first_no_bias": (
        lambda: nn.MultiheadAttention(8, 4, bias=False, batch_first=True),
        _qkv((2, 5, 8), (2, 6, 8)), None, ["MultiheadAttention"],
    ),
}  # fmt: skip
for key, (make, spec, dtype, needs) in LATER.items():
    if all(hasattr(nn, n) for n in needs):
        CASES[key] = (make, spec, dtype)


def build(name):
    """The model (its batch norm statistics moved by one training-mode call) and its inputs."""
    make, spec, dtype = CASES[name]
    autograd.manual_seed(0)
    model = make()
    rng = np.random.default_rng(0)
    x = spec(rng) if callable(spec) else rng.standard_normal(spec).astype(dtype)
    inputs = x if isinstance(x, tuple) else (x,)
    with autograd.no_grad():
        model(*inputs)
    return model, inputs


def one_example(model, inputs):
    """The first example of each input (the batch axis is 1 for sequence-first layers)."""
    seq_first = isinstance(
        model,
        (
            getattr(nn, "RNN", ()),
            getattr(nn, "LSTM", ()),
            getattr(nn, "GRU", ()),
            getattr(nn, "MultiheadAttention", ()),
        ),
    )
    seq_first = seq_first and not model.batch_first
    return tuple(x[:, :1] if seq_first else x[:1] for x in inputs)  # fmt: skip


def values(out):
    """The arrays of a model's output (a Value, an array, or nested tuples of them)."""
    if isinstance(out, (tuple, list)):
        return [array for part in out for array in values(part)]
    return [np.asarray(out.data if isinstance(out, autograd.Value) else out)]


def run(path, inputs):
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    names = [i.name for i in session.get_inputs()]
    return session.run(None, dict(zip(names, inputs, strict=True)))


@pytest.mark.parametrize("name", CASES)
def test_onnx_runtime_reproduces_eval_outputs(name, tmp_path):
    model, inputs = build(name)
    path = tmp_path / "model.onnx"
    example = one_example(model, inputs)
    proto = nn.export_onnx(model, example if len(example) > 1 else example[0], path)
    assert model.training  # exporting does not change the module's mode
    onnx.checker.check_model(onnx.load(str(path)), full_check=True)
    assert isinstance(proto, onnx.ModelProto)
    model.eval()
    checks = [inputs]  # a batch of several through a graph exported from a batch of 1
    if name != "flatten_from_0":  # (that one folds the batch axis away)
        checks.append(example)
    for xs in checks:
        want, got = values(model(*xs)), run(path, xs)
        assert len(got) == len(want)
        for a, b in zip(got, want, strict=True):
            assert a.dtype == b.dtype and a.shape == b.shape
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


def test_graph_has_named_weights_and_a_dynamic_batch(tmp_path):
    autograd.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))
    proto = nn.export_onnx(model, np.zeros((2, 4), np.float32), tmp_path / "m.onnx")
    names = {init.name for init in proto.graph.initializer}
    assert set(model.state_dict()) - {"1.num_batches_tracked"} <= names
    from onnx import numpy_helper

    weights = {i.name: numpy_helper.to_array(i) for i in proto.graph.initializer}
    np.testing.assert_array_equal(weights["0.weight"], model[0].weight.data)
    (inp,), (out,) = proto.graph.input, proto.graph.output
    dims = [d.dim_param or d.dim_value for d in inp.type.tensor_type.shape.dim]
    assert dims == ["batch", 4]
    assert [d.dim_param or d.dim_value for d in out.type.tensor_type.shape.dim] == ["batch", 3]
    assert [n.op_type for n in proto.graph.node][:4] == [
        "Gemm", "BatchNormalization", "Relu", "Gemm",
    ]  # fmt: skip
    assert proto.opset_import[0].version == 17


def test_unsupported_layers_raise_naming_them_and_write_nothing(tmp_path):
    class Custom(nn.Module):
        def forward(self, x):
            return x * 2

    x = np.zeros((1, 2), np.float32)
    path = tmp_path / "m.onnx"
    with pytest.raises(nn.UnsupportedLayerError, match=r"layer '1' \(Custom\)") as info:
        nn.export_onnx(nn.Sequential(nn.Linear(2, 2), Custom()), x, path)
    assert "Linear" in str(info.value)
    with pytest.raises(nn.UnsupportedLayerError, match="track_running_stats=False"):
        nn.export_onnx(nn.BatchNorm1d(2, track_running_stats=False), x, path)
    assert os.listdir(tmp_path) == []


def test_a_failed_export_keeps_the_old_file(tmp_path):
    path = tmp_path / "m.onnx"
    x = np.zeros((1, 2), np.float32)
    nn.export_onnx(nn.Linear(2, 2), x, path)
    old = path.read_bytes()

    class Custom(nn.Module):
        def forward(self, x):
            return x

    with pytest.raises(nn.UnsupportedLayerError):
        nn.export_onnx(Custom(), x, path)
    assert path.read_bytes() == old


def test_without_onnx_the_error_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(ImportError, match=r"pip install glassgrad\[onnx\]"):
        nn.export_onnx(nn.Linear(2, 2), np.zeros((1, 2), np.float32), tmp_path / "m.onnx")


@pytest.mark.skipif(not hasattr(nn, "LSTM"), reason="nn.LSTM has not landed")
def test_recurrent_export_has_dynamic_sequence_and_batch_and_named_outputs(tmp_path):
    autograd.manual_seed(0)
    model = nn.LSTM(3, 4, num_layers=2)
    rng = np.random.default_rng(0)
    proto = nn.export_onnx(model, rng.standard_normal((5, 1, 3)).astype(np.float32),
                           tmp_path / "lstm.onnx", output_names=["seq", "h_n", "c_n"])  # fmt: skip
    dims = [d.dim_param or d.dim_value for d in proto.graph.input[0].type.tensor_type.shape.dim]
    assert dims == ["seq", "batch", 3]
    assert [o.name for o in proto.graph.output] == ["seq", "h_n", "c_n"]
    x = rng.standard_normal((7, 3, 3)).astype(np.float32)  # longer sequence, bigger batch
    want = values(model(x))
    for a, b in zip(run(tmp_path / "lstm.onnx", (x,)), want, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


def test_every_layer_in_nn_has_an_onnx_rule_and_a_case():
    """A new layer in nn needs one entry in nn.onnx_export.ONNX_RULES (and a case above)."""
    from nn.onnx_export import ONNX_RULES

    layers = {n for n in dir(nn) if isinstance(getattr(nn, n), type)
              and issubclass(getattr(nn, n), nn.Module)} - {"Module", "Perceptron"}  # fmt: skip
    missing = sorted(layers - set(ONNX_RULES))
    assert not missing, f"add an ONNX rule to nn/onnx_export.py for: {missing}"
    tested = {type(m).__name__ for name in CASES for m in build(name)[0].modules()}
    assert not sorted(layers - tested), f"add a case to CASES for: {sorted(layers - tested)}"


def test_a_float64_model_exports_as_float32_for_onnx_runtime(tmp_path):
    """ONNX Runtime has float32-only kernels for several operators (Conv, Erf, the recurrent
    ones): dtype=np.float32 exports a float64 model for it."""
    autograd.manual_seed(0)
    f64 = np.float64
    model = nn.Sequential(
        nn.Conv2d(1, 2, 3, dtype=f64), nn.GELU(), nn.Flatten(), nn.Linear(32, 4, dtype=f64),
        nn.LayerNorm(4, dtype=f64), nn.Softplus(), nn.ELU(),
    )  # fmt: skip
    x = np.random.default_rng(0).standard_normal((3, 1, 6, 6))
    proto = nn.export_onnx(model, x[:1], tmp_path / "m.onnx", dtype=np.float32)
    assert proto.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    assert {i.data_type for i in proto.graph.initializer} == {onnx.TensorProto.FLOAT}
    (got,) = run(tmp_path / "m.onnx", (x.astype(np.float32),))
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, model.eval()(x).data, rtol=1e-4, atol=1e-5)
    with pytest.raises(TypeError, match="float type"):
        nn.export_onnx(model, x[:1], tmp_path / "m.onnx", dtype=np.int32)
    if hasattr(nn, "LSTM"):
        lstm = nn.LSTM(3, 4, dtype=f64)
        seq = np.random.default_rng(1).standard_normal((5, 2, 3))
        nn.export_onnx(lstm, seq[:, :1], tmp_path / "l.onnx", dtype=np.float32)
        got = run(tmp_path / "l.onnx", (seq.astype(np.float32),))
        for a, b in zip(got, values(lstm(seq)), strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
