"""The serving process ``myframework local`` starts (and restarts on changes).

``python -m myframework.local.child OPTIONS_JSON``, with the listening socket's
file descriptor in ``$MYFRAMEWORK_LOCAL_FD``; exits with ``RESTART_CODE`` when a
watched file changed.
"""
from __future__ import annotations

import json
import os
import socket
import sys

from .runner import FD_ENV, LocalError, LocalOptions, serve


def main(argv: list[str]) -> int:
    options = LocalOptions(**json.loads(argv[0]))
    sock = socket.socket(fileno=int(os.environ[FD_ENV]))
    try:
        return serve(options, sock, supervised=True)
    except LocalError as exc:
        print("Error: %s" % exc, file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
