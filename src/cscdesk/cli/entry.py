"""The console script: click's ``main``, then an exit that a native runtime cannot spoil.

obstore (recordings on S3) runs its requests on Rust (tokio) threads. After a failed upload
such a thread can wake while the interpreter is finalizing and abort the whole process
(SIGABRT, "Fatal Python error: Aborted") — after the command has already printed its one-line
error, so cron sees 134 instead of the documented exit code. When obstore was loaded, the
command's result is final once streams and logs are flushed: leave without the teardown.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys

from cscdesk.cli.root import main


def run() -> None:
    try:
        main()
        code = 0
    except SystemExit as done:
        code = _exit_status(done.code)
    if "obstore" not in sys.modules:
        sys.exit(code)
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more to say
            stream.flush()
    os._exit(code)


def _exit_status(code: object) -> int:
    """What ``sys.exit(code)`` would make of ``code``: None is 0, a text is printed and is 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1
