"""Promotion and rollback: each one a round-trip edit of a spec, committed on a new branch.

``promote`` moves a rollout one step along the state machine of
``controlplane.domain`` when the evidence allows it (the candidate exists, the
state has baked, the shadow divergence is under its bound); ``rollback`` sets
it back to stable, after moving the endpoint's traffic itself when it is an
emergency. Both write a commit that says what changed and why.
"""
