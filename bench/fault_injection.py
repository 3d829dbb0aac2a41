"""Faults to inject, shared by bench/faults.py and the tests of each guarantee (tests/test_faults.py,
tests/test_outages.py): a server that goes away and comes back, and a full disk."""

import socket
import threading


class CuttableProxy:
    """A TCP proxy on 127.0.0.1 to `target` (host, port) that a test can cut and restore, as if the
    server behind it went away (every connection dropped, new ones refused) and came back."""

    def __init__(self, target):
        self.target = target
        self._connections = set()
        self._lock = threading.Lock()
        self._listener = None
        self.port = 0  # the first listener takes a free port, and every later one the same
        self.restore()

    def restore(self):
        """Accept connections again."""
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, args=(self._listener,), daemon=True).start()

    def cut(self):
        """Drop every connection and refuse new ones until `restore`."""
        with self._lock:
            for end in (self._listener, *self._connections):
                _hang_up(end)
            self._connections.clear()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:  # cut
                return
            try:
                server = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                if listener.fileno() == -1:  # cut meanwhile
                    _hang_up(client)
                    _hang_up(server)
                    return
                self._connections |= {client, server}
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            _hang_up(source)
            _hang_up(sink)


def _hang_up(end):
    """Close a socket so that a thread blocked on it wakes up (a plain close leaves it blocked)."""
    try:
        end.shutdown(socket.SHUT_RDWR)
    except OSError:  # not connected, or already shut
        pass
    end.close()


def fill_disk(directory):
    """Fill the file system of `directory` to the last byte (a file named `filler` in it)."""
    with open(directory / "filler", "wb") as filler:
        try:
            while True:
                filler.write(b"\0" * 65536)
                filler.flush()
        except OSError:
            pass
