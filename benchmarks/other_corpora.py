"""Default settings on labelled corpora in the formats users bring, vs plain scikit-learn.

    TOPICS_DATA=../shared/data python benchmarks/other_corpora.py [--record]

Each corpus is written to a temporary folder in a user's format (a folder per label,
or JSONL with a ``labels`` list), then trained and scored exactly as the README says
a user would: ``topics train --corpus TRAIN`` and ``topics evaluate --corpus TEST
--json``, default settings, nothing tuned. The baseline is scikit-learn's
``TfidfVectorizer()`` + one-vs-rest ``LinearSVC()`` on the same texts (title + body,
as our readers give them) and the same split.

* Reuters R8 and R52 (folder per label): the ModApte articles with exactly one topic,
  among the 8 most frequent topics or the 52 that have both training and test articles
  (the usual single-label Reuters benchmarks); accuracy.
* Reuters, every topic (JSONL): all ModApte articles with at least one topic, a random
  80/20 split (seed 0) instead of ModApte, no topic dropped (a test topic never seen
  in training counts as a miss for both); micro/macro F1.
* BBC News (JSONL): a random 70/30 split (seed 0); accuracy.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from classification import baseline, data_dir, record_args  # noqa: E402


def write_labelled_dir(folder: Path, articles) -> None:
    for a in articles:
        label_dir = folder / a.labels[0]
        label_dir.mkdir(parents=True, exist_ok=True)
        (label_dir / f"{a.id.replace('/', '_')}.txt").write_text(a.full_text, encoding="utf-8")


def write_jsonl(path: Path, articles) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for a in articles:
            f.write(json.dumps({"id": a.id, "text": a.full_text, "labels": list(a.labels)}) + "\n")


def topics_cli(*args: str) -> str:
    out = subprocess.run([sys.executable, "-m", "topics", *args], capture_output=True, text=True, cwd=ROOT)
    if out.returncode:
        raise SystemExit(f"topics {' '.join(args)} failed:\n{out.stderr}")
    return out.stdout


def run(name: str, fmt: str, train_path: Path, test_path: Path, artifacts: Path) -> dict:
    """Ours through the CLI, the baseline on the texts our reader gives: one result row."""
    import topics
    from topics.evaluate import theme_metrics

    topics_cli("train", "--corpus", str(train_path), "--name", "bench", "--artifacts", str(artifacts))
    ours = json.loads(
        topics_cli("evaluate", "--model", "bench", "--artifacts", str(artifacts), "--corpus", str(test_path), "--json")
    )
    train, test = list(topics.Corpus(train_path)), list(topics.Corpus(test_path))
    themes = sorted({label for a in train for label in a.labels})
    pred, _, _ = baseline(
        [a.full_text for a in train], [list(a.labels) for a in train], [a.full_text for a in test], themes
    )
    base = theme_metrics([a.labels for a in test], pred, themes)
    single = all(len(a.labels) == 1 for a in train)
    measure = ("accuracy",) if single else ("micro_f1", "macro_f1")
    return {
        "corpus": name,
        "format": fmt,
        "train": len(train),
        "test": len(test),
        "themes": len(themes),
        "rows": [(m, ours[m], getattr(base, m)) for m in measure],
    }


def main(argv: list[str] | None = None) -> int:
    args = record_args(argv, __doc__)
    if args is None:
        return 2
    import topics

    reuters = data_dir() / "reuters21578"
    r_train = [a for a in topics.Corpus(reuters, "reuters21578", split="train") if a.labels]
    r_test = [a for a in topics.Corpus(reuters, "reuters21578", split="test") if a.labels]
    bbc = list(topics.Corpus(data_dir() / "bbc"))
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        single_train = [a for a in r_train if len(a.labels) == 1]
        single_test = [a for a in r_test if len(a.labels) == 1]
        top8 = {label for label, _ in Counter(a.labels[0] for a in single_train).most_common(8)}
        both = {a.labels[0] for a in single_train} & {a.labels[0] for a in single_test}
        for name, keep in (("Reuters R8", top8), ("Reuters R52", both)):
            folder = tmp / name.replace(" ", "_")
            write_labelled_dir(folder / "train", [a for a in single_train if a.labels[0] in keep])
            write_labelled_dir(folder / "test", [a for a in single_test if a.labels[0] in keep])
            results.append(run(name, "folder per label", folder / "train", folder / "test", tmp / "artifacts"))
            print(results[-1], file=sys.stderr)

        everything = r_train + r_test
        random.Random(0).shuffle(everything)
        cut = int(0.8 * len(everything))
        write_jsonl(tmp / "reuters_train.jsonl", everything[:cut])
        write_jsonl(tmp / "reuters_test.jsonl", everything[cut:])
        results.append(
            run(
                "Reuters, every topic, random 80/20",
                "JSONL",
                tmp / "reuters_train.jsonl",
                tmp / "reuters_test.jsonl",
                tmp / "artifacts",
            )
        )
        print(results[-1], file=sys.stderr)

        random.Random(0).shuffle(bbc)
        cut = int(0.7 * len(bbc))
        write_jsonl(tmp / "bbc_train.jsonl", bbc[:cut])
        write_jsonl(tmp / "bbc_test.jsonl", bbc[cut:])
        results.append(
            run("BBC News, random 70/30", "JSONL", tmp / "bbc_train.jsonl", tmp / "bbc_test.jsonl", tmp / "artifacts")
        )

    lines = [
        "| corpus | format | train / test articles | themes | measure | topics (default) | TF-IDF + LinearSVC | ratio |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        for k, (measure, ours, base) in enumerate(r["rows"]):
            head = (
                (r["corpus"], r["format"], f"{r['train']:,} / {r['test']:,}", str(r["themes"])) if k == 0 else ("",) * 4
            )
            lines.append(f"| {' | '.join(head)} | {measure} | {ours:.4f} | {base:.4f} | {ours / base:.3f}× |")
    table = "\n".join(lines)
    print(table)
    if args.record:
        with open(ROOT / "benchmarks" / "RESULTS.md", "a", encoding="utf-8") as f:
            f.write(
                f"\n## Default settings on other labelled corpora and formats ({dt.date.today().isoformat()})\n\n"
                f"Trained and scored through the CLI (`topics train`, `topics evaluate --json`), nothing tuned.\n\n"
                f"`TOPICS_DATA=../shared/data python benchmarks/other_corpora.py --record`\n\n{table}\n"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
