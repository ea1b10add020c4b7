"""Pausing the cyclic garbage collector around bulk work."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """Compiling and rendering allocate millions of small objects that live until the
    end and form no cycles; the cyclic collector rescans them again and again (a
    third of compile time, over half of render time on large builds) and can free
    none of them. Reference counting still frees everything as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
