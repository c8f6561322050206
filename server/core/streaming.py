"""A streamed response's body that says when its sending has ended, and how."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

logger = logging.getLogger("imaging_desk.api")


class WatchedStream:
    """The response's pieces; once they have all been sent, or the sending stopped
    (the client went away, a write failed, the server closed the response before the
    end), on_end(complete) runs, exactly once."""

    def __init__(self, pieces: Iterable[bytes], on_end: Callable[[bool], None]) -> None:
        self.pieces, self.on_end, self.ended = iter(pieces), on_end, False

    def __iter__(self):
        return self

    def __next__(self) -> bytes:
        try:
            return next(self.pieces)
        except StopIteration:
            self._end(complete=True)
            raise
        except BaseException:
            self._end(complete=False)
            raise

    def _end(self, *, complete: bool) -> None:
        if not self.ended:
            self.ended = True
            try:
                self.on_end(complete)
            except Exception:  # the body is sent already: say it in the log, not to the client
                logger.exception("after a streamed response")

    def close(self) -> None:
        """Called by the server (through the response) when it is done with the body."""
        try:
            close = getattr(self.pieces, "close", None)
            if close is not None:
                close()
        finally:
            self._end(complete=False)
