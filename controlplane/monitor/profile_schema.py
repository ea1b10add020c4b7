"""What a profile file (``mlcp.profile/v1``) must hold to be read: the checks, declared once.

A profile is written by `mlcp profile`, but it is a file: it can be edited, cut short or
replaced. Reading one checks it against this schema first, so that a count array one
short of its edges, a count of 10^400 or a NaN edge is one line naming the file and the
field, not an error deep in the drift arithmetic. The derived fields the writer adds for
people (``bins`` and ``shares`` of a feature, ``null_share``, ``columns``) are not read.
"""

from __future__ import annotations

import itertools
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import ErrorDetails

from controlplane.monitor.profile import MAX_TAIL_CATEGORIES

# A quadrillion rows: more than any training set, and every share of it is a finite float.
MAX_ROWS = 10**15
MAX_BINS = 10_000

Count = Annotated[int, Field(ge=0, le=MAX_ROWS)]
Edge = Annotated[float, Field(allow_inf_nan=False)]
# The writer spells a non-finite minimum or maximum (data holding ±inf) as text.
Extreme = Edge | Literal["inf", "-inf", "nan"] | None


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, frozen=True, extra="ignore")


class NumericDoc(_Strict):
    kind: Literal["numeric"]
    type: str
    nulls: Count
    min: Extreme
    max: Extreme
    edges: list[Edge] = Field(max_length=MAX_BINS)
    counts: list[Count] = Field(max_length=MAX_BINS + 1)

    @model_validator(mode="after")
    def _bins(self) -> NumericDoc:
        if len(self.counts) != len(self.edges) + 1:
            raise ValueError(
                f"{len(self.counts)} counts for {len(self.edges)} edges "
                f"(a bin each side of every edge: {len(self.edges) + 1})"
            )
        if any(b < a for a, b in itertools.pairwise(self.edges)):
            raise ValueError("the edges are not in increasing order")
        return self


class CategoricalDoc(_Strict):
    kind: Literal["categorical"]
    type: str
    nulls: Count
    categories: list[str] = Field(max_length=MAX_ROWS)
    counts: list[Count]
    other: Count
    tail: list[str] = Field(max_length=MAX_TAIL_CATEGORIES)
    tail_truncated: bool

    @model_validator(mode="after")
    def _bins(self) -> CategoricalDoc:
        if len(self.counts) != len(self.categories):
            raise ValueError(f"{len(self.counts)} counts for {len(self.categories)} categories")
        return self


class ProfileDoc(_Strict):
    """The top of the file; its ``format`` is checked before (a file of another kind)."""

    model: str
    rows: Count
    bins: Annotated[int, Field(ge=1, le=MAX_BINS)]
    max_categories: Annotated[int, Field(ge=1, le=MAX_ROWS)]
    features: dict[str, Annotated[NumericDoc | CategoricalDoc, Field(discriminator="kind")]]


def profile_problem(document: Any) -> str | None:
    """What makes a parsed profile document unreadable, in one line; None if nothing does."""
    try:
        ProfileDoc.model_validate(document)
    except ValidationError as error:
        problems = [_problem(e) for e in error.errors(include_url=False, include_input=False)]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        return problems[0] + more
    return None


def _problem(error: ErrorDetails) -> str:
    loc = list(error["loc"])
    if loc[:1] == ["features"] and len(loc) > 2:
        del loc[2]  # the union member's tag (numeric, categorical): pydantic's, not the file's
    path = ".".join(str(p) for p in loc)
    message = error["msg"].removeprefix("Value error, ")
    return f"{path}: {message}" if path else message
