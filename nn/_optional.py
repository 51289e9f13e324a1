"""Optional packages (torch, onnx, onnxruntime, safetensors), imported only when first used.

``import nn`` needs numpy alone. A feature that needs more calls :func:`require`, which either
returns the imported package or raises an ``ImportError`` saying exactly what to install.
"""

from __future__ import annotations

import importlib
from types import ModuleType

# import name -> the command that installs it
_INSTALL = {
    "torch": "pip install torch  (CPU-only build: pip install torch --index-url "
    "https://download.pytorch.org/whl/cpu)",
    "onnx": "pip install glassgrad[onnx]  (or: pip install onnx onnxruntime)",
    "onnxruntime": "pip install glassgrad[onnx]  (or: pip install onnx onnxruntime)",
    "safetensors": "pip install glassgrad[safetensors]  (or: pip install safetensors)",
}


def require(name: str, feature: str) -> ModuleType:
    """Import the optional package ``name`` (e.g. ``"safetensors.numpy"``) for ``feature``.

    Raises ``ImportError`` naming the feature and the pip command when it is not installed.
    """
    try:
        return importlib.import_module(name)
    except ImportError as error:
        top = name.split(".")[0]
        raise ImportError(
            f"{feature} needs the optional package {top!r}, which is not installed "
            f"({error}). Install it with: {_INSTALL.get(top, f'pip install {top}')}"
        ) from error
