"""Per-theme linear SVMs learned out of core, for labelled corpora too large to hold.

The exact learner (:class:`topics.classify.ThemeClassifier` below its
``out_of_core_above`` size) holds the whole TF-IDF matrix, its cross-validation
copies and liblinear's copy per worker: memory grows with the corpus. Here each
theme's SVM is learned by stochastic gradient descent (scikit-learn's
``SGDClassifier.partial_fit``) over blocks of articles read from the token store in
a fresh random order every epoch, so memory holds one block and the weights,
however many articles there are. The penalty is the exact learner's ``1 / (C · n)``,
which also keeps SGD's step sizes the same at any ``n``.

Choices measured on a development split of the Reuters-21578 training set (80/20,
6,216 / 1,554 articles, 90 topics) and on 8× as many distinct articles: plain SGD
beat averaged SGD (micro/macro F1 0.900/0.505 vs 0.893/0.472; 0.862/0.499 vs
0.859/0.467), hinge beat squared hinge, modified Huber and log loss, and 10 epochs
did no better than 5. The exact learner scored 0.906/0.560 on the first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import scipy.sparse as sp

__all__ = ["fit_sgd"]

_CLASSES = np.array([0, 1])
_STATE_BYTES = 256 << 20  # SGD weights held at once; more themes are learned in groups, a pass each


def fit_sgd(
    X: Sequence[Sequence[str]],
    Y: sp.csr_matrix,
    rows: np.ndarray,
    vectorizer,
    *,
    C: float = 1.0,
    epochs: int = 5,
    n_jobs: int = -1,
    random_state: int = 0,
    block: int = 4096,
    progress: Callable[[str], None] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """One linear SVM per column of ``Y``, from the articles ``X[rows]``.

    Parameters
    ----------
    X : sequence of token lists
        Read by index, ``block`` articles at a time (a :class:`topics.tokens.TokenStore`
        or a view of one keeps them on disk).
    Y : sparse matrix (n_articles, n_themes)
        Binary labels of every article of ``X``.
    rows : ndarray of int
        The articles to learn from.
    vectorizer : fitted :class:`topics.features.NgramTfidfVectorizer`
    C : float
        Inverse regularisation, as for ``LinearSVC``: the penalty is ``1 / (C · len(rows))``.
    epochs : int
        Passes over ``rows``, each in a new random order.
    n_jobs : int
        Threads sharing a block's themes (SGD releases the GIL). Always local
        threads: the models are updated in place, block after block.
    random_state : int

    Returns
    -------
    coef : ndarray (n_themes, n_features) of float32
    intercept : ndarray (n_themes,)
    """
    from joblib import Parallel, delayed
    from sklearn.linear_model import SGDClassifier

    say = progress or (lambda _: None)
    Y = sp.csr_matrix(Y)
    n_features, n_themes = len(vectorizer.vocabulary_), Y.shape[1]
    coef = np.zeros((n_themes, n_features), dtype=np.float32, order="F")  # as ThemeClassifier keeps it: no copy
    n_pos = np.asarray(Y[rows].sum(axis=0)).ravel()
    intercept = np.where(n_pos == 0, -1.0, 1.0)  # themes with one class only: a constant model
    live = np.flatnonzero((n_pos > 0) & (n_pos < len(rows)))
    per_group = max(1, _STATE_BYTES // (4 * n_features))  # float32 weights
    groups = [live[i : i + per_group] for i in range(0, len(live), per_group)]
    alpha = 1.0 / (C * len(rows))
    with Parallel(n_jobs=n_jobs, backend="threading") as parallel:
        for g, themes in enumerate(groups):
            models = [SGDClassifier(loss="hinge", alpha=alpha, random_state=random_state) for _ in themes]
            for epoch in range(epochs):
                say(
                    f"themes: SGD epoch {epoch + 1}/{epochs}"
                    + (f", group {g + 1}/{len(groups)}" if len(groups) > 1 else "")
                )
                order = np.random.default_rng([random_state, epoch]).permutation(rows)
                for start in range(0, len(order), block):
                    part = order[start : start + block]
                    F = vectorizer.transform([X[int(i)] for i in part])
                    y = Y[part][:, themes].toarray()
                    parallel(delayed(m.partial_fit)(F, y[:, j], classes=_CLASSES) for j, m in enumerate(models))
            for t, m in zip(themes, models):
                coef[t] = m.coef_[0]
                intercept[t] = m.intercept_[0]
    return coef, intercept
