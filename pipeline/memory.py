"""When Python's cyclic garbage collector runs while an output is written, and handing the
memory a large document used back to the system.

A 10,000-line plan's writers make hundreds of thousands of small objects that live until the
output is written (Jinja's rows, the Word tree's elements, xlsxwriter's cell store). Each of
the collector's automatic full passes walks every object the process holds, the plan's
included, and finds nothing to free: at 10,000 lines they were about 0.5 s of a build. So a
writer runs with the collector paused (:func:`collector_paused`) and frees what it made
itself: the Word document by one collection of the objects made since it started
(:func:`release_memory`), the summary's workbook by reference counting once its cycle is
broken (:mod:`pipeline.render_xlsx`).
"""

from __future__ import annotations

import contextlib
import gc
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the cyclic garbage collector off; on again afterwards (if it was)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def release_memory() -> None:
    """Free the cycles made since the last collection and hand freed memory back to the system.

    Called with the collector paused since the document was made, every object the writer
    made is still in the youngest generation: collecting that generation alone frees the
    document without walking everything older (the plan, the modules).

    libxml2 allocates a tree's nodes with the C allocator; glibc keeps the freed space for
    the process, and Python's own allocator never reuses it. Without this, a 10,000-line
    plan's Word tree (about 150 MB) stays in the process while the summary is built on top.
    The hand-back is a no-op where the C library has no ``malloc_trim`` (Windows, macOS, musl).
    """
    gc.collect(0)  # the document's parts and package refer to each other
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        trim = ctypes.CDLL(None).malloc_trim  # the C library the interpreter runs on
    except (OSError, AttributeError):  # not glibc
        return
    trim(0)
