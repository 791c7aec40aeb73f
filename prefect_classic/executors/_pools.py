"""Pool helpers of `LocalDaskExecutor`: interrupting its threads, stopping its processes."""

import threading
from concurrent.futures import ThreadPoolExecutor


def _exit_on_sigterm() -> None:
    """Process-pool initializer: SIGTERM exits normally (atexit handlers and `finally` run)."""
    import signal
    import sys

    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit())


def _interrupt_threads(pool: ThreadPoolExecutor) -> int:
    """Raise KeyboardInterrupt in the threads of `pool` (CPython only; a thread blocked in C code
    sees it when it returns to Python). Returns how many threads were signalled."""
    import ctypes
    import platform

    if platform.python_implementation() != "CPython":
        return 0
    # the pool's own record, and its threads by name: a thread that has just started may not be
    # recorded yet when the interrupt arrives
    prefix = f"{getattr(pool, '_thread_name_prefix', None)}_"
    threads = set(getattr(pool, "_threads", ())) | {
        t for t in threading.enumerate() if t.name.startswith(prefix)
    }
    for thread in threads:
        if thread.ident is not None:
            ctypes.pythonapi.PyThreadState_SetAsyncExc(
                ctypes.c_ulong(thread.ident), ctypes.py_object(KeyboardInterrupt)
            )
    return len(threads)
