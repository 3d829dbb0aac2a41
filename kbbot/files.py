"""Writing files so that a crash never leaves a half-written one behind."""

import os
import secrets
from pathlib import Path


def write_atomically(path: Path, data: bytes):
    """Write to a temporary file, fsync it, rename it over `path`, fsync the directory."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with open(temporary, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    directory_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory_fd)
    finally:
        os.close(directory_fd)
