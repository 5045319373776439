"""``topics tag``: tag articles here, in worker processes or on a Dask cluster, and write the results."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .common import (
    EXIT_USER_ERROR,
    _corpus_options,
    _err,
    _load_model,
    _note,
    _output,
    _progress,
    _report_skips,
    _signing_key,
    _warn,
)


def cmd_tag(args: argparse.Namespace) -> int:
    from ..corpus import ChainCorpus, Corpus

    paths = _paths(args.path)
    # Standard input is read as it arrives (spool=False): a line in, a result out.
    corpora = [Corpus(path, args.corpus_format, **_corpus_options(args), spool=False) for path in paths]
    corpus = corpora[0] if len(corpora) == 1 else ChainCorpus(*corpora)
    to_dir = args.output is not None and (args.output.endswith(("/", os.sep)) or Path(args.output).is_dir())
    if to_dir and "-" in paths:
        _err(
            "topics: error: --output DIR/ holds parts of files; standard input is tagged as it arrives: use --output FILE"
        )
        return EXIT_USER_ERROR
    here = "-" in paths or (args.jobs == 1 and not args.dask and not to_dir)
    model = _load_model(args) if here else None  # before the output exists: a bad model leaves no trace
    # Progress only where a person watches and it does not mix with the output.
    progress = _progress(args, enabled=args.output is not None or not sys.stdout.isatty())
    with (
        progress.stage("Tagging", corpus.size_hint() if progress.enabled else None) as stage,
        _output(None if to_dir else args.output) as out,
    ):
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
    from ..tagger import Tagger, tag_rule

    if stream and (args.jobs != 1 or args.dask):
        _warn("standard input is tagged in this process as it arrives; --jobs and --dask apply to files")
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
    from ..partition import tag_files

    options = dict(
        artifacts=args.artifacts,
        key=_signing_key(args),
        require_signature=args.require_signature,
        out=None if to_dir else out,
        output_dir=args.output if to_dir else None,
        output_format=args.output_format,
        explain=args.explain,
        top_topics=args.top,
        batch_size=args.batch_size,
        progress=stage.update,
    )
    if not args.dask:
        return tag_files(corpus, args.model, jobs=args.jobs, **options).articles
    from .. import distributed

    with distributed.dask_client(args.dask, None if args.jobs < 2 else args.jobs) as client:
        return distributed.tag_files(client, corpus, args.model, **options).articles


def _paths(args: list[str]) -> list[str]:
    """Command-line paths, with quoted globs expanded (sorted) as a shell would."""
    import glob

    from ..corpus import CorpusError, expand_url

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
