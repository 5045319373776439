"""``topics evaluate``: a model's themes against labelled articles, or the quality of its topics."""

from __future__ import annotations

import argparse
import json

from .common import EXIT_USER_ERROR, _err, _load_model, _open_corpus, _print_sweep, _progress, _report_skips, _warn

OVERLAP_WARNING = 0.05  # share of evaluated articles seen in training from which figures are flagged


def cmd_evaluate(args: argparse.Namespace) -> int:
    if args.eval_topics:
        return _evaluate_topics(args)
    if not args.corpus:
        _err("topics: error: say what to evaluate: --corpus LABELLED-ARTICLES (themes) or --topics")
        return EXIT_USER_ERROR
    from ..evaluate import evaluate

    model = _load_model(args)
    corpus = _open_corpus(args)
    result = evaluate(model, _progress(args).counting(corpus, "Tagging"))
    _report_skips(corpus)
    if result.training_overlap and result.training_overlap >= OVERLAP_WARNING:
        _warn(
            f"{result.training_overlap:.0%} of these articles are ones the model was trained on: "
            "the figures say how well it remembers them, not how well it tags new articles (evaluate on held-out "
            "articles, or use `topics train --cv K`)"
        )
    if args.output_format == "json":
        print(
            json.dumps(
                {"model": model.manifest.get("name"), "version": model.manifest.get("version"), **result.to_dict()},
                indent=2,
            )
        )
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
        print(
            f"               ({result.n_themes} themes, {result.n_documents / max(result.seconds, 1e-9):,.0f} articles/s)"
        )
    if result.renamed:
        shown = ", ".join(f"{label} → {theme}" for label, theme in sorted(result.renamed.items())[:8])
        print(f"  labels       read as themes: {shown}" + (", …" if len(result.renamed) > 8 else ""))
    if result.n_unknown_labels:
        shown = ", ".join(result.unknown_labels[:8]) + (", …" if len(result.unknown_labels) > 8 else "")
        print(
            f"  unknown      {result.n_unknown_labels:,} labels of themes the model does not know, counted as misses ({shown})"
        )
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
        from ..evaluate import topic_quality

        corpus = _open_corpus(args)
        try:
            quality = topic_quality(model, corpus, progress=_progress(args))
        finally:
            _report_skips(corpus)
        source = getattr(corpus, "description", args.corpus)
    else:
        quality, source = meta.get("quality") or {}, "the training articles (recorded at training)"
        if not quality:
            _err("topics: error: this model has no recorded topic quality; pass --corpus to measure it")
            return EXIT_USER_ERROR
    if args.output_format == "json":
        print(
            json.dumps(
                {
                    "model": model.manifest.get("name"),
                    "version": model.manifest.get("version"),
                    "source": source,
                    **quality,
                    **({"sweep": meta["sweep"]} if meta.get("sweep") else {}),
                },
                indent=2,
            )
        )
        return 0
    print(
        f"Topics of model '{model.manifest.get('name')}' ({model.manifest.get('version')}), {model.lda.n_topics_} topics"
    )
    print(f"  measured on  {source} ({quality.get('documents', 0):,} articles, top {quality.get('topn', 10)} words)")
    for key, name in (("npmi", "NPMI"), ("c_v", "c_v"), ("diversity", "diversity"), ("perplexity", "perplexity")):
        if key in quality:
            print(f"  {name:<12} {quality[key]}")
    if meta.get("guided_themes") is not None:
        print(f"  guided       {', '.join(meta['guided_themes']) or 'none'}")
    if meta.get("sweep"):
        _print_sweep(meta["sweep"])
    return 0
