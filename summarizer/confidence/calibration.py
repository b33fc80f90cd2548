"""A calibration map: the features of an item (``confidence.features``) to the probability that it is right.

"Right" means what the eval harness means: the SOFT matcher pairs the item with a hand-labelled gold
item. The map is a logistic model per section, fitted on the dev split of the gold
(``summarizer eval calibrate``), with the threshold that maximised F1 there; it ships as JSON in the
package (``confidence/maps/<strategy>.json``) and is keyed by the model and the prompt templates it
was fitted with: a summary from another model or another prompt gets raw scores instead, and its
``meta.confidence`` says so.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

MAPS_DIR = Path(__file__).resolve().parent / "maps"


@dataclass(frozen=True)
class SectionMap:
    """``P(right) = 1 / (1 + exp(-(intercept + sum(weight * feature))))``, kept at ``threshold`` or more."""

    weights: dict[str, float]
    intercept: float
    threshold: float

    def probability(self, features: dict[str, float]) -> float:
        z = self.intercept + sum(weight * features.get(name, 0.0) for name, weight in self.weights.items())
        return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))


@dataclass(frozen=True)
class CalibrationMap:
    """One map per section, and what it was fitted for and on."""

    strategy: str
    model: str
    #: Template name -> sha256 of the prompts it was fitted with.
    prompts: dict[str, str]
    sections: dict[str, SectionMap]
    #: The gold articles it was fitted on (``summarizer eval dev --replay --folds loao`` gives the figure
    #: of the same fit made without each article in turn).
    fitted_on: list[str] = field(default_factory=list)

    def fits(self, model: str, prompts: dict[str, str]) -> bool:
        """Whether this map was fitted for ``model`` with these very prompt templates."""
        return self.model == model and all(prompts.get(name) == sha for name, sha in self.prompts.items())

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> CalibrationMap:
        data = json.loads(text)
        sections = {name: SectionMap(**value) for name, value in data.pop("sections").items()}
        return cls(sections=sections, **data)


def shipped_map(strategy: str) -> CalibrationMap | None:
    """The map shipped for ``strategy``, if there is one."""
    path = MAPS_DIR / f"{strategy}.json"
    if not path.is_file():
        return None
    return CalibrationMap.from_json(path.read_text(encoding="utf-8"))
