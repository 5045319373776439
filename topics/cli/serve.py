"""``topics serve``: load a model once and answer tagging requests over HTTP."""

from __future__ import annotations

import argparse
from pathlib import Path

from .common import EXIT_USER_ERROR, _err, _extra, _load_model, _note


def cmd_serve(args: argparse.Namespace) -> int:
    serve = _extra(".serve", "serve", "the service needs FastAPI and uvicorn", "serve")
    model = _load_model(args)
    token = None
    if args.token_file:
        token = Path(args.token_file).expanduser().read_bytes().decode("utf-8", errors="replace").strip()
        if not token:
            _err(f"topics: error: the token file {args.token_file} is empty")
            return EXIT_USER_ERROR
    _note(
        args,
        f"Serving {model.manifest.get('name')}@{model.manifest.get('version')} on http://{args.host}:{args.port} (Ctrl-C stops)",
    )
    serve(
        model,
        host=args.host,
        port=args.port,
        token=token,
        max_connections=args.max_connections,
        workers=None if args.workers < 0 else args.workers,
    )
    return 0
