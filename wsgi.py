"""Production entry point: `gunicorn wsgi:app` (or any WSGI server).

A WSGI server runs a process per worker, so each holds the model, FAISS and the OpenMP, MKL and
OpenBLAS pools to KBBOT_THREADS threads, 1 unless set (workers × threads ≤ cores): the pools are
sized before NumPy, PyTorch and FAISS load (kbbot.config imports none of them).
"""

from kbbot import threads
from kbbot.config import Config

config = Config()
serving_threads = threads.serving_threads(config.THREADS, one_process=False)
threads.hold_native_pools(serving_threads)

from kbbot import create_app  # noqa: E402  (after the pools are sized)
from kbbot.web.services import prepare_to_serve  # noqa: E402
from kbbot.web.session import get_session  # noqa: E402

app = create_app(config)
with app.app_context():
    prepare_to_serve(get_session(), serving_threads)
