"""Commands that look at models: ``topics topics``, ``info``, ``models list/rm``, ``trends`` and ``report``."""

from __future__ import annotations

import argparse
import json
import sys

from .common import (
    EXIT_USER_ERROR,
    WIDTH,
    _clip,
    _err,
    _extra,
    _load_model,
    _note,
    _open_corpus,
    _progress,
    _report_skips,
    _signing_key,
    _warn,
    _wrapped,
)


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
        print(
            json.dumps(
                {"model": model.manifest.get("name"), "version": model.manifest.get("version"), "topics": topics},
                indent=2,
            )
        )
        return 0
    print(
        f"{len(topics)} topics of model '{model.manifest.get('name')}' ({model.manifest.get('version')}), largest first"
    )
    print("  topic    size    NPMI  [theme] top words")
    for t in sorted(topics, key=lambda t: -t["size"]):
        coh = f"{t['coherence']:6.3f}" if t["coherence"] is not None else "     -"
        theme = f"[{t['theme']}] " if t.get("theme") else ""
        print(_wrapped(f"  #{t['id']:<4} {t['size']:6.1%}  {coh} ", theme + ", ".join(t["words"]), indent=24))
    print("  (size: share of the training tokens; NPMI: coherence of the top words, -1 to 1, higher is better)")
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    from ..bundle import check_signature, resolve_bundle, verify_bundle
    from ..registry import is_latest

    path = resolve_bundle(args.model, args.artifacts)
    key = _signing_key(args)
    manifest = verify_bundle(path, key=key, require_signature=args.require_signature)
    signature = {
        "verified": "signed, and the signature matches the signing key",
        "unverified": "signed (no signing key given to check it)",
        "unsigned": "unsigned",
    }[check_signature(path, key)]
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
        (
            "articles",
            f"{corpus.get('documents', 0):,} ({corpus.get('labelled_documents', 0):,} labelled, {corpus.get('skipped', 0):,} skipped)",
        ),
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
    return (
        f"{update.get('date', '?')}: {update.get('added', 0):,} of {update.get('documents', 0):,} articles added "
        f"from {update.get('corpus', '?')} (to topics only; was {update.get('from_version', '?')})"
    )


def cmd_models_list(args: argparse.Namespace) -> int:
    from ..bundle import default_artifacts_dir
    from ..registry import list_models

    infos = list_models(args.artifacts, args.name)
    if args.output_format == "json":
        rows = [
            {
                "name": i.name,
                "version": i.version,
                "latest": i.latest,
                "created": i.created,
                "documents": i.documents,
                "themes": list(i.themes),
                "signed": i.signed,
                "updates": list(i.updates),
                "path": str(i.path),
                "problem": i.problem,
            }
            for i in infos
        ]
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
        table.append(
            (
                i.name,
                i.version,
                "*" if i.latest else "",
                (i.created or "?").replace("T", " ")[:16],
                documents,
                "yes" if i.signed else "no",
                i.problem or (f"{len(i.themes)}: {', '.join(i.themes)}" if i.themes else "-"),
            )
        )
    widths = [max(len(row[c]) for row in table) for c in range(len(table[0]) - 1)]
    room = max(12, WIDTH - sum(widths) - 2 * len(widths))
    for row in table:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths)) + "  " + _clip(row[-1], room))
    if any(i.updates for i in infos):
        print("(documents +N: articles added to the topics by `topics update`)")
    return 0


def cmd_models_rm(args: argparse.Namespace) -> int:
    from ..bundle import BundleError
    from ..registry import remove_version

    name, _, version = args.model.partition("@")
    if not version:
        raise BundleError(f"Give the version to remove as NAME@VERSION (see `topics models list {name}`).")
    latest = remove_version(name, version, args.artifacts, force=args.force)
    print(
        f"Removed {name}@{version}; "
        + (f"the latest version is {name}@{latest}." if latest else f"no versions of {name!r} remain.")
    )
    return 0


def cmd_trends(args: argparse.Namespace) -> int:
    from ..trends import topic_trends

    corpus = _open_corpus(args)
    model = _load_model(args)
    trends = topic_trends(model, _progress(args).counting(corpus, "Tagging"), by=args.by)
    _report_skips(corpus)
    if trends.undated:
        _warn(f"{trends.undated:,} article{'' if trends.undated == 1 else 's'} without a readable date left out")
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
    head = (
        f"{'period':<{widths[0]}}  {'articles':>{widths[1]}}  {'top topics (share)':<{widths[2]}}  top themes (share)"
    )
    print(head)
    for period, n, topics, themes in rows:
        print(f"{period:<{widths[0]}}  {n:>{widths[1]}}  {topics:<{widths[2]}}  {themes}")
    print("topics:")
    for k in sorted(shown, key=lambda k: trends.topic_ids[k]):
        print(_clip(f"  #{trends.topic_ids[k]:<3} {trends.topic_labels[k]}", WIDTH))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    write_report = _extra(".report", "write_report", "the report needs pandas and matplotlib", "inspect")

    progress = _progress(args)
    with progress.stage("Loading the model"):
        model = _load_model(args)
    corpus = None
    if args.corpus is not None:
        corpus = _open_corpus(args, limit=args.limit)
    path = write_report(args.out, model, corpus, topn=args.words, by=args.by, progress=progress)
    if corpus is not None:
        _report_skips(corpus)
    _note(args, f"Wrote {path}")
    return 0
