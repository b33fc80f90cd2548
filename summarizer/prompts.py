"""Prompt templates: files under ``prompts/``, rendered strictly, identified by name and content hash.

In a source checkout the templates live in the top-level ``prompts/`` folder; the wheel ships the same
files as ``summarizer/prompts/`` (see ``[tool.hatch.build]`` in ``pyproject.toml``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from summarizer.errors import TemplateError

TEMPLATE_SUFFIX = ".j2"


def default_prompt_dir() -> Path:
    """Where the shipped templates are: inside the installed package, else the checkout's ``prompts/``."""
    package_dir = Path(__file__).resolve().parent
    for candidate in (package_dir / "prompts", package_dir.parent / "prompts"):
        if candidate.is_dir():
            return candidate
    raise TemplateError(f"no prompt templates found next to {package_dir}; reinstall the package", template="*")


@dataclass(frozen=True)
class PromptTemplate:
    """One template file: its name, its source and the hash that identifies it in every output."""

    name: str
    source: str
    environment: jinja2.Environment

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.source.encode("utf-8")).hexdigest()

    @cached_property
    def _compiled(self) -> jinja2.Template:
        try:
            return self.environment.get_template(f"{self.name}{TEMPLATE_SUFFIX}")
        except jinja2.TemplateNotFound as error:
            raise TemplateError(
                f"prompt template {self.name!r} includes a missing template: {error.name}", template=self.name
            ) from error
        except jinja2.TemplateSyntaxError as error:
            raise TemplateError(
                f"prompt template {self.name!r} has a syntax error on line {error.lineno}: {error.message}",
                template=self.name,
            ) from error

    def render(self, **variables: Any) -> str:
        """Render with every variable required: a missing one raises ``TemplateError`` naming it."""
        try:
            return self._compiled.render(**variables).strip() + "\n"
        except jinja2.UndefinedError as error:
            raise TemplateError(
                f"prompt template {self.name!r} needs a variable that was not given: {error.message}",
                template=self.name,
            ) from error


class PromptLibrary:
    """Loads templates by name from one folder (``positions`` -> ``positions.j2``)."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or default_prompt_dir()
        self._environment = ImmutableSandboxedEnvironment(
            loader=jinja2.FileSystemLoader(self.directory),
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._cache: dict[str, PromptTemplate] = {}

    def get(self, name: str) -> PromptTemplate:
        if name not in self._cache:
            path = self.directory / f"{name}{TEMPLATE_SUFFIX}"
            try:
                source = path.read_text(encoding="utf-8")
            except FileNotFoundError as error:
                raise TemplateError(f"prompt template {name!r} not found at {path}", template=name) from error
            self._cache[name] = PromptTemplate(name, source, self._environment)
        return self._cache[name]

    def hashes(self, names: list[str]) -> dict[str, str]:
        return {name: self.get(name).sha256 for name in names}
