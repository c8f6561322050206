"""What every analysis type is: a name, what it reads and returns, and a function."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from server.studies.models import Study


@dataclass
class AnalysisContext:
    study: Study
    # Report progress (0-100); raises Cancelled if the task was cancelled meanwhile.
    progress: Callable[[int], None]


@dataclass(frozen=True)
class AnalysisType:
    name: str
    description: str  # what it reads, how it decides, what it returns: shown to users
    result_fields: tuple[tuple[str, str], ...]  # (field, what it holds), in results order
    run: Callable[[AnalysisContext], dict]

    def option(self) -> dict:
        return {
            "name": self.name,
            "description": self.description,
            "result_fields": [{"name": n, "description": d} for n, d in self.result_fields],
        }
