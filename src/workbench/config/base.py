"""The base of every params model: unknown keys are errors that name the key."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

Direction = Literal["adverse", "favourable", "neutral"]


class StrictModel(BaseModel):
    """Params base model: unknown keys are errors (they name the key), values validated on set."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)
