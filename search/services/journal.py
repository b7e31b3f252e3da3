"""The whoosh backend's queue of pending index changes (see whoosh_backend's docstring)."""

from __future__ import annotations

import fcntl
from contextlib import contextmanager
from pathlib import Path


class Journal:
    """The queue of pending index changes: one ref per line, appended under an exclusive
    ``flock``; the writer consumes exactly the bytes it has indexed."""

    BATCH = 500  # refs per commit (and per database query)

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextmanager
    def _locked(self, mode: str):
        with open(self.path, mode) as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield fh
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def append(self, refs: list[str]) -> None:
        data = "".join(f"{r}\n" for r in refs).encode()
        with self._locked("ab") as fh:
            fh.write(data)
            fh.flush()

    def read(self) -> tuple[list[str], int]:
        """The first BATCH pending refs (without repeats, in order) and the bytes they take."""
        if not self.path.exists():
            return [], 0
        lines: list[bytes] = []
        with self._locked("rb") as fh:
            for line in fh:
                if not line.endswith(b"\n"):
                    break  # an append in progress cannot be: appends hold the lock
                lines.append(line)
                if len(lines) >= self.BATCH:
                    break
        refs = list(dict.fromkeys(line.decode().strip() for line in lines if line.strip()))
        return refs, sum(len(line) for line in lines)

    def consume(self, size: int) -> None:
        if size <= 0:
            return
        with self._locked("r+b") as fh:
            fh.seek(size)
            rest = fh.read()
            fh.seek(0)
            fh.write(rest)
            fh.truncate()

    def clear(self) -> None:
        if self.path.exists():
            with self._locked("r+b") as fh:
                fh.truncate(0)

    def size(self) -> int:
        return self.path.stat().st_size if self.path.exists() else 0
