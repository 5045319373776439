"""Build a model from a corpus: read, tokenise, learn phrases, topics and themes, save."""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Callable, Iterable

import numpy as np

from .bundle import BundleError
from .classify import ThemeClassifier
from .corpus import Article, ChainCorpus, Corpus, CorpusError, default_corpus
from .lda import LdaTopicModel
from .mixture import MixtureTopicModel, is_short_corpus
from .model import Model
from .overlap import Fingerprint, article_hash
from .preprocess import Preprocessor
from .progress import Progress, as_progress
from .quality import (
    default_k_range,
    evaluate_topics,
    parse_k_range,
    sweep_reason,
    sweep_topics,
)
from .taxonomy import Taxonomy, default_taxonomy, load_taxonomy
from .tokens import Subset, TokenStore
from .updating import update  # `topics update` lives in topics.updating; importable from here too

__all__ = ["STAGES", "train", "update", "modapte_labels", "theme_seed_tokens", "fit_topic_model", "topic_model_for"]

COHERENCE_SAMPLE = 20_000  # articles topic coherence is measured on at training time


# Stages of `train`, in order, as timed in the manifest's "stage_seconds".
STAGES = ("reading", "phrases", "duplicates", "vocabulary", "lda", "coherence", "classifier")


def theme_seed_tokens(taxonomy: Taxonomy, preprocessor: Preprocessor) -> dict[str, list[str]]:
    """Theme → its seed terms as single topic-model tokens (guided topics' priors).

    A seed counts when it becomes one token (``oil``, or ``natural_gas`` when the
    preprocessor learned that phrase): the words of a split multi-word seed are too
    generic on their own.
    """
    out: dict[str, list[str]] = {}
    for theme in taxonomy:
        words: list[str] = []
        for term in theme.seeds:
            tokens = preprocessor.transform([term])[0]
            if len(tokens) == 1 and tokens[0] not in words:
                words.append(tokens[0])
        out[theme.name] = words
    return out


def topic_model_for(
    phrased, n_topics: int | None = None, seed_topics: dict[str, list[str]] | None = None, random_state: int = 0
) -> LdaTopicModel | MixtureTopicModel:
    """The (unfitted) topic model ``topics train`` uses for a corpus's topic tokens (phrases joined).

    Short texts (median at most :data:`topics.mixture.SHORT_TEXT_TOKENS` tokens: headlines,
    leads) get a one-topic-per-document mixture, which scores far above LDA on them
    (``benchmarks/topic_models.py``, short-text corpus); other corpora get LDA.
    """
    cls = MixtureTopicModel if is_short_corpus(phrased) else LdaTopicModel
    return cls(n_topics=n_topics, seed_topics=seed_topics, random_state=random_state)


def fit_topic_model(
    phrased, n_topics: int | None = None, seed_topics: dict[str, list[str]] | None = None, random_state: int = 0
) -> LdaTopicModel | MixtureTopicModel:
    """:func:`topic_model_for`, fitted."""
    return topic_model_for(phrased, n_topics, seed_topics, random_state).fit(phrased)


def _previous_topics(name: str, artifacts, signing_key) -> tuple:
    """The topic model of the latest saved version of ``name`` (only it is kept: training
    goes on meanwhile) and what the lineage says of that version, or (None, None) when there
    is none. A version that cannot be loaded (modified, signed with another key, another
    toolkit version) lends nothing: a warning says so and the lineage says why."""
    import warnings

    from .model import load
    from .registry import list_versions

    if not list_versions(name, artifacts):
        return None, None
    try:
        previous = load(name, artifacts, key=signing_key)
    except BundleError as exc:
        warnings.warn(f"new topic ids: the previous version of {name!r} cannot be loaded ({exc})", stacklevel=3)
        return None, {"previous_version": None, "unreadable": str(exc)}
    return previous.lda, {"previous_version": previous.manifest.get("version")}


def _align_with_previous(lda, name: str, previous, info: dict | None, progress: Progress) -> dict | None:
    """Keep the topic ids of the previous version's topic model (see :mod:`topics.lineage`);
    the lineage, or None when there is no previous version."""
    if previous is None:
        return info
    with progress.stage(f"Matching the topics to {name}@{info['previous_version']}'s", None, "step"):
        return {**info, **lda.align_to(previous)}


