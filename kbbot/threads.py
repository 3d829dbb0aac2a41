"""How many threads the model (ONNX Runtime or PyTorch) and FAISS use.

Both default to a thread per core. A question is encoded in tens of milliseconds, and
serving processes that each spin a thread per core fight over the cores: on 2 cores with
other work running, one question's encoding took 488 ms at p50 with PyTorch's 2 threads and
32 ms with 1 (issue 22). So a serving process holds them to `KBBOT_THREADS` (`serving_threads`),
while bulk embedding, `kbbot index` and a first start's, uses every core (`every_core`).

Nothing here imports FAISS until it sets its threads, nor PyTorch ever: the count is kept here
(`model_threads`), which ONNX Runtime reads at each encode, and set on PyTorch only once something
else has imported it (the PyTorch backend, or the first ONNX export: `embedding` calls
`torch_loaded` then). A serving process on the ONNX backend never loads PyTorch. `wsgi.py` calls
`hold_native_pools` before anything loads them.
"""

import contextlib
import os
import sys

# The variables the OpenMP, MKL and OpenBLAS runtimes size their thread pools by, once, when loaded.
NATIVE_POOL_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def cores():
    return os.cpu_count() or 1


def serving_threads(configured, one_process):
    """The threads each serving process gives the model and FAISS: `configured` (KBBOT_THREADS; 0:
    the libraries' default, a thread per core) when set, else 1 under a WSGI server, which runs a
    process per worker (workers × threads ≤ cores), or the cores less one for `one_process`
    (`kbbot serve`), so that a question leaves a core to the pages."""
    if configured is not None:
        return configured
    return max(1, cores() - 1) if one_process else 1


def hold_native_pools(count):
    """Size the OpenMP, MKL and OpenBLAS pools to `count` threads (0: leave them be). Only takes effect
    before NumPy, PyTorch and FAISS are imported, which read these variables when they load."""
    if count:
        for name in NATIVE_POOL_VARIABLES:
            os.environ[name] = str(count)


_count = None  # the model's threads set by `use_threads`; None: the libraries' default


def _torch():
    """PyTorch if this process has imported it, else None (never imports it)."""
    return sys.modules.get("torch")


def model_threads():
    """The threads the model uses: PyTorch's count once it is loaded (`use_threads` keeps the two the
    same), else the count `use_threads` set; 0 for the default (ONNX Runtime's: a thread per core)."""
    torch = _torch()
    if torch is not None:
        return torch.get_num_threads()
    return _count or 0


def torch_loaded():
    """Give PyTorch, just imported, the model's threads set before it was (none: its default)."""
    torch = _torch()
    if torch is not None and _count:
        torch.set_num_threads(_count)


def use_threads(count):
    """Let the model (ONNX Runtime, and PyTorch when loaded) and FAISS use `count` threads in this
    process from now on."""
    global _count
    import faiss

    _count = count
    torch = _torch()
    if torch is not None:
        torch.set_num_threads(count)
    faiss.omp_set_num_threads(count)


@contextlib.contextmanager
def every_core():
    """Give the model and FAISS a thread per core for a bulk encode, and what they had back after."""
    global _count
    import faiss

    torch = _torch()
    before = _count, torch.get_num_threads() if torch is not None else None, faiss.omp_get_max_threads()
    use_threads(cores())
    try:
        yield
    finally:
        _count = before[0]
        torch = _torch()  # maybe loaded meanwhile (a first ONNX export)
        if torch is not None:
            torch.set_num_threads(before[1] or before[0] or _default_threads())
        faiss.omp_set_num_threads(before[2])


def _default_threads():
    """PyTorch's count when nothing set one: the OpenMP pool's size, if held, else a thread per core."""
    held = os.environ.get("OMP_NUM_THREADS", "")
    return int(held) if held.isdigit() and int(held) > 0 else cores()
