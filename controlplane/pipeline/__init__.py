"""The retraining pipeline's stage commands (`mlcp stage …`) and `mlcp retrain`.

Each stage runs in a model's pipeline folder (where its generated dvc.yaml
lives), reads `params.yaml` and the files of the stage before it, and writes
the files dvc.yaml declares; `controlplane.pipeline_layout` names them all.
"""
