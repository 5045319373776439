"""Measure theme tagging against labelled articles: precision, recall and F1.

:func:`evaluate` scores a trained model on a labelled corpus (a held-out split),
:func:`cross_validate` estimates the quality of training on a labelled corpus
by K-fold cross-validation. Both count with :func:`theme_metrics`:

* only the themes the model knows are scored; a label the model does not know
  is a miss (a false negative in the micro figures, counted in
  ``n_unknown_labels``), since no model could have tagged it;
* macro figures average over the known themes that occur in the evaluation
  articles; a theme the model knows but no article carries (a Reuters topic of
  the training split only) still counts its false positives in the micro figures.

With a model trained on Reuters-21578 ``--split train`` and evaluated on
``--split test``, that is the usual ModApte 90-topic setting (the topics that
occur in both splits) for the macro figures.

:func:`topic_quality` measures a model's topics instead (coherence, diversity,
perplexity) on articles.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from .metrics import indicator_matrices, label_scores

__all__ = [
    "Evaluation",
    "ThemeFigures",
    "evaluate",
    "cross_validate",
    "theme_metrics",
    "topic_quality",
    "training_overlap",
]


@dataclass(frozen=True)
class ThemeFigures:
    """One theme's figures: ``support`` articles carry it, ``predicted`` were tagged with it."""

    name: str
    precision: float
    recall: float
    f1: float
    support: int
    predicted: int


@dataclass
class Evaluation:
    """Figures of a model on labelled articles (see the module docstring for what counts).

    Attributes
    ----------
    micro_precision, micro_recall, micro_f1 : float
        Over every (article, label) pair.
    macro_precision, macro_recall, macro_f1 : float
        Mean over the themes that occur in the articles.
    accuracy : float
        Share of articles whose tags are exactly their labels.
    n_documents : int
        Labelled articles scored (unlabelled ones are left out).
    n_themes : int
        Themes averaged over in the macro figures.
    n_unknown_labels : int
        Labels of themes the model does not know (each one a miss).
    unknown_labels : list of str
    themes : list of ThemeFigures
        Per-theme figures, most frequent theme first.
    seconds : float
        Time spent (reading, tokenising and tagging; training too for cross-validation).
    source : str
        What was measured (the corpus, or the cross-validation).
    training_overlap : float or None
        :func:`evaluate`: the share of the evaluated articles that the model was trained on,
        estimated from the training corpus's fingerprint (:mod:`topics.overlap`); 1.0 when
        the model has no fingerprint but was trained on the same path; None when unknown.
        Figures on training articles say how well the model remembers them, not how well it
        tags new ones.
    """

    micro_precision: float
    micro_recall: float
    micro_f1: float
    macro_precision: float
    macro_recall: float
    macro_f1: float
    accuracy: float
    n_documents: int
    n_themes: int
    n_unknown_labels: int = 0
    unknown_labels: list[str] = field(default_factory=list)
    themes: list[ThemeFigures] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    source: str = ""
    training_overlap: float | None = None

    def to_dict(self) -> dict:
        """Plain JSON-serialisable figures (``topics evaluate --json``)."""
        out = asdict(self)
        for key, value in out.items():
            if isinstance(value, float):
                out[key] = round(value, 4)
        out["themes"] = [{k: round(v, 4) if isinstance(v, float) else v for k, v in t.items()} for t in out["themes"]]
        return out


def theme_metrics(
    true: Sequence[Iterable[str]], predicted: Sequence[Iterable[str]], themes: Sequence[str]
) -> Evaluation:
    """Micro and macro precision/recall/F1 of predicted against true label sets.

    Computed by :func:`topics.metrics.label_scores`: a true label the model does not know
    is a column the model never predicts (a miss in the micro figures), left out of the
    macro mean, which averages over the known themes that occur in ``true``.

    Parameters
    ----------
    true, predicted : sequences of label collections, one per article
    themes : sequence of str
        The themes the model knows; other true labels count as misses.

    Returns
    -------
    Evaluation
    """
    true, predicted = [set(labels) for labels in true], [set(tags) for tags in predicted]
    n = len(true)
    Y, P, unknown = indicator_matrices(true, predicted, themes)
    known = np.arange(Y.shape[1]) < len(themes)
    s = label_scores(Y, P, macro_over=known)
    rows = [
        ThemeFigures(
            str(themes[j]),
            float(s.precision[j]),
            float(s.recall[j]),
            float(s.f1[j]),
            int(s.support[j]),
            int(s.predicted[j]),
        )
        for j in sorted(range(len(themes)), key=lambda j: (-s.support[j], themes[j]))
    ]
    return Evaluation(
        micro_precision=s.micro_precision,
        micro_recall=s.micro_recall,
        micro_f1=s.micro_f1,
        macro_precision=s.macro_precision,
        macro_recall=s.macro_recall,
        macro_f1=s.macro_f1,
        accuracy=sum(labels == tags for labels, tags in zip(true, predicted)) / n if n else 0.0,
        n_documents=n,
        n_themes=s.n_macro,
        n_unknown_labels=sum(unknown.values()),
        unknown_labels=sorted(unknown),
        themes=rows,
    )


