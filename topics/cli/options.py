"""The options several ``topics`` commands share (model, corpus, output format, --quiet),
the checks of option values, and deprecated spellings of options."""

from __future__ import annotations

import argparse

from .common import _err

_ARTIFACTS_HELP = (
    "folder of saved models (default: $TOPICS_ARTIFACTS, else ./artifacts if it exists, else "
    "~/.local/share/topics/artifacts)"
)


class _Deprecated(argparse.Action):
    """An old spelling of an option: it still works, with a note saying the new one."""

    def __init__(self, option_strings, dest, new: str, type=None, **kwargs):
        super().__init__(option_strings, dest, **kwargs)
        self.new, self.convert = new, type

    def __call__(self, parser, namespace, values, option_string=None):
        if self.convert is not None:
            try:
                values = self.convert(values)
            except argparse.ArgumentTypeError as exc:
                parser.error(f"argument {option_string}: {exc}")
        if self.choices is not None and values not in self.choices:
            parser.error(
                f"argument {option_string}: invalid choice: {values!r} (choose from {', '.join(self.choices)})"
            )
        _err(f"topics: note: {option_string} is deprecated here; use {self.new}")
        setattr(namespace, self.dest, values)


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--quiet",
        "-q",
        action="store_true",
        help="no progress display and no notes on standard error (warnings and errors still show)",
    )


def _add_output_format(p: argparse.ArgumentParser, formats: tuple[str, ...], alias: str | None = None) -> None:
    """--output-format/-f, and --json or --csv as its shorthand."""
    p.add_argument(
        "--output-format",
        "-f",
        dest="output_format",
        default=formats[0],
        choices=formats,
        help=f"output format (default: {formats[0]})",
    )
    if alias:
        p.add_argument(
            f"--{alias}",
            dest="output_format",
            action="store_const",
            const=alias,
            help=f"the same as --output-format {alias}",
        )


def _add_model_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", "-m", default=None, help="model name, name@version or bundle folder (default: 'default')")
    _add_artifacts(p)
    _add_signing_args(p)
    p.add_argument(
        "--require-signature", action="store_true", help="refuse a model that is not signed with the signing key"
    )


def _add_artifacts(p: argparse.ArgumentParser) -> None:
    p.add_argument("--artifacts", default=None, help=_ARTIFACTS_HELP)


def _add_signing_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--signing-key-file",
        default=None,
        metavar="FILE",
        help="HMAC key to sign/verify bundles with (default: $TOPICS_SIGNING_KEY)",
    )


def _add_corpus_args(p: argparse.ArgumentParser, old_format_flag: bool = True) -> None:
    from ..corpus import FORMATS

    p.add_argument(
        "--input-format",
        dest="corpus_format",
        default="auto",
        choices=FORMATS,
        help="input format (default: guess from the path)",
    )
    if old_format_flag:  # its name before --input-format
        p.add_argument(
            "--format",
            dest="corpus_format",
            action=_Deprecated,
            new="--input-format",
            choices=FORMATS,
            help=argparse.SUPPRESS,
        )
    p.add_argument(
        "--text-field",
        help="JSONL field / CSV column holding the text (default: text, body, content, article, story...)",
    )
    p.add_argument("--id-field", help="JSONL field / CSV column holding the id (default: id, doc_id, guid...)")
    p.add_argument("--title-field", help="JSONL field / CSV column holding the title (default: title, headline...)")
    p.add_argument("--labels-field", help="JSONL field / CSV column holding labels (default: labels, label)")
    p.add_argument("--label-sep", default=";", help="separator of labels in a CSV cell (default: ;)")
    p.add_argument("--encoding", default="utf-8", help="text encoding of the input (default: utf-8)")
    p.add_argument(
        "--max-chars",
        type=_positive_int,
        default=1_000_000,
        metavar="N",
        help="cut longer texts to N characters, reported (default: 1,000,000)",
    )
    p.add_argument(
        "--on-error",
        choices=("skip", "fail"),
        default="skip",
        help="skip and count bad records (default), or stop at the first",
    )
    p.add_argument("--split", choices=("train", "test"), default=None, help="ModApte split of a Reuters-21578 corpus")
    p.add_argument(
        "--rejects",
        default=None,
        metavar="FILE",
        help="write each rejected record (file, line, reason) to FILE as JSON lines",
    )


# -- option values --------------------------------------------------------------------------
def _int(text: str) -> int | None:
    try:
        return int(text.replace(",", ""))  # 50,000 reads as 50000 (int() takes 50_000 itself)
    except ValueError:
        return None


def _positive_int(text: str) -> int:
    value = _int(text)
    if value is None or value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}")
    return value


def _jobs(text: str) -> int:
    value = _int(text)
    if value is None or value == 0 or value < -1:
        raise argparse.ArgumentTypeError(f"must be a number of processes, or -1 for all cores; got {text!r}")
    return value


def _topics_arg(text: str):
    """``--topics``: a positive K, ``auto`` or ``START:STOP[:STEP]``."""
    if text == "auto" or ":" in text:
        from ..quality import parse_k_range

        try:
            parse_k_range(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
        return text
    return _positive_int(text)


def _port(text: str) -> int:
    port = _int(text)
    if port is None or not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port number from 0 to 65535, got {text!r}")
    return port


def _output_format(text: str) -> str:
    from ..corpus import FORMATS

    if text in ("table", "jsonl"):
        return text
    if text in FORMATS:
        raise argparse.ArgumentTypeError(
            f"{text!r} is an input format: the output format is --output-format/-f "
            f"(table or jsonl); the input format is --input-format {text}"
        )
    raise argparse.ArgumentTypeError(f"must be table or jsonl, got {text!r}")
