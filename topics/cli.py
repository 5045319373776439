"""The ``topics`` command: argument parsing and printing only; the work is done by the library."""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from contextlib import contextmanager
from pathlib import Path

from . import __version__

EXIT_USER_ERROR = 2
OVERLAP_WARNING = 0.05  # share of evaluated articles seen in training from which figures are flagged
_ARTIFACTS_HELP = ("folder of saved models (default: $TOPICS_ARTIFACTS, else ./artifacts if it exists, else "
                   "~/.local/share/topics/artifacts)")
_PROGRESS = None  # the running command's Progress: messages go through it so they do not garble a live line


def _err(message: str) -> None:
    if _PROGRESS is not None and _PROGRESS.enabled:
        _PROGRESS.write(message)
    else:
        print(message, file=sys.stderr, flush=True)


def _note(args: argparse.Namespace, message: str) -> None:
    """A line about what the command does (standard error; not with --quiet)."""
    if not getattr(args, "quiet", False):
        _err(message)


def _progress(args: argparse.Namespace, enabled: bool = True):
    """The command's progress display on standard error: on a terminal, unless --quiet."""
    global _PROGRESS
    from .progress import Progress

    _PROGRESS = Progress(enabled=enabled and not args.quiet and sys.stderr.isatty() and os.environ.get("TERM") != "dumb")
    return _PROGRESS


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
            parser.error(f"argument {option_string}: invalid choice: {values!r} (choose from {', '.join(self.choices)})")
        _err(f"topics: note: {option_string} is deprecated here; use {self.new}")
        setattr(namespace, self.dest, values)


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--quiet", "-q", action="store_true", help="no progress display and no notes on standard "
                   "error (warnings and errors still show)")


def _add_output_format(p: argparse.ArgumentParser, formats: tuple[str, ...], alias: str | None = None) -> None:
    """--output-format/-f, and --json or --csv as its shorthand."""
    p.add_argument("--output-format", "-f", dest="output_format", default=formats[0], choices=formats,
                   help=f"output format (default: {formats[0]})")
    if alias:
        p.add_argument(f"--{alias}", dest="output_format", action="store_const", const=alias,
                       help=f"the same as --output-format {alias}")


def _add_model_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", "-m", default=None, help="model name, name@version or bundle folder (default: 'default')")
    p.add_argument("--artifacts", default=None, help=_ARTIFACTS_HELP)
    _add_signing_args(p)
    p.add_argument("--require-signature", action="store_true",
                   help="refuse a model that is not signed with the signing key")


def _add_signing_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--signing-key-file", default=None, metavar="FILE",
                   help="HMAC key to sign/verify bundles with (default: $TOPICS_SIGNING_KEY)")


def _signing_key(args: argparse.Namespace) -> bytes | None:
    from .bundle import read_key_file

    path = getattr(args, "signing_key_file", None)
    return read_key_file(path) if path else None  # None: the library falls back to the environment


def _load_model(args: argparse.Namespace):
    """The model named by --model, verified (and its signature checked) before unpickling."""
    from .model import load

    return load(args.model, args.artifacts, key=_signing_key(args),
                require_signature=getattr(args, "require_signature", False))


