"""Which charge points a firmware campaign's picker shows: the operator narrows thousands
down by identity, station, model and current firmware, then takes all that match."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

ANY = ""  # a filter left open


class Target(Protocol):
    @property
    def identity(self) -> str: ...
    @property
    def station(self) -> str: ...
    @property
    def model(self) -> str: ...
    @property
    def firmware_version(self) -> str: ...


@dataclass(frozen=True)
class TargetFilter:
    search: str = ""  # part of the identity, any case
    station: str = ANY
    model: str = ANY
    firmware_version: str = ANY

    def admits(self, target: Target) -> bool:
        term = self.search.strip().lower()
        return (
            (not term or term in target.identity.lower())
            and self.station in (ANY, target.station)
            and self.model in (ANY, target.model)
            and self.firmware_version in (ANY, target.firmware_version)
        )


T = TypeVar("T", bound=Target)


def matching(targets: Sequence[T], wanted: TargetFilter) -> list[T]:
    return [t for t in targets if wanted.admits(t)]


def choices(values: Sequence[str]) -> list[str]:
    """The distinct non-empty values, sorted: a filter's options."""
    return sorted({v for v in values if v})
