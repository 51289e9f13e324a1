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
}  # fmt: skip
for key, (make, spec, dtype, needs) in LATER.items():
    if all(hasattr(nn, n) for n in needs):
        CASES[key] = (make, spec, dtype)


def build(name):
    make, spec, dtype = CASES[name]
    autograd.manual_seed(0)
    model = make()
    rng = np.random.default_rng(0)
    x = spec(rng) if callable(spec) else rng.standard_normal(spec).astype(dtype)
    with autograd.no_grad():
        model(x)  # training mode once: batch norm's running statistics move off their defaults
    return model, x


def value(out):
    return np.asarray(out.data if isinstance(out, autograd.Value) else out)


def run(path, x):
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (out,) = session.run(None, {"input": x})
    return out


@pytest.mark.parametrize("name", CASES)
def test_onnx_runtime_reproduces_eval_outputs(name, tmp_path):
    model, x = build(name)
    path = tmp_path / "model.onnx"
    proto = nn.export_onnx(model, x[:1], path)
    assert model.training  # exporting does not change the module's mode
    onnx.checker.check_model(onnx.load(str(path)), full_check=True)
    assert isinstance(proto, onnx.ModelProto)
    model.eval()
    want = value(model(x))
    got = run(path, x)  # a batch of 4 (8) through a graph exported from a batch of 1
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    if name != "flatten_from_0":  # (that one folds the batch axis away)
        np.testing.assert_allclose(run(path, x[:1]), value(model(x[:1])), rtol=1e-5, atol=1e-5)


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