def _add_corpus_args(p: argparse.ArgumentParser, old_format_flag: bool = True) -> None:
    from .corpus import FORMATS

    p.add_argument("--input-format", dest="corpus_format", default="auto", choices=FORMATS,
                   help="input format (default: guess from the path)")
    if old_format_flag:  # its name before --input-format
        p.add_argument("--format", dest="corpus_format", action=_Deprecated, new="--input-format", choices=FORMATS,
                       help=argparse.SUPPRESS)
    p.add_argument("--text-field", default="text", help="JSONL field / CSV column holding the text (default: text)")
    p.add_argument("--id-field", default="id", help="JSONL field / CSV column holding the id (default: id)")
    p.add_argument("--title-field", default="title", help="JSONL field / CSV column holding the title (default: title)")
    p.add_argument("--labels-field", default="labels", help="JSONL field / CSV column holding labels (default: labels)")
    p.add_argument("--label-sep", default=";", help="separator of labels in a CSV cell (default: ;)")
    p.add_argument("--encoding", default="utf-8", help="text encoding of the input (default: utf-8)")
    p.add_argument("--max-chars", type=_positive_int, default=1_000_000, metavar="N",
                   help="cut longer texts to N characters, reported (default: 1,000,000)")
    p.add_argument("--on-error", choices=("skip", "fail"), default="skip", help="skip and count bad records (default), or stop at the first")
    p.add_argument("--split", choices=("train", "test"), default=None, help="ModApte split of a Reuters-21578 corpus")
    p.add_argument("--rejects", default=None, metavar="FILE",
                   help="write each rejected record (file, line, reason) to FILE as JSON lines")


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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="topics",
        description="Find topics (LDA) and tag themes in news articles.",
        epilog="Run `topics COMMAND --help` for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"topics {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("train", help="train a model bundle from a corpus", description="Train a model bundle: "
                       "phrases, LDA topics and a theme classifier (supervised when the corpus has labels, "
                       "otherwise from the taxonomy's seed terms).")
    p.add_argument("--corpus", "-c", default=None, help="file, folder or - for standard input (default: the bundled news corpus)")
    _add_corpus_args(p)
    p.add_argument("--taxonomy", default=None, help="theme taxonomy TOML file (default: the shipped taxonomy)")
    p.add_argument("--topics", "-k", type=_topics_arg, default=None, metavar="K", help="number of topics; 'auto' or a range "
                   "START:STOP[:STEP] trains one model per K and keeps the most coherent (default: from corpus size)")
    p.add_argument("--sweep-plot", default=None, metavar="PNG", help="with --topics auto or a range: draw the sweep (needs the inspect extra)")
    p.add_argument("--name", "-n", default="default", help="bundle name (default: default)")
    p.add_argument("--artifacts", default=None, help=_ARTIFACTS_HELP)
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    p.add_argument("--cv", type=_positive_int, default=None, metavar="K", help="also print K-fold cross-validated "
                   "theme figures on the training corpus (labelled corpora)")
    p.add_argument("--labels", default=None, metavar="FILE", dest="examples", help="a few labelled articles (JSONL: "
                   "id, text, labels naming themes of the taxonomy) that sharpen themes learned without corpus labels; "
                   "5-25 per theme help")
    p.add_argument("--all-labels", action="store_true", help="Reuters-21578 with --split: train on every topic of the "
                   "split, not only the 90 that occur in both ModApte splits")
    p.add_argument("--dask", default=None, metavar="ADDRESS", help="fit the classifier's per-theme models and "
                   "cross-validation on a Dask cluster: a scheduler address, or 'local'")
    p.add_argument("--out-of-core-above", type=_positive_int, default=None, metavar="N", help="with more labelled "
                   "articles than N, learn the theme models out of core (SGD over blocks read from disk), so memory "
                   "stays flat (default: 50000)")
    p.add_argument("--jobs", "-j", type=_jobs, default=None, metavar="N", help="processes fitting the theme "
                   "classifier's SVMs (-1: all cores, the default; each costs ~100 MB more; same model for any N)")
    _add_signing_args(p)
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("tag", help="tag articles with themes and topics", description="Tag articles: themes with "
                       "scores and evidence terms, and each article's main topics.")
    p.add_argument("path", nargs="+", help="article files, folders or corpus files (several, or a quoted glob such "
                   "as 'archive/*.jsonl'), or - for standard input")
    _add_model_args(p)
    _add_corpus_args(p, old_format_flag=False)
    p.add_argument("--output-format", "-f", dest="output_format", type=_output_format, default="table",
                   metavar="{table,jsonl}", help="output format (default: table); the input format is --input-format")
    p.add_argument("--format", dest="output_format", action=_Deprecated, type=_output_format, new="--output-format/-f",
                   help=argparse.SUPPRESS)
    p.add_argument("--top", type=_positive_int, default=3, metavar="N", help="topics shown per article (default: 3)")
    p.add_argument("--explain", action="store_true", help="table: show the evidence terms of each theme")
    p.add_argument("--output", "-o", default=None, help="write to this file (atomically) instead of standard output; "
                   "a folder (ending in /, or existing) gets the parts as part-00000.jsonl... and a manifest.json")
    p.add_argument("--jobs", "-j", type=_jobs, default=1, metavar="N", help="tag in N processes, each reading, tagging and "
                   "writing its own parts of the files (-1: all cores; default: 1); same output for any N")
    p.add_argument("--dask", default=None, metavar="ADDRESS", help="tag on a Dask cluster: a scheduler address, or 'local'; "
                   "its workers read the input and write the parts, so they must reach these paths")
    p.add_argument("--batch-size", type=_positive_int, default=512, metavar="N", help="articles per batch (default: 512)")
    p.set_defaults(func=cmd_tag)

    p = sub.add_parser("update", help="fold new articles into a model's topics", description="Update a model's "
                       "topics with new articles (online LDA, no retraining) and save a new version of the bundle.")
    _add_model_args(p)
    p.add_argument("--corpus", "-c", required=True, help="file or folder of new articles, or - for standard input")
    _add_corpus_args(p)
    p.add_argument("--name", "-n", default=None, help="save under this name (default: the model's name)")
    p.set_defaults(func=cmd_update)

    p = sub.add_parser("evaluate", help="measure a model", description="Measure a model. By default its themes "
                       "against the labels of --corpus: micro/macro precision, recall, F1 and per-theme figures (labels "
                       "the model does not know count as misses). --topics: topic coherence (NPMI, c_v), diversity "
                       "and, with --corpus, held-out perplexity on that corpus.")
    _add_model_args(p)
    p.add_argument("--topics", dest="eval_topics", action="store_true", help="evaluate the topic model")
    p.add_argument("--corpus", "-c", default=None, help="measure on this corpus (default: the figures recorded at training)")
    _add_corpus_args(p)
    _add_output_format(p, ("table", "json"), "json")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("trends", help="topic and theme shares over time", description="Share of each topic and theme "
                       "per day, week, month or year of a dated corpus (articles without a date are left out).")
    _add_model_args(p)
    p.add_argument("--corpus", "-c", required=True, help="dated articles: a JSONL/CSV file with a date field, or .txt files with a date header")
    _add_corpus_args(p)
    p.add_argument("--by", choices=("day", "week", "month", "year"), default="month", help="period (default: month)")
    _add_output_format(p, ("table", "csv"), "csv")  # csv: period,kind,id,label,share,articles
    p.add_argument("--top", type=_positive_int, default=3, metavar="N", help="table: topics and themes shown per period (default: 3)")
    p.set_defaults(func=cmd_trends)

    p = sub.add_parser("topics", help="list a model's topics", description="List a model's topics with their top words and sizes.")
    _add_model_args(p)
    p.add_argument("--words", type=_positive_int, default=10, metavar="N", help="words per topic (default: 10)")
    _add_output_format(p, ("table", "json"), "json")  # json: with each topic's label, theme and coherence
    p.set_defaults(func=cmd_topics)

    p = sub.add_parser("serve", help="serve tagging over HTTP", description="Load a model once and answer "
                       "POST /tag, GET /health, GET /topics and GET /model (needs the serve extra).")
    _add_model_args(p)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=_port, default=8000, help="port (default: 8000)")
    p.add_argument("--token-file", default=None, metavar="FILE", help="require 'Authorization: Bearer TOKEN' "
                   "with the token in FILE on every endpoint but /health (default: $TOPICS_SERVE_TOKEN; none: open)")
    p.add_argument("--max-connections", type=_positive_int, default=64, metavar="N",
                   help="concurrent connections served; more get 503 (default: 64)")
    p.add_argument("--workers", "-j", type=_jobs, default=-1, metavar="N",
                   help="tagging processes, each with the model loaded once (-1: one per core, the default)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("report", help="write an HTML report of a model's topics and themes", description="Write one "
                       "self-contained HTML page (figures embedded, opens offline) with the model's topics, their words "
                       "and sizes, an inter-topic map and, with --corpus, theme counts, topic mixes, trends and "
                       "(labelled corpora) per-theme precision and recall. Needs the inspect extra.")
    _add_model_args(p)
    p.add_argument("--corpus", "-c", default=None, help="articles to describe with the model (file or folder)")
    _add_corpus_args(p)
    p.add_argument("--limit", type=_positive_int, default=None, metavar="N", help="read at most N articles of the corpus")
    p.add_argument("--words", type=_positive_int, default=10, metavar="N", help="words per topic (default: 10)")
    p.add_argument("--out", "-o", default="report.html", help="HTML file to write, atomically (default: report.html)")
    p.add_argument("--by", choices=("day", "week", "month", "year"), default=None, help="trends of a dated corpus per "
                   "day, week, month or year (default: chosen so that periods hold enough articles to compare)")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("info", help="show a model's manifest", description="Show a model's manifest in readable form.")
    _add_model_args(p)
    _add_output_format(p, ("table", "json"), "json")
    p.set_defaults(func=cmd_info)

    p = sub.add_parser("models", help="list, inspect and remove saved models", description="The saved models "
                       "and their versions (reads manifests only: nothing is unpickled).")
    models = p.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    q = models.add_parser("list", help="every model and version", description="List every saved model version.")
    q.add_argument("name", nargs="?", default=None, help="only this model")
    q.add_argument("--artifacts", default=None, help=_ARTIFACTS_HELP)
    _add_output_format(q, ("table", "json"), "json")
    q.set_defaults(func=cmd_models_list)
    q = models.add_parser("info", help="one version's manifest", description="Show a model version's manifest "
                          "after checking its files (and signature, with a key).")
    q.add_argument("model", metavar="NAME[@VERSION]", help="model name (its latest version) or name@version")
    q.add_argument("--artifacts", default=None, help=_ARTIFACTS_HELP)
    _add_signing_args(q)
    q.add_argument("--require-signature", action="store_true", help="fail unless it is signed with the signing key")
    _add_output_format(q, ("table", "json"), "json")
    q.set_defaults(func=cmd_info)
    q = models.add_parser("rm", help="remove a version", description="Remove a model version. The latest version "
                          "is only removed with --force, and the newest remaining one becomes latest.")
    q.add_argument("model", metavar="NAME@VERSION", help="the version to remove")
    q.add_argument("--artifacts", default=None, help=_ARTIFACTS_HELP)
    q.add_argument("--force", action="store_true", help="allow removing the latest version")
    q.set_defaults(func=cmd_models_rm)
    for command in [*(c for n, c in sub.choices.items() if n != "models"), *models.choices.values()]:
        _add_common(command)
    return parser


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


