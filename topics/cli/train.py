"""``topics train`` and ``topics update``: build a model bundle, or fold new articles into its topics."""

from __future__ import annotations

import argparse
from contextlib import contextmanager

from .common import (
    _note,
    _open_corpus,
    _print_signature,
    _print_sweep,
    _progress,
    _report_skips,
    _signing_key,
    _warn,
    _wrapped,
)
from .evaluate import _print_evaluation


def cmd_train(args: argparse.Namespace) -> int:
    from ..bundle import check_name
    from ..corpus import default_corpus
    from ..training import STAGES, modapte_labels, train

    check_name(args.name)  # before the work, not after it

    corpus = default_corpus() if args.corpus is None else _open_corpus(args)
    corpus.on_reject = getattr(args, "on_reject", None)  # the default corpus too
    labels = None if args.all_labels else modapte_labels(corpus)
    if labels is not None:
        _note(
            args,
            f"Reuters-21578 ModApte: training on the {len(labels)} topics of both splits (--all-labels for every topic)",
        )
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
            classifier_options={
                k: v for k, v in (("out_of_core_above", args.out_of_core_above), ("n_jobs", args.jobs)) if v is not None
            }
            or None,
        )
    meta = model.manifest["meta"]
    c = meta["corpus"]
    _report_skips(corpus)
    mode = (
        "supervised, from the corpus labels"
        if meta["parameters"]["classifier_mode"] == "supervised"
        else "from the taxonomy's seed terms"
    )
    if c.get("labelled_examples"):
        n = c["labelled_examples"]
        mode += f" and {n:,} labelled example{'' if n == 1 else 's'}"
    print(f"Trained model '{args.name}' in {meta['training_seconds']:.1f} s")
    stages = meta.get("stage_seconds", {})
    print("  stages      " + ", ".join(f"{k} {stages[k]:.1f} s" for k in STAGES if k in stages))
    print(f"  corpus      {c['description']}")
    print(f"  articles    {c['documents']:,} read, {c['skipped']:,} skipped")
    print(f"  vocabulary  {meta['vocabulary']:,} words, {meta['phrases']:,} phrases")
    topics_meta = meta.get("topics", {})
    quality = topics_meta.get("quality", {})
    guided = topics_meta.get("guided_themes") or []
    print(
        _wrapped(
            "  topics",
            f"{meta['parameters']['n_topics']} (NPMI {quality.get('npmi', float('nan')):.3f}, diversity "
            f"{quality.get('diversity', float('nan')):.2f}; guided: {', '.join(guided) or 'none'})",
        )
    )
    lineage = topics_meta.get("lineage")
    if lineage and lineage.get("previous_version"):
        print(
            f"  topic ids   {len(lineage['kept'])} kept from {lineage['previous_version']}, "
            f"{len(lineage['new'])} new, {len(lineage['retired'])} retired"
        )
    if topics_meta.get("sweep"):
        _print_sweep(topics_meta["sweep"])
        if args.sweep_plot:
            try:
                from ..explore.figures import figure_png, plot_sweep
                from ..fsutil import write_bytes_atomic

                write_bytes_atomic(args.sweep_plot, figure_png(plot_sweep(topics_meta["sweep"]["rows"])))
                print(f"  sweep plot  {args.sweep_plot}")
            except ImportError as exc:
                _warn(str(exc))
    print(
        _wrapped(
            "  themes",
            f"{len(meta['themes'])} ({mode}): {', '.join(meta['themes'])}",
            max_lines=3,
            more=f" (`topics info --model {args.name}` lists them all)",
        )
    )
    print(f"  saved to    {model.path}")
    _print_signature(model.path)
    cv = meta.get("classifier", {}).get("cv")
    if cv:
        print(
            f"  theme CV    micro-F1 {cv['micro_f1']:.3f}, macro-F1 {cv['macro_f1']:.3f} on out-of-fold scores "
            f"(optimistic: the thresholds were chosen on them)"
        )
    if args.cv:
        from ..evaluate import cross_validate

        if meta["parameters"]["classifier_mode"] != "supervised":
            _warn("--cv needs a labelled corpus; no cross-validation")
            return 0
        with progress.stage(f"{args.cv}-fold cross-validation of the theme classifier", None, "fold") as stage:
            result = cross_validate(
                corpus,
                k=args.cv,
                random_state=args.seed,
                progress=stage.set,
                **({"labels": labels} if labels is not None else {}),
            )
        print(f"{args.cv}-fold cross-validation (each fold trained with the default settings):")
        _print_evaluation(result, per_theme=False, folds=args.cv)
    return 0


def cmd_update(args: argparse.Namespace) -> int:
    from ..updating import update

    corpus = _open_corpus(args)
    model = update(
        args.model,
        corpus,
        name=args.name,
        artifacts=args.artifacts,
        progress=_progress(args),
        signing_key=_signing_key(args),
        require_signature=args.require_signature,
    )
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


@contextmanager
def _dask_backend(address: str | None):
    """joblib's Dask backend for the block (the classifier's parallel fits run on the cluster)."""
    if address is None:
        yield
        return
    from .. import distributed

    with distributed.dask_client(address) as client, distributed.joblib_backend(client):
        yield