def _labelled(corpus, tokenize) -> tuple[list[list[str]], list[tuple[str, ...]]]:
    tokens, labels = [], []
    for article in corpus:
        if article.labels is not None:  # unlabelled articles cannot be scored
            tokens.append(tokenize(article.full_text))
            labels.append(tuple(article.labels))
    return tokens, labels


def _open_corpus(corpus, format: str, corpus_options: dict):
    if isinstance(corpus, (str, os.PathLike)):
        from .corpus import Corpus

        return Corpus(corpus, format, **corpus_options)
    return corpus


def evaluate(model, corpus, *, format: str = "auto", batch_size: int = 1024, **corpus_options) -> Evaluation:
    """Tag labelled articles with a model's themes and compare with their labels.

    Parameters
    ----------
    model : Model, str or path
        A trained model, or a name / ``name@version`` / bundle folder to load.
    corpus : path, Corpus or iterable of Article
        Labelled articles (e.g. Reuters-21578 with ``split="test"``); unlabelled
        ones are left out.
    format : str
        Corpus format when ``corpus`` is a path.
    batch_size : int
        Articles classified together.
    **corpus_options
        Passed to :class:`topics.corpus.Corpus` (``split``, ``labels_field``, ...).

    Returns
    -------
    Evaluation
        ``seconds`` covers reading, tokenising and tagging, so
        ``n_documents / seconds`` is the theme-tagging throughput.

    Examples
    --------
    >>> model = topics.train("reuters21578", format="reuters21578", split="train")  # doctest: +SKIP
    >>> evaluate(model, "reuters21578", format="reuters21578", split="test").micro_f1  # doctest: +SKIP
    """
    from .corpus import CorpusError
    from .model import Model, load

    if not isinstance(model, Model):
        model = load(model)
    corpus = _open_corpus(corpus, format, corpus_options)
    started = time.perf_counter()
    tokens, labels = _labelled(corpus, model.preprocessor.tokenize)
    if not tokens:
        raise CorpusError(f"{getattr(corpus, 'description', 'corpus')}: no labelled articles to evaluate on")
    classifier = model.classifier
    themes = [str(c) for c in classifier.classes_]
    taxonomy = classifier.taxonomy if getattr(classifier, "mode_", None) == "taxonomy" else None
    labels, renamed = as_themes(labels, themes, taxonomy)
    predicted: list[list[str]] = []
    for start in range(0, len(tokens), batch_size):
        P = classifier.predict(tokens[start : start + batch_size])
        predicted += [[themes[j] for j in np.flatnonzero(row)] for row in P]
    result = theme_metrics(labels, predicted, themes)
    result.renamed = renamed
    result.seconds = time.perf_counter() - started
    result.source = getattr(corpus, "description", "articles")
    result.training_overlap = training_overlap(model, tokens, corpus)
    return result


def as_themes(labels: Sequence[Sequence[str]], themes: Sequence[str], taxonomy=None) -> tuple[list[tuple], dict]:
    """Labels read as the model's themes where they name one as people write it: in any case,
    with spaces, hyphens, "&" alike and British spellings folded, or (``taxonomy``) by a
    theme's label or IPTC code (:meth:`topics.taxonomy.Taxonomy.resolve`). A folder named
    "Defence Trade" is the theme defense-trade. Returns the labels and what was renamed;
    labels naming no theme are kept, and count as misses."""
    from .taxonomy import label_key

    known = set(themes)
    keys = {label_key(t): t for t in themes}
    renamed: dict[str, str] = {}

    def theme(label: str) -> str:
        if label in known:
            return label
        found = (taxonomy.resolve(label) if taxonomy is not None else None) or keys.get(label_key(label))
        if found in known:
            renamed[label] = found
            return found
        return label

    return [tuple(theme(label) for label in y) for y in labels], renamed


def training_overlap(model, tokens: Sequence[Sequence[str]], corpus=None) -> float | None:
    """The share of articles (as ``model.preprocessor.tokenize`` tokens) the model was trained on.

    Estimated from the fingerprint training records (:mod:`topics.overlap`); for bundles
    without one, 1.0 when ``corpus`` is the path the model was trained on (a Reuters-21578
    folder holds both splits, so it is not judged by its path), else None.
    """
    from .overlap import Fingerprint, article_hash

    trained = (model.manifest.get("meta") or {}).get("corpus") or {}
    fingerprint = Fingerprint.from_meta(trained.get("fingerprint"))
    if fingerprint is not None:
        checked, found = fingerprint.overlap(article_hash(t) for t in tokens)
        return round(found / checked, 4) if checked else None
    description = getattr(corpus, "description", None)
    if description and description == trained.get("description") and getattr(corpus, "format", "") != "reuters21578":
        return 1.0
    return None


