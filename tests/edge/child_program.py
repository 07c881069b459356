"""A stand-in child for tests/edge/test_child.py: ``echo CODE`` copies stdin to
stderr and exits with CODE; ``hang`` never ends on its own."""

from __future__ import annotations

import sys
import threading

if __name__ == "__main__":
    if sys.argv[1] == "echo":
        sys.stderr.write(sys.stdin.read())
        sys.exit(int(sys.argv[2]))
    threading.Event().wait()
