"""Which backend runs the encoder's transformer, and on which device: the settings' choices
(`KBBOT_EMBEDDING_BACKEND`, `KBBOT_DEVICE`) and what `auto` means.

Plain Python, so that the configuration can check the settings without loading NumPy or PyTorch
(kbbot/threads.py: a serving process sizes their thread pools before they load).
"""

from ..errors import ModelError

BACKENDS = ("auto", "torch", "onnx", "onnx-int8")
DEVICES = ("auto", "cpu", "cuda")
QUANTIZED = "int8"  # the quantization of the `onnx-int8` backend


def resolve_device(device, cuda_available) -> str:
    """ "cpu" or "cuda" for the `device` setting: `auto` is the GPU when PyTorch sees one."""
    if device not in DEVICES:
        raise ModelError(f"unknown device {device!r}: expected one of {', '.join(DEVICES)}")
    if device == "auto":
        return "cuda" if cuda_available else "cpu"
    if device == "cuda" and not cuda_available:
        raise ModelError(
            "KBBOT_DEVICE=cuda, but PyTorch sees no GPU (a CPU build of torch, or no CUDA driver): "
            "set KBBOT_DEVICE=cpu or auto"
        )
    return device


def resolve_backend(backend, device) -> str:
    """The backend for the `backend` setting on `device` ("cpu" or "cuda"): `auto` is ONNX Runtime
    on the CPU, PyTorch on a GPU; ONNX Runtime runs on the CPU only."""
    if backend not in BACKENDS:
        raise ModelError(f"unknown embedding backend {backend!r}: expected one of {', '.join(BACKENDS)}")
    if backend == "auto":
        return "torch" if device == "cuda" else "onnx"
    if backend != "torch" and device == "cuda":
        raise ModelError(
            f"KBBOT_EMBEDDING_BACKEND={backend} runs on the CPU only: set KBBOT_EMBEDDING_BACKEND=torch "
            "to embed on the GPU, or KBBOT_DEVICE=cpu"
        )
    return backend


def quantization(backend):
    """ "int8" for the quantized ONNX backend, None for the others (the model's own weights)."""
    return QUANTIZED if backend == "onnx-int8" else None


def model_name(name, backend):
    """The name an index manifest records for vectors of model `name` made by `backend`.

    int8 vectors differ from the model's (cosine about 0.99), so an index built with them is another
    model's; the float ONNX model's agree with PyTorch's to cosine > 0.9999, so they share one. Known
    from the setting alone: `auto` is never the quantized backend."""
    quantized = quantization(backend)
    return f"{name}+{quantized}" if quantized else name