def cross_validate(
    corpus,
    *,
    k: int = 5,
    format: str = "auto",
    random_state: int = 0,
    classifier_params: dict | None = None,
    labels: Iterable[str] | None = None,
    progress=None,
    **corpus_options,
) -> Evaluation:
    """K-fold cross-validated figures of the supervised theme classifier on a labelled corpus.

    Folds are stratified by label when every article has exactly one label,
    shuffled with ``random_state`` otherwise. Each fold trains
    :class:`topics.classify.ThemeClassifier` with the default settings (or
    ``classifier_params``) on the other folds; the figures pool every fold's predictions.

    Parameters
    ----------
    corpus : path, Corpus or iterable of Article
    k : int
    format : str
    random_state : int
    classifier_params : dict, optional
    labels : iterable of str, optional
        Only these labels, as :func:`topics.train` with ``labels``: others are
        dropped, and articles left without labels are left out.
    progress : callable, optional
        ``progress(done, total, detail)`` as each fold starts (e.g.
        :meth:`topics.progress.Stage.set`).
    **corpus_options
        Passed to :class:`topics.corpus.Corpus`.

    Returns
    -------
    Evaluation
    """
    from sklearn.model_selection import KFold, StratifiedKFold

    from .classify import ThemeClassifier
    from .corpus import CorpusError
    from .preprocess import Preprocessor

    corpus = _open_corpus(corpus, format, corpus_options)
    started = time.perf_counter()
    keep = None if labels is None else set(labels)
    tokens, labels = _labelled(corpus, Preprocessor().tokenize)
    if keep is not None:
        kept = [(t, y) for t, y in zip(tokens, ((label for label in y if label in keep) for y in labels))]
        pairs = [(t, tuple(y)) for t, y in kept]
        pairs = [(t, y) for t, y in pairs if y]
        tokens, labels = [t for t, _ in pairs], [y for _, y in pairs]
    if len(tokens) < k:
        raise CorpusError(
            f"{getattr(corpus, 'description', 'corpus')}: {len(tokens)} labelled articles, "
            f"too few for {k}-fold cross-validation"
        )
    single = all(len(y) == 1 for y in labels)
    if single:
        splits = StratifiedKFold(k, shuffle=True, random_state=random_state).split(tokens, [y[0] for y in labels])
    else:
        splits = KFold(k, shuffle=True, random_state=random_state).split(tokens)
    predicted: list[list[str]] = [[] for _ in tokens]
    themes = sorted({label for y in labels for label in y})
    for fold, (train, test) in enumerate(splits):
        if progress:
            progress(fold, k, f"fold {fold + 1}")
        clf = ThemeClassifier(random_state=random_state, **(classifier_params or {}))
        clf.fit([tokens[i] for i in train], [labels[i] for i in train])
        P = clf.predict([tokens[i] for i in test])
        for row, i in zip(P, test):
            predicted[i] = [str(clf.classes_[j]) for j in np.flatnonzero(row)]
    if progress:
        progress(k, k, "")
    result = theme_metrics(labels, predicted, themes)
    result.seconds = time.perf_counter() - started
    result.source = f"{k}-fold cross-validation on {getattr(corpus, 'description', 'articles')}"
    return result


def topic_quality(model, corpus, *, format: str = "auto", progress=None, **corpus_options) -> dict:
    """Quality of a model's topics on articles: coherence (NPMI, c_v), diversity and perplexity.

    The articles, tokenised as the model tokenises, are both the reference texts of the
    coherence measures and the held-out texts of the perplexity.

    Parameters
    ----------
    model : Model, str or path
        A trained model, or a name / ``name@version`` / bundle folder to load.
    corpus : path, Corpus or iterable of Article
    format : str
        Corpus format when ``corpus`` is a path.
    progress : topics.progress.Progress or callable, optional
        Shows reading the articles and each measure.
    **corpus_options
        Passed to :class:`topics.corpus.Corpus`.

    Returns
    -------
    dict
        As :func:`topics.quality.evaluate_topics` with ``heldout``.

    Raises
    ------
    topics.corpus.CorpusError
        When the corpus holds no articles.
    """
    from .corpus import CorpusError
    from .model import Model, load
    from .progress import as_progress
    from .quality import evaluate_topics

    if not isinstance(model, Model):
        model = load(model)
    corpus = _open_corpus(corpus, format, corpus_options)
    progress = as_progress(progress)
    texts = model.preprocessor.transform(a.full_text for a in progress.counting(corpus, "Reading articles"))
    if not texts:
        raise CorpusError("no articles to evaluate on")
    with progress.stage("Measuring topic quality", None, "measure") as stage:
        return evaluate_topics(model.lda, texts, heldout=texts, progress=stage.set)