def _labelled_examples(
    examples, preprocessor: Preprocessor, taxonomy: Taxonomy
) -> list[tuple[list[str], tuple[str, ...]]]:
    """(tokens, labels) of the labelled examples; a label the taxonomy lacks is a user error."""
    if examples is None:
        return []
    if isinstance(examples, (str, os.PathLike)):
        examples = Corpus(examples, "jsonl")
    out, source = [], getattr(examples, "description", "labelled examples")
    for article in examples:
        # "Security", "Defence trade": labels name themes as people write them
        labels = tuple(taxonomy.resolve(label) or label for label in article.labels or ())
        unknown = [label for label in labels if label not in taxonomy.names]
        if unknown:
            raise CorpusError(
                f"{source}: article {article.id!r} is labelled {', '.join(unknown)}, "
                f"which the taxonomy does not have (themes: {', '.join(taxonomy.names)})"
            )
        out.append((preprocessor.tokenize(article.full_text), labels))
    report = getattr(examples, "report", None)
    if not out:
        why = f" ({report.summary()})" if report is not None and report.problems else ""
        raise CorpusError(f"{source}: no labelled examples found{why}")
    if report is not None and report.n_skipped:
        warnings.warn(f"labelled examples: {source}: {report.summary()}", stacklevel=2)
    return out


def modapte_labels(corpus) -> set[str] | None:
    """The labels to train on for the usual ModApte setting, or None (train on every label).

    A Reuters-21578 corpus read with a ``split`` trains on the topics that occur in both
    splits (the 90 of ModApte, :func:`topics.corpus.reuters_common_labels`); other corpora
    on all their labels. This reads both splits once.
    """
    if getattr(corpus, "format", None) != "reuters21578" or not getattr(corpus, "split", None):
        return None
    from .corpus import reuters_common_labels

    path = corpus.url or corpus.path
    return reuters_common_labels(
        Corpus(path, "reuters21578", split="train"), Corpus(path, "reuters21578", split="test")
    )