# -- commands -------------------------------------------------------------------------------
def _topics_arg(text: str):
    """``--topics``: a positive K, ``auto`` or ``START:STOP[:STEP]``."""
    if text == "auto" or ":" in text:
        from .quality import parse_k_range

        try:
            parse_k_range(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
        return text
    return _positive_int(text)


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
        print(f"  {r['k']:<4} {r['npmi']:6.3f}  {r['diversity']:9.2f}  {r['seconds']:7.1f}{'  <- chosen' if r['chosen'] else ''}")
    print(f"  chosen: {sweep['reason']}")


@contextmanager
def _dask_backend(address: str | None):
    """joblib's Dask backend for the block (the classifier's parallel fits run on the cluster)."""
    if address is None:
        yield
        return
    from . import distributed

    with distributed.dask_client(address) as client, distributed.joblib_backend(client):
        yield


def _port(text: str) -> int:
    port = _int(text)
    if port is None or not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port number from 0 to 65535, got {text!r}")
    return port


def cmd_train(args: argparse.Namespace) -> int:
    from .bundle import check_name
    from .corpus import Corpus, default_corpus
    from .training import STAGES, train

    check_name(args.name)  # before the work, not after it

    corpus = default_corpus() if args.corpus is None else Corpus(args.corpus, args.corpus_format, **_corpus_options(args))
    corpus.on_reject = getattr(args, "on_reject", None)  # the default corpus too
    labels = None
    if args.corpus is not None and corpus.format == "reuters21578" and args.split and not args.all_labels:
        # The usual ModApte setting: the 90 topics that occur in both splits.
        from .corpus import reuters_common_labels

        labels = reuters_common_labels(Corpus(args.corpus, "reuters21578", split="train"),
                                       Corpus(args.corpus, "reuters21578", split="test"))
        _note(args, f"Reuters-21578 ModApte: training on the {len(labels)} topics of both splits (--all-labels for every topic)")
    progress = _progress(args)
    with _dask_backend(args.dask):
        model = train(
            corpus,
            labels=labels,
            taxonomy=args.taxonomy,
            n_topics=args.topics,
            name=args.name,
            artifacts=args.artifacts,
            random_state=args.seed,
            progress=progress,
            signing_key=_signing_key(args),
            examples=args.examples,
            classifier_options={k: v for k, v in (("out_of_core_above", args.out_of_core_above), ("n_jobs", args.jobs))
                                if v is not None} or None,
        )
    meta = model.manifest["meta"]
    c = meta["corpus"]
    _report_skips(corpus)
    mode = "supervised, from the corpus labels" if meta["parameters"]["classifier_mode"] == "supervised" else "from the taxonomy's seed terms"
    if c.get("labelled_examples"):
        mode += f" and {c['labelled_examples']:,} labelled examples"
    print(f"Trained model '{args.name}' in {meta['training_seconds']:.1f} s")
    stages = meta.get("stage_seconds", {})
    print("  stages      " + ", ".join(f"{k} {stages[k]:.1f} s" for k in STAGES if k in stages))
    print(f"  corpus      {c['description']}")
    print(f"  articles    {c['documents']:,} read, {c['skipped']:,} skipped")
    print(f"  vocabulary  {meta['vocabulary']:,} words, {meta['phrases']:,} phrases")
    topics_meta = meta.get("topics", {})
    quality = topics_meta.get("quality", {})
    guided = topics_meta.get("guided_themes") or []
    print(_wrapped("  topics", f"{meta['parameters']['n_topics']} (NPMI {quality.get('npmi', float('nan')):.3f}, diversity "
                   f"{quality.get('diversity', float('nan')):.2f}; guided: {', '.join(guided) or 'none'})"))
    lineage = topics_meta.get("lineage")
    if lineage and lineage.get("previous_version"):
        print(f"  topic ids   {len(lineage['kept'])} kept from {lineage['previous_version']}, "
              f"{len(lineage['new'])} new, {len(lineage['retired'])} retired")
    if topics_meta.get("sweep"):
        _print_sweep(topics_meta["sweep"])
        if args.sweep_plot:
            try:
                from .explore.figures import figure_png, plot_sweep
                from .fsutil import write_bytes_atomic

                write_bytes_atomic(args.sweep_plot, figure_png(plot_sweep(topics_meta["sweep"]["rows"])))
                print(f"  sweep plot  {args.sweep_plot}")
            except ImportError as exc:
                _err(f"warning: {exc}")
    print(_wrapped("  themes", f"{len(meta['themes'])} ({mode}): {', '.join(meta['themes'])}", max_lines=3,
                   more=f" (`topics info --model {args.name}` lists them all)"))
    print(f"  saved to    {model.path}")
    _print_signature(model.path)
    cv = meta.get("classifier", {}).get("cv")
    if cv:
        print(f"  theme CV    micro-F1 {cv['micro_f1']:.3f}, macro-F1 {cv['macro_f1']:.3f} on out-of-fold scores "
              f"(optimistic: the thresholds were chosen on them)")
    if args.cv:
        from .evaluate import cross_validate

        if meta["parameters"]["classifier_mode"] != "supervised":
            _err("warning: --cv needs a labelled corpus; no cross-validation")
            return 0
        with progress.stage(f"{args.cv}-fold cross-validation of the theme classifier", None, "fold") as stage:
            result = cross_validate(corpus, k=args.cv, random_state=args.seed, progress=stage.set,
                                    **({"labels": labels} if labels is not None else {}))
        print(f"{args.cv}-fold cross-validation (each fold trained with the default settings):")
        _print_evaluation(result, per_theme=False, folds=args.cv)
    return 0


def _report_skips(corpus) -> None:
    report = getattr(corpus, "report", None)
    # Repaired records (bad bytes replaced) are worth a word too, and so is reading nothing.
    if report is not None and (report.n_skipped or report.problems or not report.n_read):
        _err(f"warning: {report.summary()}")
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
    from .fsutil import atomic_open

    with atomic_open(path) as f:
        yield f


def _output_format(text: str) -> str:
    from .corpus import FORMATS

    if text in ("table", "jsonl"):
        return text
    if text in FORMATS:
        raise argparse.ArgumentTypeError(f"{text!r} is an input format: the output format is --output-format/-f "
                                         f"(table or jsonl); the input format is --input-format {text}")
    raise argparse.ArgumentTypeError(f"must be table or jsonl, got {text!r}")


def _paths(args: list[str]) -> list[str]:
    """Command-line paths, with quoted globs expanded (sorted) as a shell would."""
    import glob

    from .corpus import CorpusError

    from .corpus import expand_url

    out: list[str] = []
    for arg in args:
        if "://" in arg:  # a URL (fsspec): s3://bucket/archive/*.jsonl
            if not (matches := expand_url(arg)):
                raise CorpusError(f"{arg}: no file matches")
            out += matches
        elif arg != "-" and glob.has_magic(arg) and not Path(arg).exists():
            matches = sorted(glob.glob(arg, recursive=True))
            if not matches:
                raise CorpusError(f"{arg}: no file or folder matches")
            out += matches
        else:
            out.append(arg)
    if out.count("-") > 1:
        raise CorpusError("standard input ('-') can be read once")
    return out


def cmd_tag(args: argparse.Namespace) -> int:
    from .corpus import ChainCorpus, Corpus

    paths = _paths(args.path)
    # Standard input is read as it arrives (spool=False): a line in, a result out.
    corpora = [Corpus(path, args.corpus_format, **_corpus_options(args), spool=False) for path in paths]
    corpus = corpora[0] if len(corpora) == 1 else ChainCorpus(*corpora)
    to_dir = args.output is not None and (args.output.endswith(("/", os.sep)) or Path(args.output).is_dir())
    if to_dir and "-" in paths:
        _err("topics: error: --output DIR/ holds parts of files; standard input is tagged as it arrives: use --output FILE")
        return EXIT_USER_ERROR
    here = "-" in paths or (args.jobs == 1 and not args.dask and not to_dir)
    model = _load_model(args) if here else None  # before the output exists: a bad model leaves no trace
    # Progress only where a person watches and it does not mix with the output.
    progress = _progress(args, enabled=args.output is not None or not sys.stdout.isatty())
    with progress.stage("Tagging", corpus.size_hint() if progress.enabled else None) as stage, \
            _output(None if to_dir else args.output) as out:
        if here:
            n = _tag_here(args, model, corpus, out, stage, stream="-" in paths)
        else:
            n = _tag_parts(args, corpus, out, stage, to_dir)
    _report_skips(corpus)
    if not n:  # scripts must be able to tell that nothing was tagged
        _err(f"topics: error: no articles to tag in {' '.join(args.path)}")
        return EXIT_USER_ERROR
    if args.output:
        _note(args, f"Tagged {n:,} article{'' if n == 1 else 's'} → {args.output}")
    return 0


def _tag_here(args: argparse.Namespace, model, corpus, out, stage, stream: bool) -> int:
    """Tag in this process; standard input as it arrives, each result written at once."""
    from .tagger import Tagger, tag_rule

    if stream and (args.jobs != 1 or args.dask):
        _err("topics: warning: standard input is tagged in this process as it arrives; --jobs and --dask apply to files")
    tagger = Tagger(model, top_topics=args.top, batch_size=args.batch_size)
    rule = tag_rule(model)
    n = 0
    for result in tagger.tag(corpus, stream=stream):
        n += 1
        out.write(result.format(args.output_format, args.explain, rule))
        if stream:
            out.flush()
        stage.update()
    return n


def _tag_parts(args: argparse.Namespace, corpus, out, stage, to_dir: bool) -> int:
    """Tag in worker processes (or on a Dask cluster) that read and write their own parts."""
    from .partition import tag_files

    options = dict(artifacts=args.artifacts, key=_signing_key(args), require_signature=args.require_signature,
                   out=None if to_dir else out, output_dir=args.output if to_dir else None,
                   output_format=args.output_format, explain=args.explain, top_topics=args.top,
                   batch_size=args.batch_size, progress=stage.update)
    if not args.dask:
        return tag_files(corpus, args.model, jobs=args.jobs, **options).articles
    from . import distributed

    with distributed.dask_client(args.dask, None if args.jobs < 2 else args.jobs) as client:
        return distributed.tag_files(client, corpus, args.model, **options).articles


def cmd_topics(args: argparse.Namespace) -> int:
    model = _load_model(args)
    topics = model.topics(topn=args.words)
    npmi = model.manifest.get("meta", {}).get("topics", {}).get("quality", {}).get("topic_npmi")
    # NPMI was measured over the training texts when the model was trained (or updated), by
    # position; t["id"] is the topic's stable id.
    for position, t in enumerate(topics):
        t["coherence"] = npmi[position] if npmi and position < len(npmi) else None
    if args.output_format == "json":
        for t in topics:
            t["size"] = round(t["size"], 4)
        print(json.dumps({"model": model.manifest.get("name"), "version": model.manifest.get("version"), "topics": topics}, indent=2))
        return 0
    print(f"{len(topics)} topics of model '{model.manifest.get('name')}' ({model.manifest.get('version')}), largest first")
    print("  topic    size    NPMI  [theme] top words")
    for t in sorted(topics, key=lambda t: -t["size"]):
        coh = f"{t['coherence']:6.3f}" if t["coherence"] is not None else "     -"
        theme = f"[{t['theme']}] " if t.get("theme") else ""
        print(_wrapped(f"  #{t['id']:<4} {t['size']:6.1%}  {coh} ", theme + ", ".join(t["words"]), indent=24))
    print("  (size: share of the training tokens; NPMI: coherence of the top words, -1 to 1, higher is better)")
    return 0


def cmd_update(args: argparse.Namespace) -> int:
    from .corpus import Corpus
    from .updating import update

    corpus = Corpus(args.corpus, args.corpus_format, **_corpus_options(args))
    model = update(args.model, corpus, name=args.name, artifacts=args.artifacts,
                   progress=_progress(args), signing_key=_signing_key(args),
                   require_signature=args.require_signature)
    _report_skips(corpus)
    meta = model.manifest["meta"]["topics"]
    last = meta["updates"][-1]
    print(f"Updated model '{model.manifest.get('name')}' from {last['from_version']} in {last['seconds']:.1f} s")
    print(f"  articles    {last['documents']:,} read, {last['added']:,} added ({meta['trained_documents']:,} in all)")
    quality = meta.get("quality", {})
    if quality and not quality.get("before_update"):
        print(f"  NPMI        {quality['npmi']:.3f} on the new articles")
    print(f"  saved to    {model.path}")
    _print_signature(model.path)
    return 0


def _print_signature(path) -> None:
    from .bundle import SIGNATURE

    print(f"  signature   {'HMAC-SHA256 with the signing key' if (path / SIGNATURE).is_file() else 'none (no signing key)'}")


def cmd_evaluate(args: argparse.Namespace) -> int:
    if args.eval_topics:
        return _evaluate_topics(args)
    if not args.corpus:
        _err("topics: error: say what to evaluate: --corpus LABELLED-ARTICLES (themes) or --topics")
        return EXIT_USER_ERROR
    from .corpus import Corpus
    from .evaluate import evaluate

    model = _load_model(args)
    corpus = Corpus(args.corpus, args.corpus_format, **_corpus_options(args))
    result = evaluate(model, _progress(args).counting(corpus, "Tagging"))
    _report_skips(corpus)
    if result.training_overlap and result.training_overlap >= OVERLAP_WARNING:
        _err(f"topics: warning: {result.training_overlap:.0%} of these articles are ones the model was trained on: "
             "the figures say how well it remembers them, not how well it tags new articles (evaluate on held-out "
             "articles, or use `topics train --cv K`)")
    if args.output_format == "json":
        print(json.dumps({"model": model.manifest.get("name"), "version": model.manifest.get("version"),
                          **result.to_dict()}, indent=2))
        return 0
    print(f"Themes of model '{model.manifest.get('name')}' ({model.manifest.get('version')})")
    _print_evaluation(result, per_theme=True)
    return 0


def _print_evaluation(result, per_theme: bool, folds: int | None = None) -> None:
    if folds:  # cross-validation: the time is k trainings, not a tagging rate
        source = result.source.removeprefix(f"{folds}-fold cross-validation on ")
        print(f"  measured on  {result.n_documents:,} labelled articles of {source}")
        print(f"               (out-of-fold tags of {folds} models, {result.n_themes} themes, {result.seconds:.1f} s)")
    else:
        print(f"  measured on  {result.n_documents:,} labelled articles of {result.source}")
        print(f"               ({result.n_themes} themes, {result.n_documents / max(result.seconds, 1e-9):,.0f} articles/s)")
    if result.n_unknown_labels:
        shown = ", ".join(result.unknown_labels[:8]) + (", …" if len(result.unknown_labels) > 8 else "")
        print(f"  unknown      {result.n_unknown_labels:,} labels of themes the model does not know, counted as misses ({shown})")
    print("               precision  recall     F1")
    print(f"  micro        {result.micro_precision:9.3f}  {result.micro_recall:6.3f}  {result.micro_f1:5.3f}")
    print(f"  macro        {result.macro_precision:9.3f}  {result.macro_recall:6.3f}  {result.macro_f1:5.3f}")
    print(f"  accuracy     {result.accuracy:.3f} (articles whose tags are exactly their labels)")
    if per_theme:
        print("  theme                     support  tagged  precision  recall     F1")
        for t in result.themes:
            print(f"  {t.name:<24} {t.support:8,} {t.predicted:7,} {t.precision:10.3f} {t.recall:7.3f} {t.f1:6.3f}")


def _evaluate_topics(args: argparse.Namespace) -> int:
    model = _load_model(args)
    meta = model.manifest.get("meta", {}).get("topics", {})
    if args.corpus:
        from .corpus import Corpus
        from .quality import evaluate_topics

        corpus = Corpus(args.corpus, args.corpus_format, **_corpus_options(args))
        progress = _progress(args)
        texts = model.preprocessor.transform(a.full_text for a in progress.counting(corpus, "Reading articles"))
        _report_skips(corpus)
        if not texts:
            _err("topics: error: no articles to evaluate on")
            return EXIT_USER_ERROR
        with progress.stage("Measuring topic quality", None, "measure") as stage:
            quality = evaluate_topics(model.lda, texts, heldout=texts, progress=stage.set)
        source = getattr(corpus, "description", args.corpus)
    else:
        quality, source = meta.get("quality") or {}, "the training articles (recorded at training)"
        if not quality:
            _err("topics: error: this model has no recorded topic quality; pass --corpus to measure it")
            return EXIT_USER_ERROR
    if args.output_format == "json":
        print(json.dumps({"model": model.manifest.get("name"), "version": model.manifest.get("version"), "source": source,
                          **quality, **({"sweep": meta["sweep"]} if meta.get("sweep") else {})}, indent=2))
        return 0
    print(f"Topics of model '{model.manifest.get('name')}' ({model.manifest.get('version')}), {model.lda.n_topics_} topics")
    print(f"  measured on  {source} ({quality.get('documents', 0):,} articles, top {quality.get('topn', 10)} words)")
    for key, name in (("npmi", "NPMI"), ("c_v", "c_v"), ("diversity", "diversity"), ("perplexity", "perplexity")):
        if key in quality:
            print(f"  {name:<12} {quality[key]}")
    if meta.get("guided_themes") is not None:
        print(f"  guided       {', '.join(meta['guided_themes']) or 'none'}")
    if meta.get("sweep"):
        _print_sweep(meta["sweep"])
    return 0


def cmd_trends(args: argparse.Namespace) -> int:
    from .corpus import Corpus
    from .trends import topic_trends

    corpus = Corpus(args.corpus, args.corpus_format, **_corpus_options(args))
    model = _load_model(args)
    trends = topic_trends(model, _progress(args).counting(corpus, "Tagging"), by=args.by)
    _report_skips(corpus)
    if trends.undated:
        _err(f"warning: {trends.undated:,} article{'' if trends.undated == 1 else 's'} without a readable date left out")
    if not trends.periods:
        _err("topics: error: no dated articles (give each a date: a JSONL 'date' field or a 'date' header line)")
        return EXIT_USER_ERROR
    if args.output_format == "csv":
        sys.stdout.write(trends.to_csv())
        return 0
    rows, shown = [], set()
    for p, period in enumerate(trends.periods):
        tops = trends.topic_share[p].argsort()[::-1][: args.top]
        shown.update(int(k) for k in tops)
        topics = ", ".join(f"#{trends.topic_ids[k]} {trends.topic_share[p, k]:.0%}" for k in tops)
        best = [t for t in trends.theme_share[p].argsort()[::-1][: args.top] if trends.theme_share[p, t] > 0]
        themes = ", ".join(f"{trends.themes[t]} {trends.theme_share[p, t]:.0%}" for t in best) or "-"
        rows.append((period, f"{trends.articles[p]:,}", topics, themes))
    widths = [max(len(h), *(len(r[c]) for r in rows)) for c, h in enumerate(("period", "articles", "top topics"))]
    head = f"{'period':<{widths[0]}}  {'articles':>{widths[1]}}  {'top topics (share)':<{widths[2]}}  top themes (share)"
    print(head)
    for period, n, topics, themes in rows:
        print(f"{period:<{widths[0]}}  {n:>{widths[1]}}  {topics:<{widths[2]}}  {themes}")
    print("topics:")
    for k in sorted(shown, key=lambda k: trends.topic_ids[k]):
        print(_clip(f"  #{trends.topic_ids[k]:<3} {trends.topic_labels[k]}", WIDTH))
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    from .bundle import check_signature, resolve_bundle, verify_bundle
    from .registry import is_latest

    path = resolve_bundle(args.model, args.artifacts)
    key = _signing_key(args)
    manifest = verify_bundle(path, key=key, require_signature=args.require_signature)
    signature = {"verified": "signed, and the signature matches the signing key",
                 "unverified": "signed (no signing key given to check it)",
                 "unsigned": "unsigned"}[check_signature(path, key)]
    if args.output_format == "json":
        print(json.dumps(manifest, indent=2))
        return 0
    meta = manifest.get("meta", {})
    corpus = meta.get("corpus", {})
    params = meta.get("parameters", {})
    rows = [
        ("model", f"{manifest.get('name')}@{manifest.get('version')}"),
        ("latest", "yes" if is_latest(path) else "no"),
        ("path", str(path)),
        ("created", manifest.get("created")),
        ("toolkit", f"topics {manifest.get('toolkit_version')}, Python {manifest.get('python')}"),
        ("libraries", ", ".join(f"{k} {v}" for k, v in manifest.get("libraries", {}).items())),
        ("corpus", corpus.get("description")),
        ("articles", f"{corpus.get('documents', 0):,} ({corpus.get('labelled_documents', 0):,} labelled, {corpus.get('skipped', 0):,} skipped)"),
        *[("updated", _update_line(u)) for u in (meta.get("topics") or {}).get("updates", [])],
        ("topics", params.get("n_topics")),
        ("themes", f"{len(meta.get('themes', []))}: " + ", ".join(meta.get("themes", []))),
        ("classifier", params.get("classifier_mode")),
        ("taxonomy", params.get("taxonomy")),
        ("vocabulary", f"{meta.get('vocabulary', 0):,} words, {meta.get('phrases', 0):,} phrases"),
        ("trained in", f"{meta.get('training_seconds')} s"),
        ("files", ", ".join(f"{k} ({v['bytes']:,} B)" for k, v in manifest.get("files", {}).items())),
        ("integrity", "every file matches its SHA-256 in the manifest"),
        ("signature", signature),
    ]
    for key, value in rows:
        print(_wrapped(key, str(value), indent=12))
    return 0


def _update_line(update: dict) -> str:
    """One ``topics update`` of the manifest, for people: when, what, how many."""
    return (f"{update.get('date', '?')}: {update.get('added', 0):,} of {update.get('documents', 0):,} articles added "
            f"from {update.get('corpus', '?')} (to topics only; was {update.get('from_version', '?')})")


def cmd_models_list(args: argparse.Namespace) -> int:
    from .bundle import default_artifacts_dir
    from .registry import list_models

    infos = list_models(args.artifacts, args.name)
    if args.output_format == "json":
        rows = [{"name": i.name, "version": i.version, "latest": i.latest, "created": i.created,
                 "documents": i.documents, "themes": list(i.themes), "signed": i.signed,
                 "updates": list(i.updates), "path": str(i.path), "problem": i.problem} for i in infos]
        print(json.dumps(rows, indent=2))
        return 0
    if not infos:
        print(f"No models in {args.artifacts or default_artifacts_dir()}; train one with `topics train`.")
        return 0
    table = [("name", "version", "latest", "created", "documents", "signed", "themes")]
    for i in infos:
        documents = "?" if i.documents is None else f"{i.documents:,}"
        if i.updates:  # `topics update` added articles to the topics
            documents += f" +{sum(u.get('added', 0) for u in i.updates):,}"
        table.append((i.name, i.version, "*" if i.latest else "", (i.created or "?").replace("T", " ")[:16],
                      documents, "yes" if i.signed else "no", i.problem or (f"{len(i.themes)}: {', '.join(i.themes)}" if i.themes else "-")))
    widths = [max(len(row[c]) for row in table) for c in range(len(table[0]) - 1)]
    room = max(12, WIDTH - sum(widths) - 2 * len(widths))
    for row in table:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths)) + "  " + _clip(row[-1], room))
    if any(i.updates for i in infos):
        print("(documents +N: articles added to the topics by `topics update`)")
    return 0


