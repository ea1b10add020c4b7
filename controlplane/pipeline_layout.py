"""The files of a pipeline folder, named once for the renderer and the stages.

Paths are relative to the pipeline folder (`<build.out>/pipelines/<model>/`),
where DVC runs every stage.
"""

from __future__ import annotations

# Columns the training data carries besides the model's features.
TIME_COLUMN = "timestamp"
LABEL_COLUMN = "label"
QUERY_COLUMN = "query"  # ranking: the group a row is ranked in

# Inputs `mlcp retrain` puts in place before `dvc repro`.
SOURCE = "data/source.parquet"
PRODUCTION = "production"  # the production model and its reference profile, when there is one
PRODUCTION_MODEL = "production/model.pkl"
PRODUCTION_PROFILE = "production/profile.json"
PRODUCTION_NOTE = "production/README"

# Stage outputs.
VALIDATION = "reports/validation.json"
TRAIN = "data/train.parquet"
VALID = "data/valid.parquet"
TEST = "data/test.parquet"
STUDY = "tuning/study.db"
TUNING = "reports/tuning.json"
CANDIDATE = "models/candidate.pkl"
CANDIDATE_PROFILE = "models/profile.json"
PREDICTIONS = "reports/predictions.parquet"
EVALUATION = "reports/evaluation.json"
GATE = "reports/gate.json"
PROPOSAL = "reports/proposal.json"

# Pipeline knobs the spec does not speak of (they are in params.yaml, to override there).
VALIDATION_SHARE = 0.15  # of the rows before the test slice: the tuning objective's data
TEST_SHARE = 0.2  # the most recent rows: the held-out set both models are judged on
SEED = 0
RESAMPLES = 10_000


def entrypoint_package(entrypoint: str) -> str:
    """The top-level package (or module) of `module.path:fit`: the code a pipeline copies
    into its workspace and whose changes rerun the stages that import it."""
    return entrypoint.partition(":")[0].split(".")[0]
