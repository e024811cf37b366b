"""Rasterise one checked SVG in a child process under CPU and memory limits.

Run as ``python -I svg_child.py CPU_SECONDS MEMORY_BYTES`` with the SVG on stdin; the PNG
comes back on stdout. The limits are set on this process before anything is parsed, so a
document that is costly to draw is killed by the kernel (SIGXCPU, or a MemoryError) instead
of holding a web worker. It imports nothing from the project and nothing from Django.

Exit codes: 0 rendered, 2 cairosvg refused the document; anything else is a limit.
"""

from __future__ import annotations

import resource
import sys


def main() -> int:
    seconds, memory = int(sys.argv[1]), int(sys.argv[2])
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    data = sys.stdin.buffer.read()
    import cairosvg

    try:
        # unsafe=False: cairosvg refuses entities and fetches nothing but data: URLs itself.
        png = cairosvg.svg2png(bytestring=data, unsafe=False)
    except MemoryError:
        return 3
    except Exception as exc:  # noqa: BLE001 - any refusal of the document is reported as one
        sys.stderr.write(f"{type(exc).__name__}: {exc}\n")
        return 2
    sys.stdout.buffer.write(png)
    return 0


if __name__ == "__main__":
    sys.exit(main())
