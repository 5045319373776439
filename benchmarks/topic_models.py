"""Topic model quality and speed: our default LDA against other LDA implementations.

Every model gets the same tokens: the Reuters-21578 ModApte articles (train + test),
tokenised by our Preprocessor (stop words, plural folding, learned phrases). Peers get
gensim's usual vocabulary (``Dictionary.filter_extremes()`` defaults: words in at least 5
and at most 50% of the articles); ours prepares its own (duplicates dropped, its pruning,
k-means priming, guided by the default taxonomy's seeds, as ``topics train`` does).
Coherence is scored the same way for all: gensim ``CoherenceModel`` over all the tokenised
articles, top 10 words per topic (``c_npmi`` and ``c_v``); diversity over the top 25.
Time is wall-clock from token lists to a trained model (vocabulary, bag of words, training).

    TOPICS_DATA=../shared/data python benchmarks/topic_models.py [--k 20] [--record]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gensim.corpora import Dictionary  # noqa: E402

from topics.corpus import ChainCorpus, Corpus  # noqa: E402
from topics.lda import LdaTopicModel  # noqa: E402
from topics.preprocess import Preprocessor  # noqa: E402
from topics.quality import coherence, topic_diversity  # noqa: E402
from topics.taxonomy import default_taxonomy  # noqa: E402
from topics.training import theme_seed_tokens  # noqa: E402


def load_tokens(data: Path) -> tuple[list[list[str]], Preprocessor]:
    root = data / "reuters21578"
    corpus = ChainCorpus(Corpus(root, "reuters21578", split="train"), Corpus(root, "reuters21578", split="test"))
    pre = Preprocessor()
    raw = [pre.tokenize(a.full_text) for a in corpus]
    pre.fit_tokens(raw)
    return [pre.join_phrases(t) for t in raw], pre


def peer_vocabulary(texts):
    dictionary = Dictionary(texts)
    dictionary.filter_extremes()  # gensim defaults: no_below=5, no_above=0.5
    return dictionary


def ours(texts, k, seed_topics):
    lda = LdaTopicModel(n_topics=k, seed_topics=seed_topics).fit(texts)
    return [[w for w, _ in lda.topic_words(t, 25)] for t in range(k)]


def gensim_lda(texts, k):
    from gensim.models import LdaModel

    d = peer_vocabulary(texts)
    m = LdaModel([d.doc2bow(t) for t in texts], id2word=d, num_topics=k, passes=10, alpha="auto", eta="auto",
                 random_state=0, eval_every=None)
    return [[w for w, _ in m.show_topic(t, 25)] for t in range(k)]


def gensim_multicore(texts, k):
    from gensim.models import LdaMulticore

    d = peer_vocabulary(texts)  # LdaMulticore cannot learn alpha; eta is learned
    m = LdaMulticore([d.doc2bow(t) for t in texts], id2word=d, num_topics=k, passes=10, workers=2, eta="auto",
                     random_state=0, eval_every=None)
    return [[w for w, _ in m.show_topic(t, 25)] for t in range(k)]


def tomotopy_lda(texts, k):
    import tomotopy as tp

    d = peer_vocabulary(texts)
    m = tp.LDAModel(k=k, seed=0)
    for t in texts:
        words = [w for w in t if w in d.token2id]
        if words:
            m.add_doc(words)
    m.train(1000, workers=2, show_progress=False)
    return [[w for w, _ in m.get_topic_words(t, top_n=25)] for t in range(k)]


def sklearn_lda(texts, k):
    from sklearn.decomposition import LatentDirichletAllocation
    from sklearn.feature_extraction.text import CountVectorizer

    d = peer_vocabulary(texts)
    vocab = [d[i] for i in range(len(d))]
    X = CountVectorizer(analyzer=lambda t: t, vocabulary=vocab).fit_transform(texts)
    m = LatentDirichletAllocation(k, learning_method="batch", max_iter=10, random_state=0).fit(X)
    return [[vocab[i] for i in np.argsort(-row)[:25]] for row in m.components_]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--k", type=int, default=20)
    parser.add_argument("--data", default=os.environ.get("TOPICS_DATA") or str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--only", nargs="*", default=None, help="run only these models (ours gensim multicore tomotopy sklearn)")
    parser.add_argument("--no-cv", action="store_true", help="skip c_v (slow)")
    parser.add_argument("--record", action="store_true", help="append the table to benchmarks/RESULTS.md")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    texts, pre = load_tokens(Path(args.data))
    seeds = theme_seed_tokens(default_taxonomy(), pre)
    n_tokens = sum(map(len, texts))
    print(f"Reuters-21578 ModApte train+test: {len(texts):,} articles, {n_tokens:,} tokens "
          f"(read and tokenised in {time.perf_counter() - started:.1f} s)", file=sys.stderr)
    runs = {
        "ours": ("topics LdaTopicModel (defaults: dedup, pruning, k-means priming, taxonomy-guided, 2 passes)",
                 lambda: ours(texts, args.k, seeds)),
        "ours-unguided": ("topics LdaTopicModel (defaults, no taxonomy)", lambda: ours(texts, args.k, None)),
        "gensim": ("gensim LdaModel (10 passes, alpha/eta auto)", lambda: gensim_lda(texts, args.k)),
        "multicore": ("gensim LdaMulticore (10 passes, 2 workers)", lambda: gensim_multicore(texts, args.k)),
        "tomotopy": ("tomotopy LDA (1,000 Gibbs iterations, 2 workers)", lambda: tomotopy_lda(texts, args.k)),
        "sklearn": ("scikit-learn LDA (batch, 10 iterations)", lambda: sklearn_lda(texts, args.k)),
    }
    dictionary = Dictionary(texts)
    rows = []
    for key, (label, fn) in runs.items():
        if args.only and key not in args.only:
            continue
        t0 = time.perf_counter()
        try:
            topics = fn()
        except ImportError as exc:
            print(f"skipping {label}: {exc}", file=sys.stderr)
            continue
        seconds = time.perf_counter() - t0
        npmi, _ = coherence(topics, texts, "c_npmi", 10, dictionary)
        cv = float("nan") if args.no_cv else coherence(topics, texts, "c_v", 10, dictionary)[0]
        rows.append((key, label, npmi, cv, topic_diversity(topics), seconds))
        print(f"  {label}: NPMI {npmi:.3f}, {seconds:.1f} s", file=sys.stderr)

    peers = [r for r in rows if not r[0].startswith("ours")]
    lines = [
        f"Topic models on Reuters-21578 (ModApte train+test, {len(texts):,} articles, {n_tokens:,} tokens), K={args.k}",
        "",
        "| model | NPMI | c_v | diversity | train s |",
        "|---|---:|---:|---:|---:|",
    ]
    for _, label, npmi, cv, div, sec in rows:
        lines.append(f"| {label} | {npmi:.3f} | {cv:.3f} | {div:.2f} | {sec:.1f} |")
    ours_row = next((r for r in rows if r[0] == "ours"), None)
    if ours_row and peers:
        best = max(peers, key=lambda r: r[2])
        fastest = min(peers, key=lambda r: r[5])
        lines += ["", f"ours vs best peer NPMI ({best[1]}): {ours_row[2] / best[2]:.2f}x; "
                      f"time vs fastest peer ({fastest[1]}): {ours_row[5] / fastest[5]:.2f}x"]
    table = "\n".join(lines)
    print(table)
    if args.record:
        command = "TOPICS_DATA=../shared/data python benchmarks/topic_models.py " + " ".join(argv if argv is not None else sys.argv[1:])
        path = ROOT / "benchmarks" / "RESULTS.md"
        head = "" if path.exists() else "# Benchmark results\n"
        with path.open("a", encoding="utf-8") as f:
            f.write(f"{head}\n## Topic models (K={args.k}) ({date.today().isoformat()})\n\n`{command.strip()}`\n\n{table}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
