"""How many threads the model (PyTorch, and ONNX Runtime, which follows it) and FAISS use.

Both default to a thread per core. A question is encoded in tens of milliseconds, and
serving processes that each spin a thread per core fight over the cores: on 2 cores with
other work running, one question's encoding took 488 ms at p50 with PyTorch's 2 threads and
32 ms with 1 (issue 22). So a serving process holds them to `KBBOT_THREADS` (`serving_threads`),
while bulk embedding, `kbbot index` and a first start's, uses every core (`every_core`).

Nothing here imports PyTorch or FAISS until it sets their threads: `wsgi.py` calls
`hold_native_pools` before anything loads them.
"""

import contextlib
import os

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


def use_threads(count):
    """Let the model (PyTorch, and ONNX Runtime, which follows PyTorch's count) and FAISS use `count`
    threads in this process from now on."""
    import faiss
    import torch

    torch.set_num_threads(count)
    faiss.omp_set_num_threads(count)


@contextlib.contextmanager
def every_core():
    """Give the model and FAISS a thread per core for a bulk encode, and what they had back after."""
    import faiss
    import torch

    before = torch.get_num_threads(), faiss.omp_get_max_threads()
    use_threads(cores())
    try:
        yield
    finally:
        torch.set_num_threads(before[0])
        faiss.omp_set_num_threads(before[1])
