"""Bounded decompression of HTTP bodies (Content-Encoding gzip, x-gzip, deflate, br, and stacks of them).

httpx's own decoders inflate a whole network chunk at once, so one 64 KB chunk of a gzip bomb becomes 64 MB
before any size check can run. A decoder here never returns more than about `step` bytes per piece (zlib's
`max_length`, brotli's `output_buffer_limit`), so the caller, which counts the pieces against its cap, holds
at most cap + one piece in memory whatever the compression ratio.

Rules: `identity` and unknown tokens pass bytes through unchanged (as httpx does); `compress`/`zstd`, more
than `MAX_LAYERS` stacked encodings, invalid or truncated compressed data, and `br` with a brotli library that
cannot bound its output (< 1.2) raise `DecodeError`. gzip bodies of several members are decoded member by
member. deflate is zlib-wrapped per RFC 9110, with the raw-deflate fallback that servers need in practice.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Sequence
from typing import Any, Protocol

try:
    import brotli as _brotli_mod  # type: ignore[import-untyped]  # no stubs

    _brotli: Any = _brotli_mod
except ImportError:  # pragma: no cover - brotli is a dependency
    _brotli = None

STEP = 64 * 1024
MAX_LAYERS = 3
_UNSUPPORTED = frozenset({"compress", "x-compress", "zstd"})
_STALL_LIMIT = 64  # calls without output while brotli refuses input: a broken stream, not a slow one


def _brotli_is_bounded() -> bool:
    if _brotli is None:
        return False
    try:
        _brotli.Decompressor().process(b"", output_buffer_limit=1)
    except TypeError:  # brotli < 1.2 (or brotlicffi): no output limit
        return False
    return True


BROTLI_BOUNDED = _brotli_is_bounded()
#: What we may ask for: only encodings we can decode with bounded memory.
ACCEPT_ENCODING = "gzip, deflate, br" if BROTLI_BOUNDED else "gzip, deflate"


class DecodeError(Exception):
    """The body is not valid in its declared content-encoding (or uses one we refuse)."""


class Decoder(Protocol):
    def feed(self, data: bytes) -> Iterator[bytes]: ...

    def flush(self) -> Iterator[bytes]: ...


class _Identity:
    def feed(self, data: bytes) -> Iterator[bytes]:
        if data:
            yield data

    def flush(self) -> Iterator[bytes]:
        return iter(())


class _Zlib:
    """gzip (`gzip=True`, every member) or deflate (zlib-wrapped, else raw)."""

    def __init__(self, *, gzip: bool, step: int) -> None:
        self.gzip = gzip
        self.step = step
        self._wbits = 16 + zlib.MAX_WBITS if gzip else zlib.MAX_WBITS
        self._z = zlib.decompressobj(self._wbits)
        self._fresh = True  # nothing decoded yet: deflate may still switch to raw

    def feed(self, data: bytes) -> Iterator[bytes]:
        while data:
            try:
                out = self._z.decompress(data, self.step)
            except zlib.error as exc:
                if not self.gzip and self._fresh and self._wbits > 0:
                    self._wbits = -zlib.MAX_WBITS
                    self._z = zlib.decompressobj(self._wbits)
                    continue
                raise DecodeError(f"invalid {'gzip' if self.gzip else 'deflate'} data ({exc})") from None
            self._fresh = False
            if out:
                yield out
            data = self._z.unconsumed_tail
            if self._z.eof:
                rest = self._z.unused_data
                if self.gzip and rest.strip(b"\0"):  # another gzip member follows
                    self._z = zlib.decompressobj(self._wbits)
                    data = rest
                else:
                    data = b""  # padding after the end of the stream is ignored

    def flush(self) -> Iterator[bytes]:
        if not self._fresh and not self._z.eof:  # (an empty body is fine)
            raise DecodeError(f"the {'gzip' if self.gzip else 'deflate'} body ends before its end marker "
                              f"(truncated)")
        return iter(())


class _Brotli:
    def __init__(self, *, step: int) -> None:
        self.step = step
        self._d = _brotli.Decompressor()
        self._fresh = True

    def feed(self, data: bytes) -> Iterator[bytes]:
        if not data:
            return
        self._fresh = False
        stalled = 0
        while not self._d.can_accept_more_data():  # only possible after a stall: drain first
            stalled += 1
            if stalled > _STALL_LIMIT:
                raise DecodeError("brotli decoder stopped making progress")
            yield from self._drain()
        try:
            out = self._d.process(data, output_buffer_limit=self.step)
        except _brotli.error as exc:
            raise DecodeError(f"invalid brotli data ({exc})") from None
        if out:
            yield out
        yield from self._drain()

    def _drain(self) -> Iterator[bytes]:
        """Pull what the decoder still holds (it keeps its own input), one bounded piece at a time."""
        while not self._d.is_finished():
            try:
                out = self._d.process(b"", output_buffer_limit=self.step)
            except _brotli.error as exc:
                raise DecodeError(f"invalid brotli data ({exc})") from None
            if not out:
                return
            yield out

    def flush(self) -> Iterator[bytes]:
        if not self._fresh and not self._d.is_finished():
            raise DecodeError("the brotli body ends before its end marker (truncated)")
        return iter(())


class _Chain:
    """Stacked encodings, decoded in order (the last one applied first)."""

    def __init__(self, decoders: Sequence[Decoder]) -> None:
        self.decoders = list(decoders)

    def _through(self, i: int, data: bytes) -> Iterator[bytes]:
        if i == len(self.decoders):
            yield data
            return
        for piece in self.decoders[i].feed(data):
            yield from self._through(i + 1, piece)

    def feed(self, data: bytes) -> Iterator[bytes]:
        return self._through(0, data)

    def flush(self) -> Iterator[bytes]:
        for i, dec in enumerate(self.decoders):
            for piece in dec.flush():
                yield from self._through(i + 1, piece)


def make_decoder(content_encoding: str | None, *, step: int = STEP) -> Decoder:
    """A bounded decoder for a Content-Encoding header value; DecodeError for what we refuse."""
    names = [n.strip().lower() for n in (content_encoding or "").split(",")]
    names = [n for n in names if n and n != "identity"]
    if len(names) > MAX_LAYERS:
        raise DecodeError(f"{len(names)} stacked content-encodings (at most {MAX_LAYERS} are accepted)")
    layers: list[Decoder] = []
    for name in reversed(names):
        if name in ("gzip", "x-gzip"):
            layers.append(_Zlib(gzip=True, step=step))
        elif name == "deflate":
            layers.append(_Zlib(gzip=False, step=step))
        elif name == "br":
            if not BROTLI_BOUNDED:
                raise DecodeError("brotli body, but the installed brotli cannot bound its output (needs >= 1.2)")
            layers.append(_Brotli(step=step))
        elif name in _UNSUPPORTED:
            raise DecodeError(f"unsupported content-encoding {name!r}")
    if not layers:
        return _Identity()
    return layers[0] if len(layers) == 1 else _Chain(layers)
