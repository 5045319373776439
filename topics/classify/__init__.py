"""Multi-label theme classification.

Two ways to learn themes, behind one estimator (:class:`ThemeClassifier`, in
:mod:`.classifier`: its parameters, ``fit``, scoring, tagging and explaining):

* **supervised** (:mod:`.supervised`): the corpus carries labels (JSONL ``labels``, a CSV
  label column, a folder per label). One linear SVM per theme over TF-IDF word and
  bigram features scaled by naive-Bayes log-count ratios (NBSVM), with scores
  calibrated (Platt) and a decision threshold per theme, both learned from
  cross-validated scores on the training data.
* **from the taxonomy** (no labels, :mod:`.zero_label`): the taxonomy's seed terms are
  matched in every training article (:class:`topics.evidence.SeedMatcher`); articles with
  strong evidence become weak positives, those with none weak negatives, and a classifier
  learns from them which *other* words go with each theme. A tag's score
  combines the seed evidence (:mod:`topics.evidence`) with that classifier,
  weighted by how many weak positives the classifier had to learn from.

:mod:`.scoring` holds what both share: the tagging decision, the F1-best threshold and the
:class:`ThemeScore` rows. Inputs are token lists from
:meth:`topics.preprocess.Preprocessor.tokenize`.

Saved bundles refer to ``topics.classify.ThemeClassifier`` (and, from older versions,
``topics.classify._ngrams`` and ``topics.classify.SeedMatcher``): those names stay here.
"""

from __future__ import annotations

from ..evidence import SeedMatcher  # noqa: F401  old bundles' pickles name it here, where it was defined once
from ..features import ngrams
from .classifier import ThemeClassifier
from .scoring import CompactScores, ThemeScore, ranked_theme_scores, theme_scores

# The helpers code and tests imported from the single module, importable from here still.
from .scoring import best_threshold as _best_threshold  # noqa: F401
from .scoring import even as _even  # noqa: F401
from .scoring import sigmoid as _sigmoid  # noqa: F401
from .supervised import _fit_svms, _platt  # noqa: F401

__all__ = ["CompactScores", "ThemeClassifier", "ThemeScore", "ranked_theme_scores", "theme_scores"]

_ngrams = ngrams  # the name bundles saved before topics.features existed refer to
