"""The ``topics`` command line: its commands and their options (the shared ones, and value
checks, are in :mod:`.options`)."""

from __future__ import annotations

import argparse

from .. import __version__
from .evaluate import cmd_evaluate
from .inspect_cmds import cmd_info, cmd_models_list, cmd_models_rm, cmd_report, cmd_topics, cmd_trends
from .options import (
    _add_artifacts,
    _add_common,
    _add_corpus_args,
    _add_model_args,
    _add_output_format,
    _add_signing_args,
    _Deprecated,
    _jobs,
    _output_format,
    _port,
    _positive_int,
    _topics_arg,
)
from .serve import cmd_serve
from .tag import cmd_tag
from .train import cmd_train, cmd_update


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="topics",
        description="Find topics (LDA) and tag themes in news articles.",
        epilog="Run `topics COMMAND --help` for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"topics {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser(
        "train",
        help="train a model bundle from a corpus",
        description="Train a model bundle: "
        "phrases, LDA topics and a theme classifier (supervised when the corpus has labels, "
        "otherwise from the taxonomy's seed terms).",
    )
    p.add_argument(
        "--corpus", "-c", default=None, help="file, folder or - for standard input (default: the bundled news corpus)"
    )
    _add_corpus_args(p)
    p.add_argument("--taxonomy", default=None, help="theme taxonomy TOML file (default: the shipped taxonomy)")
    p.add_argument(
        "--topics",
        "-k",
        type=_topics_arg,
        default=None,
        metavar="K",
        help="number of topics; 'auto' or a range "
        "START:STOP[:STEP] trains one model per K and keeps the most coherent (default: from corpus size)",
    )
    p.add_argument(
        "--sweep-plot",
        default=None,
        metavar="PNG",
        help="with --topics auto or a range: draw the sweep (needs the inspect extra)",
    )
    p.add_argument("--name", "-n", default="default", help="bundle name (default: default)")
    _add_artifacts(p)
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    p.add_argument(
        "--cv",
        type=_positive_int,
        default=None,
        metavar="K",
        help="also print K-fold cross-validated theme figures on the training corpus (labelled corpora)",
    )
    p.add_argument(
        "--labels",
        default=None,
        metavar="FILE",
        dest="examples",
        help="a few labelled articles (JSONL: id, text, labels naming themes of the taxonomy) that "
        "train the weak-label classifiers of themes learned without corpus labels",
    )
    p.add_argument(
        "--all-labels",
        action="store_true",
        help="Reuters-21578 with --split: train on every topic of the "
        "split, not only the 90 that occur in both ModApte splits",
    )
    p.add_argument(
        "--dask",
        default=None,
        metavar="ADDRESS",
        help="fit the classifier's per-theme models and "
        "cross-validation on a Dask cluster: a scheduler address, or 'local'",
    )
    p.add_argument(
        "--out-of-core-above",
        type=_positive_int,
        default=None,
        metavar="N",
        help="with more labelled "
        "articles than N, learn the theme models out of core (SGD over blocks read from disk), so memory "
        "stays flat (default: 50000)",
    )
    p.add_argument(
        "--jobs",
        "-j",
        type=_jobs,
        default=None,
        metavar="N",
        help="processes fitting the theme "
        "classifier's SVMs (-1: all cores, the default; each costs ~100 MB more; same model for any N)",
    )
    _add_signing_args(p)
    p.set_defaults(func=cmd_train)

    p = sub.add_parser(
        "tag",
        help="tag articles with themes and topics",
        description="Tag articles: themes with scores and evidence terms, and each article's main topics.",
    )
    p.add_argument(
        "path",
        nargs="+",
        help="article files, folders or corpus files (several, or a quoted glob such "
        "as 'archive/*.jsonl'), or - for standard input",
    )
    _add_model_args(p)
    _add_corpus_args(p, old_format_flag=False)
    p.add_argument(
        "--output-format",
        "-f",
        dest="output_format",
        type=_output_format,
        default="table",
        metavar="{table,jsonl}",
        help="output format (default: table); the input format is --input-format",
    )
    p.add_argument(
        "--format",
        dest="output_format",
        action=_Deprecated,
        type=_output_format,
        new="--output-format/-f",
        help=argparse.SUPPRESS,
    )
    p.add_argument("--top", type=_positive_int, default=3, metavar="N", help="topics shown per article (default: 3)")
    p.add_argument("--explain", action="store_true", help="table: show the evidence terms of each theme")
    p.add_argument(
        "--output",
        "-o",
        default=None,
        help="write to this file (atomically) instead of standard output; "
        "a folder (ending in /, or existing) gets the parts as part-00000.jsonl... and a manifest.json",
    )
    p.add_argument(
        "--jobs",
        "-j",
        type=_jobs,
        default=1,
        metavar="N",
        help="tag in N processes, each reading, tagging and "
        "writing its own parts of the files (-1: all cores; default: 1); same output for any N",
    )
    p.add_argument(
        "--dask",
        default=None,
        metavar="ADDRESS",
        help="tag on a Dask cluster: a scheduler address, or 'local'; "
        "its workers read the input and write the parts, so they must reach these paths",
    )
    p.add_argument(
        "--batch-size", type=_positive_int, default=512, metavar="N", help="articles per batch (default: 512)"
    )
    p.set_defaults(func=cmd_tag)

    p = sub.add_parser(
        "update",
        help="fold new articles into a model's topics",
        description="Update a model's "
        "topics with new articles (online LDA, no retraining) and save a new version of the bundle.",
    )
    _add_model_args(p)
    p.add_argument("--corpus", "-c", required=True, help="file or folder of new articles, or - for standard input")
    _add_corpus_args(p)
    p.add_argument("--name", "-n", default=None, help="save under this name (default: the model's name)")
    p.set_defaults(func=cmd_update)

    p = sub.add_parser(
        "evaluate",
        help="measure a model",
        description="Measure a model. By default its themes "
        "against the labels of --corpus: micro/macro precision, recall, F1 and per-theme figures (labels "
        "the model does not know count as misses). --topics: topic coherence (NPMI, c_v), diversity "
        "and, with --corpus, held-out perplexity on that corpus.",
    )
    _add_model_args(p)
    p.add_argument("--topics", dest="eval_topics", action="store_true", help="evaluate the topic model")
    p.add_argument(
        "--corpus", "-c", default=None, help="measure on this corpus (default: the figures recorded at training)"
    )
    _add_corpus_args(p)
    _add_output_format(p, ("table", "json"), "json")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser(
        "trends",
        help="topic and theme shares over time",
        description="Share of each topic and theme "
        "per day, week, month or year of a dated corpus (articles without a date are left out).",
    )
    _add_model_args(p)
    p.add_argument(
        "--corpus",
        "-c",
        required=True,
        help="dated articles: a JSONL/CSV file with a date field, or .txt files with a date header",
    )
    _add_corpus_args(p)
    p.add_argument("--by", choices=("day", "week", "month", "year"), default="month", help="period (default: month)")
    _add_output_format(p, ("table", "csv"), "csv")  # csv: period,kind,id,label,share,articles
    p.add_argument(
        "--top",
        type=_positive_int,
        default=3,
        metavar="N",
        help="table: topics and themes shown per period (default: 3)",
    )
    p.set_defaults(func=cmd_trends)

    p = sub.add_parser(
        "topics", help="list a model's topics", description="List a model's topics with their top words and sizes."
    )
    _add_model_args(p)
    p.add_argument("--words", type=_positive_int, default=10, metavar="N", help="words per topic (default: 10)")
    _add_output_format(p, ("table", "json"), "json")  # json: with each topic's label, theme and coherence
    p.set_defaults(func=cmd_topics)

    p = sub.add_parser(
        "serve",
        help="serve tagging over HTTP",
        description="Load a model once and answer "
        "POST /tag, GET /health, GET /topics and GET /model (needs the serve extra).",
    )
    _add_model_args(p)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=_port, default=8000, help="port (default: 8000)")
    p.add_argument(
        "--token-file",
        default=None,
        metavar="FILE",
        help="require 'Authorization: Bearer TOKEN' "
        "with the token in FILE on every endpoint but /health (default: $TOPICS_SERVE_TOKEN; none: open)",
    )
    p.add_argument(
        "--max-connections",
        type=_positive_int,
        default=64,
        metavar="N",
        help="concurrent connections served; more get 503 (default: 64)",
    )
    p.add_argument(
        "--workers",
        "-j",
        type=_jobs,
        default=-1,
        metavar="N",
        help="tagging processes, each with the model loaded once (-1: one per core, the default)",
    )
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser(
        "report",
        help="write an HTML report of a model's topics and themes",
        description="Write one "
        "self-contained HTML page (figures embedded, opens offline) with the model's topics, their words "
        "and sizes, an inter-topic map and, with --corpus, theme counts, topic mixes, trends and "
        "(labelled corpora) per-theme precision and recall. Needs the inspect extra.",
    )
    _add_model_args(p)
    p.add_argument("--corpus", "-c", default=None, help="articles to describe with the model (file or folder)")
    _add_corpus_args(p)
    p.add_argument(
        "--limit", type=_positive_int, default=None, metavar="N", help="read at most N articles of the corpus"
    )
    p.add_argument("--words", type=_positive_int, default=10, metavar="N", help="words per topic (default: 10)")
    p.add_argument("--out", "-o", default="report.html", help="HTML file to write, atomically (default: report.html)")
    p.add_argument(
        "--by",
        choices=("day", "week", "month", "year"),
        default=None,
        help="trends of a dated corpus per "
        "day, week, month or year (default: chosen so that periods hold enough articles to compare)",
    )
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("info", help="show a model's manifest", description="Show a model's manifest in readable form.")
    _add_model_args(p)
    _add_output_format(p, ("table", "json"), "json")
    p.set_defaults(func=cmd_info)

    p = sub.add_parser(
        "models",
        help="list, inspect and remove saved models",
        description="The saved models and their versions (reads manifests only: nothing is unpickled).",
    )
    models = p.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    q = models.add_parser("list", help="every model and version", description="List every saved model version.")
    q.add_argument("name", nargs="?", default=None, help="only this model")
    _add_artifacts(q)
    _add_output_format(q, ("table", "json"), "json")
    q.set_defaults(func=cmd_models_list)
    q = models.add_parser(
        "info",
        help="one version's manifest",
        description="Show a model version's manifest after checking its files (and signature, with a key).",
    )
    q.add_argument("model", metavar="NAME[@VERSION]", help="model name (its latest version) or name@version")
    _add_artifacts(q)
    _add_signing_args(q)
    q.add_argument("--require-signature", action="store_true", help="fail unless it is signed with the signing key")
    _add_output_format(q, ("table", "json"), "json")
    q.set_defaults(func=cmd_info)
    q = models.add_parser(
        "rm",
        help="remove a version",
        description="Remove a model version. The latest version "
        "is only removed with --force, and the newest remaining one becomes latest.",
    )
    q.add_argument("model", metavar="NAME@VERSION", help="the version to remove")
    _add_artifacts(q)
    q.add_argument("--force", action="store_true", help="allow removing the latest version")
    q.set_defaults(func=cmd_models_rm)
    for command in [*(c for n, c in sub.choices.items() if n != "models"), *models.choices.values()]:
        _add_common(command)
    return parser