def cmd_models_rm(args: argparse.Namespace) -> int:
    from .bundle import BundleError
    from .registry import remove_version

    name, _, version = args.model.partition("@")
    if not version:
        raise BundleError(f"Give the version to remove as NAME@VERSION (see `topics models list {name}`).")
    latest = remove_version(name, version, args.artifacts, force=args.force)
    print(f"Removed {name}@{version}; " + (f"the latest version is {name}@{latest}." if latest else f"no versions of {name!r} remain."))
    return 0


def _extra(module: str, name: str, needs: str, extra: str):
    """``name`` from an optional part of the toolkit, or an ImportError saying what to install."""
    import importlib

    try:
        return getattr(importlib.import_module(module, __package__), name)
    except ImportError as exc:
        from .extras import install_hint

        if "pip install" in str(exc):  # already says what to install
            raise
        raise ImportError(f"{needs} ({exc}): {install_hint(extra)}") from None


def cmd_serve(args: argparse.Namespace) -> int:
    serve = _extra(".serve", "serve", "the service needs FastAPI and uvicorn", "serve")
    model = _load_model(args)
    token = None
    if args.token_file:
        token = Path(args.token_file).expanduser().read_bytes().decode("utf-8", errors="replace").strip()
        if not token:
            _err(f"topics: error: the token file {args.token_file} is empty")
            return EXIT_USER_ERROR
    _note(args, f"Serving {model.manifest.get('name')}@{model.manifest.get('version')} on http://{args.host}:{args.port} (Ctrl-C stops)")
    serve(model, host=args.host, port=args.port, token=token, max_connections=args.max_connections,
          workers=None if args.workers < 0 else args.workers)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from .corpus import Corpus

    write_report = _extra(".report", "write_report", "the report needs pandas and matplotlib", "inspect")

    progress = _progress(args)
    with progress.stage("Loading the model"):
        model = _load_model(args)
    corpus = None
    if args.corpus is not None:
        corpus = Corpus(args.corpus, args.corpus_format, **_corpus_options(args), limit=args.limit)
    path = write_report(args.out, model, corpus, topn=args.words, by=args.by, progress=progress)
    if corpus is not None:
        _report_skips(corpus)
    _note(args, f"Wrote {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``topics`` console script."""
    from .bundle import BundleError
    from .corpus import CorpusError
    from .taxonomy import TaxonomyError

    args = build_parser().parse_args(argv)
    shown = warnings.showwarning
    try:
        # A warning is one line on standard error, like an error.
        warnings.showwarning = lambda message, *_, **__: _err(f"topics: warning: {message}")
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
        global _PROGRESS
        _PROGRESS = None
    return EXIT_USER_ERROR


if __name__ == "__main__":
    sys.exit(main())
