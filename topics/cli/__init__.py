"""The ``topics`` command: argument parsing and printing only; the work is done by the library.

- :mod:`.parser`: the commands and their options (``build_parser``);
- :mod:`.common`: messages, exit codes, opening the model and the corpus, table layout;
- one module per group of commands: :mod:`.train` (train, update), :mod:`.tag`,
  :mod:`.evaluate`, :mod:`.inspect_cmds` (topics, info, models, trends, report), :mod:`.serve`.

Each ``cmd_*`` reads its arguments, calls the library and prints the result.
"""

from __future__ import annotations

import os
import signal
import sys
import warnings

from . import common
from .common import EXIT_USER_ERROR, WIDTH, _clip, _err, _rejects, _warn, _wrapped
from .evaluate import cmd_evaluate
from .inspect_cmds import cmd_info, cmd_models_list, cmd_models_rm, cmd_report, cmd_topics, cmd_trends
from .parser import build_parser
from .serve import cmd_serve
from .tag import cmd_tag
from .train import cmd_train, cmd_update

__all__ = [
    "EXIT_USER_ERROR",
    "WIDTH",
    "build_parser",
    "main",
    "run",
    "cmd_evaluate",
    "cmd_info",
    "cmd_models_list",
    "cmd_models_rm",
    "cmd_report",
    "cmd_serve",
    "cmd_tag",
    "cmd_topics",
    "cmd_train",
    "cmd_trends",
    "cmd_update",
    "_clip",
    "_wrapped",
]


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``topics`` console script."""
    from ..bundle import BundleError
    from ..corpus import CorpusError
    from ..taxonomy import TaxonomyError

    args = build_parser().parse_args(argv)
    shown = warnings.showwarning
    try:
        # A warning is one line on standard error, like an error.
        warnings.showwarning = lambda message, *_, **__: _warn(str(message))
        # --rejects FILE stays open for the whole command, for every corpus it reads.
        with _rejects(getattr(args, "rejects", None)) as on_reject:
            args.on_reject = on_reject
            return args.func(args)
    except (BundleError, CorpusError, TaxonomyError, ImportError) as exc:  # ImportError: an extra is not installed
        _err(f"topics: error: {exc}")
    except BrokenPipeError:  # `topics tag … | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:  # unreadable paths, full disks: say which file
        _err(f"topics: error: {exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else ""))
    except KeyboardInterrupt:
        _err("topics: interrupted (saved models are unchanged)")
        return 130
    finally:
        warnings.showwarning = shown
        common._PROGRESS = None  # the next command (tests call main() again) starts without a display
    return EXIT_USER_ERROR


def run() -> None:
    """The ``topics`` command (console script and ``python -m topics``): :func:`main`, and its
    exit status. After Ctrl-C, a second SIGINT no longer matters: the interpreter shuts down
    with it ignored, so the status is 130 (finalizing restores SIGINT's default action, and
    a SIGINT then ended about 1 run in 25 by the signal itself on a loaded machine)."""
    code = main()
    if code == 130:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.exit(code)
