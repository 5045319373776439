"""topics: news topics (Gensim LDA) and themes (scikit-learn)."""
__version__ = "0.1.0"
