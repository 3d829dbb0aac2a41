"""Threads of the model and FAISS: held in a serving process, every core for bulk embedding."""

import json
import os
import subprocess
import sys

from kbbot import threads
from kbbot.web import services
from kbbot.web.session import get_session
from tests.helpers import ROOT, write_article

WSGI_PROBE = """
import json, os
import faiss, torch
import wsgi

print(json.dumps({
    "torch": torch.get_num_threads(),
    "faiss": faiss.omp_get_max_threads(),
    "pools": [os.environ.get(name) for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")],
    "model_loaded": wsgi.app.extensions["kbbot.answer_engine"].encoder.loaded,
}))
"""


def wsgi_process(tmp_path, articles_dir, **variables):
    """What a process that imported wsgi.py (as gunicorn does) reports of its threads, with `variables` set."""
    environ = {
        name: value
        for name, value in os.environ.items()
        if name not in ("KBBOT_THREADS", "KBBOT_ENGINE_THREADS", *threads.NATIVE_POOL_VARIABLES)
    }
    environ.update(
        PYTHONPATH=str(ROOT),
        SECRET_KEY="test-secret",
        KBBOT_DATABASE_URL=f"sqlite:///{tmp_path / 'kbbot.sqlite3'}",
        KBBOT_INDEX_DIR=str(tmp_path / "index"),
        KBBOT_INSTANCE_PATH=str(tmp_path / "instance"),
        KBBOT_ARTICLES_DIR=str(articles_dir),
        **variables,
    )
    result = subprocess.run(
        [sys.executable, "-c", WSGI_PROBE], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1]), result.stderr


def test_a_wsgi_worker_uses_one_thread_unless_told_and_is_ready_with_its_model(tmp_path, articles_dir):
    write_article(articles_dir, "account/reset-password.md", "Click **Forgot password**.", title="Reset your password")
    found, log = wsgi_process(tmp_path, articles_dir)
    assert found == {"torch": 1, "faiss": 1, "pools": ["1", "1", "1"], "model_loaded": True}
    assert "first start: imported 1 articles" in log


def test_kbbot_threads_sets_a_wsgi_workers_threads(tmp_path, articles_dir):
    found, _ = wsgi_process(tmp_path, articles_dir, KBBOT_THREADS="2", KBBOT_SYNC_ON_FIRST_START="0")
    assert (found["torch"], found["faiss"], found["pools"]) == (2, 2, ["2", "2", "2"])


def test_prepare_to_serve_holds_the_model_and_faiss_to_the_threads_given(app, threads_restored):
    import faiss

    threads_restored.set_num_threads(2)
    with app.app_context():
        services.prepare_to_serve(get_session(), 1)
    assert (threads_restored.get_num_threads(), faiss.omp_get_max_threads()) == (1, 1)


def test_unset_threads_are_one_under_a_wsgi_server_and_the_cores_less_one_under_kbbot_serve(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    assert threads.serving_threads(None, one_process=False) == 1
    assert threads.serving_threads(None, one_process=True) == 7
    assert threads.serving_threads(3, one_process=False) == 3
    assert threads.serving_threads(0, one_process=True) == 0  # the libraries' default


def test_every_core_gives_the_threads_back(threads_restored):
    import faiss

    threads_restored.set_num_threads(1)
    faiss.omp_set_num_threads(1)
    with threads.every_core():
        assert (threads_restored.get_num_threads(), faiss.omp_get_max_threads()) == (threads.cores(),) * 2
    assert (threads_restored.get_num_threads(), faiss.omp_get_max_threads()) == (1, 1)


def test_the_configuration_loads_no_library_with_a_thread_pool():
    """wsgi.py reads the configuration before it sizes the pools: NumPy, PyTorch and FAISS size theirs when
    they load, so the configuration must not load them."""
    code = "import sys, kbbot.config; print(sorted({'numpy', 'torch', 'faiss'} & set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


THREADS_PROBE = """
import json, sys
import faiss
from kbbot import threads

seen = {"default": threads.model_threads()}
threads.use_threads(1)
seen["held"] = threads.model_threads()
with threads.every_core():
    seen["every core"] = (threads.model_threads(), faiss.omp_get_max_threads())
seen["after"] = (threads.model_threads(), faiss.omp_get_max_threads())
seen["torch loaded"] = "torch" in sys.modules
import torch

threads.torch_loaded()
seen["torch"] = torch.get_num_threads()
print(json.dumps(seen))
"""


def test_the_model_threads_are_held_without_pytorch_and_given_to_it_once_loaded():
    """A process on the ONNX backend never imports PyTorch: the count is kept in kbbot.threads (0: ONNX
    Runtime's default), and set on PyTorch when something imports it later (the first ONNX export)."""
    result = subprocess.run([sys.executable, "-c", THREADS_PROBE], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == {
        "default": 0,
        "held": 1,
        "every core": [threads.cores(), threads.cores()],
        "after": [1, 1],
        "torch loaded": False,
        "torch": 1,
    }


def test_an_onnx_encoder_follows_the_threads_it_is_given(tmp_path, threads_restored):
    from kbbot.search.embedding import load_encoder

    encoder = load_encoder(backend="onnx", device="cpu", cache_dir=tmp_path)
    threads.use_threads(1)
    encoder.encode(["reset my password"])
    assert encoder.load()._session._threads == 1
    with threads.every_core():
        encoder.encode(["reset my password"])
        assert encoder.load()._session._threads == threads.cores()
