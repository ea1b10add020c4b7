"""Pydantic field types for the units people write: parsed once, original text kept."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from controlplane import units

# The error type of a value written right but out of its range (MLCP115, not MLCP114).
OUT_OF_RANGE = "mlcp_out_of_range"


@dataclass(frozen=True)
class _Unit:
    """A value as written (``text``) and as meant (``value``, in base units)."""

    text: str
    value: float

    error_type: ClassVar[str]
    json_schema: ClassVar[dict[str, Any]]

    @staticmethod
    def convert(value: object) -> float:
        raise NotImplementedError

    @classmethod
    def parse(cls, raw: object) -> _Unit:
        if isinstance(raw, cls):
            return raw
        try:
            value = cls.convert(raw)
        except units.OutOfRange as exc:
            raise PydanticCustomError(OUT_OF_RANGE, str(exc)) from None
        except ValueError as exc:
            raise PydanticCustomError(cls.error_type, str(exc)) from None
        return cls(str(raw), value)

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls.parse,
            serialization=core_schema.plain_serializer_function_ser_schema(lambda v: v.text),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return dict(cls.json_schema)

    def __str__(self) -> str:
        return self.text


class Duration(_Unit):
    """``150ms``, ``30s``, ``5m``, ``2h``, ``1d``, ``1w``, ``9mo``, ``1y``; value in seconds."""

    convert = staticmethod(units.parse_duration)
    error_type = "mlcp_duration"
    json_schema: ClassVar[dict[str, Any]] = {
        "type": "string",
        "pattern": units.DURATION_PATTERN,
        "examples": ["150ms", "2h", "9mo"],
    }


class Rate(_Unit):
    """``0.1%`` or ``0.001``; value as a fraction."""

    convert = staticmethod(units.parse_rate)
    error_type = "mlcp_rate"
    json_schema: ClassVar[dict[str, Any]] = {
        "anyOf": [{"type": "number"}, {"type": "string", "pattern": units.PERCENT_PATTERN}],
        "description": "a percentage (0.5%) or a fraction (0.005): a bare 0.5 is 50%",
        "examples": ["0.1%", 0.001],
    }


class Throughput(_Unit):
    """``50/s``, ``3000/m``; value in requests per second."""

    convert = staticmethod(units.parse_throughput)
    error_type = "mlcp_throughput"
    json_schema: ClassVar[dict[str, Any]] = {
        "type": "string",
        "pattern": units.THROUGHPUT_PATTERN,
        "examples": ["50/s"],
    }


class Number(_Unit):
    """A bound: a plain number (``0.85``, ``12.5``) or a percentage (``3%`` → 0.03)."""

    convert = staticmethod(units.parse_number)
    error_type = "mlcp_number"
    json_schema: ClassVar[dict[str, Any]] = {
        "anyOf": [{"type": "number"}, {"type": "string", "pattern": units.PERCENT_PATTERN}],
    }


class Timestamp(_Unit):
    """``2026-11-30T08:00:00Z``: a moment with its offset; value in seconds since the epoch."""

    convert = staticmethod(units.parse_timestamp)
    error_type = "mlcp_timestamp"
    json_schema: ClassVar[dict[str, Any]] = {
        "type": "string",
        "pattern": units.TIMESTAMP_PATTERN,
        "examples": ["2026-11-30T08:00:00Z"],
    }
