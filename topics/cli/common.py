"""What every command shares: messages on standard error, exit codes, opening the model and
the corpus, reporting skipped records, and the text layout of tables."""

from __future__ import annotations

import argparse
import json
import os
import sys
from contextlib import contextmanager

EXIT_USER_ERROR = 2
_PROGRESS = None  # the running command's Progress: messages go through it so they do not garble a live line


def _err(message: str) -> None:
    if _PROGRESS is not None and _PROGRESS.enabled:
        _PROGRESS.write(message)
    else:
        print(message, file=sys.stderr, flush=True)


def _warn(message: str) -> None:
    """One ``topics: warning: ...`` line on standard error, as every warning is printed."""
    _err(f"topics: warning: {message}")


def _note(args: argparse.Namespace, message: str) -> None:
    """A line about what the command does (standard error; not with --quiet)."""
    if not getattr(args, "quiet", False):
        _err(message)


def _progress(args: argparse.Namespace, enabled: bool = True):
    """The command's progress display on standard error: on a terminal, unless --quiet."""
    global _PROGRESS
    from ..progress import Progress

    _PROGRESS = Progress(
        enabled=enabled and not args.quiet and sys.stderr.isatty() and os.environ.get("TERM") != "dumb"
    )
    return _PROGRESS


def _signing_key(args: argparse.Namespace) -> bytes | None:
    from ..bundle import read_key_file

    path = getattr(args, "signing_key_file", None)
    return read_key_file(path) if path else None  # None: the library falls back to the environment


def _load_model(args: argparse.Namespace):
    """The model named by --model, verified (and its signature checked) before unpickling."""
    from ..model import load

    return load(
        args.model, args.artifacts, key=_signing_key(args), require_signature=getattr(args, "require_signature", False)
    )


def _corpus_options(args: argparse.Namespace) -> dict:
    return {
        "text_field": args.text_field,
        "id_field": args.id_field,
        "title_field": args.title_field,
        "labels_field": args.labels_field,
        "label_sep": args.label_sep,
        "encoding": args.encoding,
        "max_chars": args.max_chars,
        "on_error": args.on_error,
        "split": args.split,
        "on_reject": getattr(args, "on_reject", None),  # --rejects, opened by main()
    }


def _open_corpus(args: argparse.Namespace, **options):
    """The corpus of --corpus, read with the command's corpus options."""
    from ..corpus import Corpus

    return Corpus(args.corpus, args.corpus_format, **_corpus_options(args), **options)


def _report_skips(corpus) -> None:
    report = getattr(corpus, "report", None)
    # Repaired records (bad bytes replaced) are worth a word too, and so is reading nothing.
    if report is not None and (report.n_skipped or report.problems or not report.n_read):
        _warn(report.summary())
        for problem in report.problems[:5]:
            _err(f"  {problem}")
        if len(report.problems) > 5:
            _err(f"  … ({'--rejects FILE lists every skipped record' if report.n_skipped else 'and more'})")


@contextmanager
def _rejects(path: str | None):
    """A callback writing each rejected record to ``path`` as a JSON line (None without a path).

    Written as records are met, not atomically: after a failed run the file still says why.
    """
    if path is None:
        yield None
        return
    count = 0
    with open(path, "w", encoding="utf-8") as f:

        def write(reject: dict) -> None:
            nonlocal count
            count += 1
            f.write(json.dumps(reject, ensure_ascii=False) + "\n")

        yield write
    _err(f"{count:,} rejected record{'' if count == 1 else 's'} → {path}")


@contextmanager
def _output(path: str | None):
    """Standard output, or a file written atomically (complete or not at all)."""
    if path is None:
        yield sys.stdout
        return
    from ..fsutil import atomic_open

    with atomic_open(path) as f:
        yield f


WIDTH = 100  # columns the tables fit in


def _wrapped(label: str, text: str, indent: int = 14, max_lines: int | None = None, more: str = "") -> str:
    """``label`` and ``text`` (a comma-separated list) wrapped to :data:`WIDTH` columns; past
    ``max_lines`` lines the rest is summarised as "… and N more" (``more`` says where to see them)."""
    import textwrap

    lines = textwrap.wrap(text, WIDTH - indent, break_long_words=False, break_on_hyphens=False) or [""]
    if max_lines is not None and len(lines) > max_lines:
        lines = lines[: max_lines - 1]
        kept = " ".join(lines)
        left = text.count(",") + 1 - kept.count(",")  # the items not shown (the last one has no comma)
        lines.append(f"… and {left:,} more{more}")
    head = f"{label:<{indent}}" if len(label) < indent else label + " "
    return "\n".join((head if i == 0 else " " * indent) + line for i, line in enumerate(lines))


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip(" ,") + "…"


def _print_sweep(sweep: dict) -> None:
    print("  K     NPMI  diversity  seconds")
    for r in sweep["rows"]:
        print(
            f"  {r['k']:<4} {r['npmi']:6.3f}  {r['diversity']:9.2f}  {r['seconds']:7.1f}{'  <- chosen' if r['chosen'] else ''}"
        )
    print(f"  chosen: {sweep['reason']}")


def _print_signature(path) -> None:
    from ..bundle import SIGNATURE

    print(
        f"  signature   {'HMAC-SHA256 with the signing key' if (path / SIGNATURE).is_file() else 'none (no signing key)'}"
    )


def _extra(module: str, name: str, needs: str, extra: str):
    """``name`` from an optional part of the toolkit, or an ImportError saying what to install."""
    import importlib

    try:
        return getattr(importlib.import_module(module, "topics"), name)
    except ImportError as exc:
        from ..extras import install_hint

        if "pip install" in str(exc):  # already says what to install
            raise
        raise ImportError(f"{needs} ({exc}): {install_hint(extra)}") from None
