"""summarizer: structured, evidence-grounded summaries of news articles with any OpenAI-compatible model."""

from __future__ import annotations

from summarizer._version import __version__
from summarizer.api import Summarizer, summarize
from summarizer.config import Settings
from summarizer.errors import (
    ConfigError,
    EngineError,
    InputError,
    ModelAuthError,
    ModelError,
    ModelNotInstalledError,
    ModelUnavailableError,
    ReplayMissError,
    SummarizerError,
    TemplateError,
)
from summarizer.schemas import (
    Actor,
    Condition,
    Demand,
    DroppedItem,
    Evidence,
    Meta,
    Position,
    Risk,
    Summary,
    Usage,
)

__all__ = [
    "Actor",
    "Condition",
    "ConfigError",
    "Demand",
    "DroppedItem",
    "EngineError",
    "Evidence",
    "InputError",
    "Meta",
    "ModelAuthError",
    "ModelError",
    "ModelNotInstalledError",
    "ModelUnavailableError",
    "Position",
    "ReplayMissError",
    "Risk",
    "Settings",
    "Summarizer",
    "SummarizerError",
    "Summary",
    "TemplateError",
    "Usage",
    "__version__",
    "summarize",
]