def train(
    corpus: str | os.PathLike | Corpus | ChainCorpus | Iterable[Article] | None = None,
    *,
    format: str = "auto",
    taxonomy: str | os.PathLike | Taxonomy | None = None,
    n_topics: int | str | list[int] | None = None,
    name: str = "default",
    artifacts: str | os.PathLike | None = None,
    save: bool = True,
    random_state: int = 0,
    progress: Progress | Callable[[str], None] | None = None,
    show_bar: bool = False,
    signing_key: str | bytes | None = None,
    labels: Iterable[str] | None = None,
    classifier_options: dict | None = None,
    examples: str | os.PathLike | Iterable[Article] | None = None,
    **corpus_options,
) -> Model:
    """Train a model bundle: preprocessor, LDA topics and a theme classifier.

    Parameters
    ----------
    corpus : path, Corpus or iterable of Article, optional
        Training articles. None uses the default corpus (gensim's Lee news
        corpus plus the articles in ``seeds/``).
    format : str
        Corpus format when ``corpus`` is a path (see :data:`topics.corpus.FORMATS`).
    taxonomy : path or Taxonomy, optional
        Themes; the shipped default when None.
    n_topics : int, "auto", "START:STOP[:STEP]" or list of int, optional
        Number of LDA topics; chosen from the corpus size when None. "auto", a range or
        a list trains one model per K and keeps the most coherent (see
        :func:`topics.quality.sweep_topics`); the sweep is recorded in the manifest.
    name : str
        Bundle name under the artifacts folder.
    artifacts : path, optional
        Artifacts folder (default ``$TOPICS_ARTIFACTS`` or ``./artifacts``).
    save : bool
        Save the bundle (atomically) as a new version of ``name``.
    random_state : int
        Seed of every random step: the same input gives the same model.
    progress : topics.progress.Progress or callable, optional
        Shows each stage (reading, phrases, topics, coherence, themes, saving) with its
        count, total and ETA; a plain callable is called with each stage's name instead.
    show_bar : bool
        Without ``progress``: show the stages on standard error when it is a terminal.
    signing_key : str or bytes, optional
        Sign the saved bundle with this key; defaults to ``$TOPICS_SIGNING_KEY``
        (unsigned when neither is set).
    labels : iterable of str, optional
        Train the theme classifier on these labels only: other labels are dropped,
        and an article left without labels does not train the classifier (it still
        trains the topics). E.g. the 90 Reuters-21578 topics of both ModApte splits,
        :func:`topics.corpus.reuters_common_labels` (see :func:`modapte_labels`).
    examples : path or iterable of Article, optional
        A few labelled articles (a JSONL file of ``id``/``text``/``labels``, or Articles
        with ``labels``) that sharpen themes learned from the taxonomy (``topics train
        --labels FILE``): see :meth:`topics.classify.ThemeClassifier.fit`. Their labels
        must be theme names of the taxonomy. Ignored when the corpus itself is labelled.
    classifier_options : dict, optional
        Parameters of the :class:`topics.classify.ThemeClassifier`, e.g.
        ``{"out_of_core_above": 20_000}``; recorded in the manifest.
    **corpus_options
        Passed to :class:`topics.corpus.Corpus` (``text_field``, ``labels_field``, ...).

    Returns
    -------
    Model
        The trained model; ``model.manifest`` holds the training summary when saved.
    """
    progress = as_progress(progress, show_bar)
    started = time.perf_counter()
    keep = None if labels is None else set(labels)
    if corpus is None:
        corpus = default_corpus()
    elif isinstance(corpus, (str, os.PathLike)):
        corpus = Corpus(corpus, format, **corpus_options)
    if taxonomy is None:
        taxonomy = default_taxonomy()
    elif not isinstance(taxonomy, Taxonomy):
        taxonomy = load_taxonomy(taxonomy)

    preprocessor = Preprocessor()
    # Tokens go to a temporary file, read back by each stage: memory stays flat as the corpus grows.
    tokens = TokenStore()
    topic_tokens = TokenStore()  # without boilerplate lines: what phrases and topics learn from
    labels: list[tuple[str, ...] | None] = []
    fingerprint = Fingerprint()  # which articles it learnt from: evaluating on them is flagged
    extra_seconds = 0.0  # fingerprint and display forms: not the classifier's cost (benchmarks compare that)
    surface = preprocessor.surface_counter()  # forms as written: what topic words are shown as
    hint = corpus.size_hint() if hasattr(corpus, "size_hint") else None
    with progress.stage("Reading articles", hint) as stage:
        for article in corpus:
            text = article.full_text
            article_tokens = preprocessor.tokenize(text)
            tokens.append(article_tokens)
            topic_tokens.append(preprocessor.topic_tokenize(text, article_tokens))
            labels.append(article.labels)
            extra_started = time.perf_counter()
            fingerprint.add(article_hash(article_tokens))
            surface.add(text)
            extra_seconds += time.perf_counter() - extra_started
            stage.update()
    report = getattr(corpus, "report", None)
    description = getattr(corpus, "description", "corpus")
    if not tokens:
        why = f" ({report.summary()})" if report is not None and report.problems else ""
        raise CorpusError(f"{description}: no articles to train on{why}")
    reading_seconds = time.perf_counter() - started - extra_seconds
    # Seconds per stage, for the manifest; every stage but the classifier's fits runs in this
    # process (README "Tagging at scale" says why).
    stages: dict[str, float] = {"reading": time.perf_counter() - started}
    lap = [time.perf_counter()]

    def done(stage: str) -> None:
        now = time.perf_counter()
        stages[stage] = stages.get(stage, 0.0) + now - lap[0]
        lap[0] = now

    with progress.stage("Learning phrases", len(tokens)) as stage:
        preprocessor.fit_tokens(_ticking(topic_tokens, stage), surface_counts=surface)
        del surface
    with progress.stage("Joining phrases", len(tokens)) as stage:
        phrased = TokenStore(preprocessor.join_phrases(t) for t in _ticking(topic_tokens, stage))
    topic_tokens.close()
    done("phrases")

    seeds = theme_seed_tokens(taxonomy, preprocessor)
    previous, previous_info = _previous_topics(name, artifacts, signing_key) if save else (None, None)
    sweep = None
    try:
        if isinstance(n_topics, (str, list, tuple, range)):  # "auto", "10:60:5" or a list of Ks
            ks = parse_k_range(n_topics) if isinstance(n_topics, str) else list(n_topics)
            ks = ks or default_k_range(len(tokens))
            with progress.stage("Choosing the number of topics by coherence", len(ks), "model") as stage:
                kind = type(topic_model_for(phrased))  # a mixture for short texts
                best, rows, models = sweep_topics(
                    lambda k: kind(n_topics=k, seed_topics=seeds, random_state=random_state),
                    phrased,
                    ks,
                    stage.set,
                )
            lda = models[best]
            sweep = {"rows": rows, "chosen": best, "reason": sweep_reason(rows)}
        else:
            lda = topic_model_for(phrased, n_topics, seeds, random_state)
            # A short-text mixture retrained under an existing name starts from the previous
            # version's topics, so that they (and their ids) persist; LDA keeps ids by matching alone.
            warm = {}
            if isinstance(lda, MixtureTopicModel) and isinstance(previous, MixtureTopicModel):
                warm["init"] = previous
            with progress.stage(
                f"Training topics (K={n_topics or 'auto'}, {lda.passes} passes"
                + (", from the previous version's topics)" if warm else ")"),
                None,
                "document",
            ) as stage:
                lda.fit(phrased, progress=stage.set, timings=stages, **warm)
    except ValueError as exc:  # too few or too alike articles: a problem of the input, not a crash
        raise CorpusError(
            f"{description}: cannot learn topics from {len(tokens):,} "
            f"article{'' if len(tokens) == 1 else 's'} ({exc}); train on more, varied articles"
        ) from exc
    lap[0] = time.perf_counter()
    if sweep:
        stages["lda"] = sum(r["seconds"] for r in sweep["rows"])  # every K's duplicates, vocabulary and LDA
    with progress.stage("Measuring topic coherence", None, "measure") as stage:
        # On an even sample: co-occurrence counts over a few ten thousand articles estimate NPMI well.
        sample = set(np.linspace(0, len(phrased) - 1, min(len(phrased), COHERENCE_SAMPLE)).astype(int).tolist())
        texts = [t for i, t in enumerate(phrased) if i in sample]
        quality = evaluate_topics(
            lda, texts, measures=("c_npmi", "c_v") if len(texts) <= 5000 else ("c_npmi",), progress=stage.set
        )
        del texts
    phrased.close()
    done("coherence")

    if keep is not None:
        labels = [None if y is None else (tuple(label for label in y if label in keep) or None) for y in labels]
    labelled = [i for i, y in enumerate(labels) if y is not None]
    classifier_started = time.perf_counter()
    options = {"random_state": random_state, **(classifier_options or {})}
    shots: list = []
    if labelled:
        label_names = sorted({label for i in labelled for label in labels[i]})
        themes = taxonomy.with_names(label_names)
        with progress.stage(
            f"Training the theme classifier ({len(label_names)} themes, {len(labelled):,} labelled articles)",
            None,
            "step",
        ) as stage:
            classifier = ThemeClassifier(themes, **options)
            classifier.fit(Subset(tokens, labelled), [labels[i] for i in labelled], progress=stage.say)
    else:
        themes = taxonomy
        shots = _labelled_examples(examples, preprocessor, taxonomy)
        with progress.stage(
            f"Training the theme classifier ({len(themes)} themes, from the taxonomy's seed terms"
            + (f" and {len(shots):,} labelled example{'' if len(shots) == 1 else 's'})" if shots else ")"),
            None,
            "step",
        ):
            classifier = ThemeClassifier(themes, **options)
            classifier.fit(tokens, tokenize=preprocessor.tokenize, examples=shots)
    tokens.close()

    classifier_seconds = time.perf_counter() - classifier_started
    model = Model(preprocessor, lda, classifier, themes)
    lineage = _align_with_previous(lda, name, previous, previous_info, progress) if save else None
    seconds = time.perf_counter() - started
    meta = {
        "corpus": {
            "description": getattr(corpus, "description", "articles"),
            "documents": len(tokens),
            "labelled_documents": len(labelled),
            "skipped": report.n_skipped if report is not None else 0,
            "fingerprint": fingerprint.to_meta(),
            **({"labelled_examples": len(shots)} if not labelled and shots else {}),
        },
        "parameters": {
            "n_topics": lda.n_topics_,
            "topic_model": type(lda).__name__,
            "passes": lda.passes,
            "lda": {k: v for k, v in lda.get_params().items() if k != "seed_topics"},
            "random_state": random_state,
            "taxonomy": taxonomy.source,
            "classifier_mode": classifier.mode_,
            **({"classifier": dict(classifier_options)} if classifier_options else {}),
        },
        "vocabulary": len(lda.dictionary_),
        "phrases": len(preprocessor.phrases_.phrasegrams) if preprocessor.phrases_ is not None else 0,
        "themes": model.themes,
        "topics": {
            "guided_themes": lda.guided_themes_,
            "duplicates_dropped": {"exact": lda.n_duplicates_[0], "near": lda.n_duplicates_[1]},
            "trained_documents": lda.n_documents_,
            "quality": quality,
            "ids": lda.topic_ids(),
            **({"lineage": lineage} if lineage else {}),
            **({"sweep": sweep} if sweep else {}),
        },
        "training_seconds": round(seconds, 2),
        "stage_seconds": {k: round(v, 2) for k, v in {**stages, "classifier": classifier_seconds}.items()},
        # The theme classifier's own cost (reading and tokenising the corpus + fitting),
        # without phrases and LDA: what benchmarks compare with a plain classifier.
        "classifier": {
            "seconds": round(reading_seconds + classifier_seconds, 2),
            "fit_seconds": round(classifier_seconds, 2),
            **({"cv": classifier.cv_scores_} if getattr(classifier, "cv_scores_", None) else {}),
        },
    }
    if save:
        with progress.stage("Saving the bundle", None, "file"):
            model.save(name=name, artifacts=artifacts, meta=meta, signing_key=signing_key)
    else:
        model.manifest = {"meta": meta}
    return model


def _ticking(items: Iterable, stage) -> Iterable:
    """``items``, counting each one on a progress stage."""
    for item in items:
        yield item
        stage.update()
