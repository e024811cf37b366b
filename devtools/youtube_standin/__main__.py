"""``python -m devtools.youtube_standin``: run the YouTube stand-in in the foreground."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .server import make_server


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and serve until interrupted; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m devtools.youtube_standin")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--data-dir", type=Path, default=Path("var/youtube"))
    parser.add_argument("--quota-model", choices=["legacy", "buckets"], default="legacy")
    parser.add_argument("--faults", type=json.loads, default=None, help="fault config as JSON")
    parser.add_argument(
        "--processing-seconds",
        type=float,
        default=3.0,
        help="how long a new video stays 'processing'",
    )
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    server = make_server(
        host=args.host,
        port=args.port,
        data_dir=args.data_dir,
        quota_model=args.quota_model,
        faults=args.faults,
        processing_seconds=args.processing_seconds,
        verbose=args.verbose,
    )
    print(f"YouTube stand-in listening on {server.base_url} (data in {args.data_dir})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
