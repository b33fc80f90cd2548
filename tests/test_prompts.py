from __future__ import annotations

from pathlib import Path

import pytest

from summarizer.errors import TemplateError
from summarizer.pipeline import template_names
from summarizer.prompts import PromptLibrary
from summarizer.readers import READERS


def test_a_missing_variable_fails_loudly_with_its_name():
    with pytest.raises(TemplateError, match="article"):
        PromptLibrary().get("system").render()


def test_a_missing_template_names_the_path(tmp_path: Path):
    with pytest.raises(TemplateError, match="nope"):
        PromptLibrary(tmp_path).get("nope")


def test_templates_are_sandboxed(tmp_path: Path):
    (tmp_path / "evil.j2").write_text("{{ ''.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(Exception, match=r"unsafe|not safely|access"):
        PromptLibrary(tmp_path).get("evil").render()


def test_every_shipped_template_has_a_stable_hash():
    library = PromptLibrary()
    names = sorted({name for factory in READERS.values() for name in template_names(factory())})
    first = library.hashes(names)
    assert first == PromptLibrary().hashes(names)
    assert len(set(first.values())) == len(first)


def test_the_article_is_rendered_first():
    rendered = PromptLibrary().get("system").render(article="ARTICLE BODY")
    assert "ARTICLE BODY" in rendered
    assert rendered.rstrip().endswith('"""')  # nothing after the article: the cacheable prefix ends there
