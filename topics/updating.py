"""Fold new articles into a trained model's topics (``topics update``): online LDA, no
retraining; the bundle is saved as a new version with the update recorded in its manifest."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from datetime import UTC

from .bundle import SIGNATURE, SIGNING_KEY_ENV, BundleError, resolve_signing_key
from .corpus import Article, ChainCorpus, Corpus, CorpusError
from .model import Model
from .progress import Progress, as_progress
from .quality import evaluate_topics

__all__ = ["update"]


def update(
    model: str | os.PathLike | None,
    corpus: str | os.PathLike | Corpus | ChainCorpus | Iterable[Article],
    *,
    format: str = "auto",
    name: str | None = None,
    artifacts: str | os.PathLike | None = None,
    save: bool = True,
    progress: Progress | Callable[[str], None] | None = None,
    signing_key: str | bytes | None = None,
    require_signature: bool = False,
    **corpus_options,
) -> Model:
    """Fold new articles into a trained model's topics and save it as a new bundle version.

    The topic model is updated online (gensim ``LdaModel.update``) instead of retrained:
    its vocabulary, phrases and theme classifier stay as trained, and words the model
    has never seen are ignored. The manifest records each update.

    Parameters
    ----------
    model : str or path
        The model to update (name, ``name@version`` or bundle folder).
    corpus : path, Corpus or iterable of Article
        The new articles.
    name : str, optional
        Bundle name to save under (default: the model's own name).
    signing_key : str or bytes, optional
        Checks the model's signature (if it has one) and signs the new version;
        defaults to ``$TOPICS_SIGNING_KEY``.
    require_signature : bool
        Refuse to update an unsigned model (see :func:`topics.model.load`).
    """
    from datetime import datetime

    from .model import load

    progress = as_progress(progress)
    started = time.perf_counter()
    # The key that signs the new version also checks the one it is built on.
    current = load(model, artifacts, key=signing_key, require_signature=require_signature)
    if (
        save
        and current.path is not None
        and (current.path / SIGNATURE).is_file()
        and resolve_signing_key(signing_key) is None
    ):
        raise BundleError(
            f"Model bundle {current.path} is signed: updating it needs the signing key (set "
            f"${SIGNING_KEY_ENV} or pass --signing-key-file), or its new version would be unsigned."
        )
    if isinstance(corpus, (str, os.PathLike)):
        corpus = Corpus(corpus, format, **corpus_options)
    hint = corpus.size_hint() if hasattr(corpus, "size_hint") else None
    phrased = current.preprocessor.transform(a.full_text for a in progress.iter(corpus, "Reading articles", hint))
    description = getattr(corpus, "description", "corpus")
    if not phrased:
        raise CorpusError(f"{description}: no articles to add")
    before = current.lda.n_documents_
    with progress.stage(f"Updating the topics with {len(phrased):,} articles"):
        current.lda.partial_fit(phrased)
    added = current.lda.n_documents_ - before
    meta = dict(current.manifest.get("meta", {}))
    topics_meta = dict(meta.get("topics", {}))
    topics_meta["trained_documents"] = current.lda.n_documents_
    topics_meta["ids"] = current.lda.topic_ids()
    if added and getattr(current.lda, "lineage_", None) is not None:
        topics_meta["lineage"] = {"previous_version": current.manifest.get("version"), **current.lda.lineage_}
    if len(phrased) >= 100:  # coherence over a handful of articles means nothing
        with progress.stage("Measuring topic coherence on the new articles", None, "measure") as stage:
            topics_meta["quality"] = evaluate_topics(current.lda, phrased, measures=("c_npmi",), progress=stage.set)
    elif "quality" in topics_meta:
        topics_meta["quality"] = {**topics_meta["quality"], "before_update": True}
    topics_meta["updates"] = list(topics_meta.get("updates", [])) + [
        {
            "corpus": description,
            "documents": len(phrased),
            "added": added,
            "from_version": current.manifest.get("version"),
            "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "seconds": round(time.perf_counter() - started, 2),
        }
    ]
    meta["topics"] = topics_meta
    if save:
        with progress.stage("Saving the bundle", None, "file"):
            current.save(
                name=name or current.manifest.get("name") or "default",
                artifacts=artifacts,
                meta=meta,
                signing_key=signing_key,
            )
    else:
        current.manifest = {"meta": meta}
    return current
