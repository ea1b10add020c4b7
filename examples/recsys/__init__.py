"""The example recommender: a pointwise ranker scoring each item of a session."""
