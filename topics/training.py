"""Build a model from a corpus: read, tokenise, learn phrases, topics and themes, save."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable

from .classify import ThemeClassifier
from .corpus import Article, ChainCorpus, Corpus, CorpusError, default_corpus
from .lda import LdaTopicModel
from .model import Model
from .preprocess import Preprocessor
from .taxonomy import Taxonomy, default_taxonomy, load_taxonomy

__all__ = ["train", "theme_seed_tokens"]

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


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
            tokens = preprocessor.join_phrases(preprocessor.tokenize(term))
            if len(tokens) == 1 and tokens[0] not in words:
                words.append(tokens[0])
        out[theme.name] = words
    return out


def train(
    corpus: str | os.PathLike | Corpus | ChainCorpus | Iterable[Article] | None = None,
    *,
    format: str = "auto",
    taxonomy: str | os.PathLike | Taxonomy | None = None,
    n_topics: int | None = None,
    name: str = "default",
    artifacts: str | os.PathLike | None = None,
    save: bool = True,
    random_state: int = 0,
    progress: Progress | None = None,
    show_bar: bool = False,
    signing_key: str | bytes | None = None,
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
    n_topics : int, optional
        Number of LDA topics; chosen from the corpus size when None.
    name : str
        Bundle name under the artifacts folder.
    artifacts : path, optional
        Artifacts folder (default ``$TOPICS_ARTIFACTS`` or ``./artifacts``).
    save : bool
        Save the bundle (atomically) as a new version of ``name``.
    random_state : int
        Seed of every random step: the same input gives the same model.
    progress : callable, optional
        Called with a short message as each stage starts.
    show_bar : bool
        Show a progress bar on standard error while reading the corpus.
    signing_key : str or bytes, optional
        Sign the saved bundle with this key; defaults to ``$TOPICS_SIGNING_KEY``
        (unsigned when neither is set).
    **corpus_options
        Passed to :class:`topics.corpus.Corpus` (``text_field``, ``labels_field``, ...).

    Returns
    -------
    Model
        The trained model; ``model.manifest`` holds the training summary when saved.
    """
    say = progress or _quiet
    started = time.perf_counter()
    if corpus is None:
        corpus = default_corpus()
    elif isinstance(corpus, (str, os.PathLike)):
        corpus = Corpus(corpus, format, **corpus_options)
    if taxonomy is None:
        taxonomy = default_taxonomy()
    elif not isinstance(taxonomy, Taxonomy):
        taxonomy = load_taxonomy(taxonomy)

    say(f"Reading {getattr(corpus, 'description', 'articles')}")
    preprocessor = Preprocessor()
    tokens: list[list[str]] = []
    labels: list[tuple[str, ...] | None] = []
    articles: Iterable[Article] = corpus
    if show_bar:
        from tqdm import tqdm

        articles = tqdm(corpus, unit=" articles", desc="Reading", leave=False, mininterval=0.5)
    for article in articles:
        tokens.append(preprocessor.tokenize(article.full_text))
        labels.append(article.labels)
    report = getattr(corpus, "report", None)
    if not tokens:
        raise CorpusError(f"{getattr(corpus, 'description', 'corpus')}: no articles to train on")

    say(f"Learning phrases from {len(tokens):,} articles")
    preprocessor.fit_tokens(tokens)
    phrased = [preprocessor.join_phrases(t) for t in tokens]

    lda = LdaTopicModel(n_topics=n_topics, random_state=random_state)
    say(f"Training LDA topics (K={n_topics or 'auto'}, {lda.passes} passes)")
    lda.fit(phrased)
    del phrased

    labelled = [i for i, y in enumerate(labels) if y is not None]
    if labelled:
        label_names = sorted({label for i in labelled for label in labels[i]})
        themes = taxonomy.with_names(label_names)
        say(f"Training the theme classifier on {len(labelled):,} labelled articles ({len(label_names)} themes)")
        classifier = ThemeClassifier(themes, random_state=random_state)
        classifier.fit([tokens[i] for i in labelled], [labels[i] for i in labelled])
    else:
        themes = taxonomy
        say(f"Training the theme classifier from the taxonomy's seed terms ({len(themes)} themes)")
        classifier = ThemeClassifier(themes, random_state=random_state)
        classifier.fit(tokens, tokenize=preprocessor.tokenize)

    model = Model(preprocessor, lda, classifier, themes)
    seconds = time.perf_counter() - started
    meta = {
        "corpus": {
            "description": getattr(corpus, "description", "articles"),
            "documents": len(tokens),
            "labelled_documents": len(labelled),
            "skipped": report.n_skipped if report is not None else 0,
        },
        "parameters": {
            "n_topics": lda.n_topics_,
            "passes": lda.passes,
            "random_state": random_state,
            "taxonomy": taxonomy.source,
            "classifier_mode": classifier.mode_,
        },
        "vocabulary": len(lda.dictionary_),
        "phrases": len(preprocessor.phrases_.phrasegrams) if preprocessor.phrases_ is not None else 0,
        "themes": model.themes,
        "training_seconds": round(seconds, 2),
    }
    if save:
        say("Saving the bundle")
        model.save(name=name, artifacts=artifacts, meta=meta, signing_key=signing_key)
    else:
        model.manifest = {"meta": meta}
    return model
