"""A trained model: preprocessor, topic model, theme classifier and taxonomy, saved as one bundle."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .bundle import BundleError, load_bundle, read_manifest, resolve_bundle, save_bundle
from .classify import ThemeClassifier
from .display import join_split_phrases
from .lda import LdaTopicModel
from .mixture import MixtureTopicModel
from .preprocess import Preprocessor
from .taxonomy import Taxonomy
from .topicbase import topic_label

__all__ = ["Model", "load"]

_PARTS = ("preprocessor", "lda", "classifier", "taxonomy")


@dataclass
class Model:
    """Everything needed to tag an article, as trained together.

    Attributes
    ----------
    preprocessor : Preprocessor
    lda : LdaTopicModel or MixtureTopicModel
        The topic model (a mixture for short-text corpora).
    classifier : ThemeClassifier
    taxonomy : Taxonomy
    manifest : dict
        The bundle manifest (versions, corpus, parameters, file hashes); empty before saving.
    path : Path or None
        The bundle folder it was saved to or loaded from.
    """

    preprocessor: Preprocessor
    lda: LdaTopicModel | MixtureTopicModel
    classifier: ThemeClassifier
    taxonomy: Taxonomy
    manifest: dict = field(default_factory=dict)
    path: Path | None = None

    @property
    def themes(self) -> list[str]:
        """Theme names, in the classifier's order."""
        return [str(c) for c in self.classifier.classes_]

    # -- what a reader sees: words in their usual written form -----------------------------
    def display(self, token: str) -> str:
        """A token as shown to a reader (``hama`` → ``Hamas``; see :meth:`Preprocessor.display`)."""
        return self.preprocessor.display(token)

    def topic_words(self, topic: int, topn: int = 10) -> list[tuple[str, float]]:
        """The ``topn`` top words of ``topic`` as shown to a reader, with their probabilities
        P(word | topic): usual written forms, contractions such as ``im`` left out, pieces of
        one name joined (:func:`topics.display.join_split_phrases`). LDA topics
        rank their words by how distinctive they are of the topic's articles (see
        :class:`topics.lda.LdaTopicModel`'s ``rank_words``)."""
        pre = self.preprocessor
        pairs = [(w, p) for w, p in self.lda.topic_words(topic, topn + 20) if not pre.is_display_junk(w)]
        phrases = pre.phrases_.phrasegrams if getattr(pre, "phrases_", None) is not None else {}
        # pieces of one longer name shown as one ("New South" + "Wales": "New South Wales")
        joined = join_split_phrases([w for w, _ in pairs], phrases, pre.is_name)
        return [(pre.display("_".join(words)), pairs[i][1]) for i, words in joined][:topn]

    def topic_label(self, topic: int) -> str:
        """A short label: the topic's theme, if any, and its best phrase or two first words, as
        a reader knows them (``security: West Bank``, ``Iraq, troops``; see
        :meth:`topics.topicbase.TopicsMixin.topic_label`)."""
        pre = self.preprocessor
        words = [(w, p) for w, p in self.lda.topic_words(topic, 25) if not pre.is_display_junk(w)]
        return topic_label(words, self.lda.topics_themes()[topic], pre.display)

    def topics(self, topn: int = 10) -> list[dict]:
        """Every topic as ``{"id", "size", "label", "theme", "words"}``, in position order, with
        words as shown to a reader (:meth:`topic_words`); ``id`` is the topic's stable id
        (kept across retraining and updates). The topic model's own tokens are
        :meth:`topics.lda.LdaTopicModel.topics`."""
        themes, ids = self.lda.topics_themes(), self.lda.topic_ids()
        return [
            {
                "id": ids[k],
                "size": float(self.lda.topic_sizes_[k]),
                "label": self.topic_label(k),
                "theme": themes[k],
                "words": [w for w, _ in self.topic_words(k, topn)],
            }
            for k in range(self.lda.n_topics_)
        ]

    def save(
        self,
        name: str = "default",
        artifacts: str | os.PathLike | None = None,
        meta: dict | None = None,
        signing_key: str | bytes | None = None,
    ) -> Path:
        """Save as a new version of bundle ``name`` (atomically) and return its folder.

        The bundle is signed with ``signing_key`` (default ``$TOPICS_SIGNING_KEY``) when there is one.
        """
        parts = {p: getattr(self, p) for p in _PARTS}
        self.path = save_bundle(parts, name=name, artifacts=artifacts, meta=meta, signing_key=signing_key)
        self.manifest = read_manifest(self.path)
        return self.path

    @classmethod
    def load(
        cls,
        model: str | os.PathLike | None = None,
        artifacts: str | os.PathLike | None = None,
        *,
        key: str | bytes | None = None,
        require_signature: bool = False,
        pin: str | None = None,
    ) -> Model:
        """Load a bundle by name, ``name@version`` or path, after verifying it.

        Parameters
        ----------
        model, artifacts
            As in :func:`topics.bundle.resolve_bundle`.
        key : str or bytes, optional
            Signing key (default ``$TOPICS_SIGNING_KEY``): a signed bundle whose signature
            does not match it is refused.
        require_signature : bool
            Refuse unsigned bundles too (and signed ones when there is no key).
        pin : str, optional
            In a worker process: the manifest digest from :func:`topics.bundle.pin_bundle`,
            which checked the signature in the process that started the worker.

        Raises
        ------
        topics.bundle.BundleError
            If the bundle is missing, was modified, fails its signature check, or needs
            other library versions.
        """
        path = resolve_bundle(model, artifacts)
        parts, manifest = load_bundle(path, key=key, require_signature=require_signature, pin=pin)
        missing = [p for p in _PARTS if p not in parts]
        if missing:
            raise BundleError(f"Bundle {path} lacks its {', '.join(missing)}: not a topics model bundle.")
        for part, kind in zip(_PARTS, (Preprocessor, (LdaTopicModel, MixtureTopicModel), ThemeClassifier, Taxonomy)):
            if not isinstance(parts[part], kind):
                names = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
                raise BundleError(
                    f"Bundle {path}: its {part} is a {type(parts[part]).__name__}, not a "
                    f"{names}: not a topics model bundle."
                )
        return cls(**{p: parts[p] for p in _PARTS}, manifest=manifest, path=path)


def load(
    model: str | os.PathLike | None = None,
    artifacts: str | os.PathLike | None = None,
    *,
    key: str | bytes | None = None,
    require_signature: bool = False,
) -> Model:
    """Load a trained model (see :meth:`Model.load`)."""
    return Model.load(model, artifacts, key=key, require_signature=require_signature)
