"""Long articles: chunk boundaries and overlap, offsets mapped back, items merged across chunks, and a
scripted run of an article twice the context window through the pipeline."""

from __future__ import annotations

import glob
import re
from collections.abc import Callable
from itertools import pairwise
from typing import Any

import pytest

from summarizer.chunking import (
    CHARS_PER_TOKEN,
    MIN_CHUNK_TOKENS,
    Chunk,
    estimate_tokens,
    plan_chunks,
    shift_evidence,
    split_article,
)
from summarizer.drafts import PositionsDraft, section_items
from summarizer.errors import ConfigError
from summarizer.llm.client import InstructorModel
from summarizer.merging import MERGE_MIN_SCORE, merge_items, similarity, union_evidence
from summarizer.pipeline import SYSTEM_TEMPLATE, Pipeline
from summarizer.prompts import PromptLibrary
from summarizer.schemas import SECTION_NAMES, ChunkMeta, Demand, Evidence, Position, Summary
from tests.conftest import ARTICLE, ROOT
from tests.fakes import EMPTY_ANSWERS, Reply, ScriptedEndpoint, fake_openai_client, ok, section_of

# --- synthetic text ------------------------------------------------------------------------------


def _sentence(i: int) -> str:
    return f"Clerk note {i:04d} records routine harbour business for the week."


def _paragraphs(count: int, sentences: int = 5) -> list[str]:
    return [" ".join(_sentence(p * sentences + s) for s in range(sentences)) for p in range(count)]


def _covered(article: str, chunks: list[Chunk]) -> bool:
    """Every non-space character lies in some chunk."""
    seen = [False] * len(article)
    for chunk in chunks:
        seen[chunk.start : chunk.end] = [True] * (chunk.end - chunk.start)
    return all(seen[i] or article[i].isspace() for i in range(len(article)))


def _check_chunks(article: str, chunks: list[Chunk], max_chars: int, overlap: int) -> None:
    assert [c.index for c in chunks] == list(range(len(chunks)))
    assert chunks[0].start == 0 and chunks[-1].end == len(article)
    for chunk in chunks:
        assert chunk.text == article[chunk.start : chunk.end]
        assert 0 < len(chunk.text) <= max_chars
    for before, after in pairwise(chunks):
        assert before.start < after.start  # always moves on
        assert 0 <= before.end - after.start <= overlap  # overlaps by at most ``overlap``
    assert _covered(article, chunks)


# --- estimates and plans -------------------------------------------------------------------------


def test_token_estimates_are_conservative_for_news_prose():
    text = (ROOT / "evals" / "gold" / "dev" / "rail-signallers-strike" / "article.txt").read_text(encoding="utf-8")
    # 992 tokens with the embedded model's tokenizer; the estimate must not be lower.
    assert estimate_tokens(text) == -(-len(text) // CHARS_PER_TOKEN) >= 992
    assert estimate_tokens("") == 0


def test_an_article_that_fits_is_one_chunk_the_whole_article():
    (chunk,) = plan_chunks(ARTICLE, budget_tokens=estimate_tokens(ARTICLE))
    assert (chunk.index, chunk.start, chunk.end, chunk.text) == (0, 0, len(ARTICLE), ARTICLE)


def test_a_budget_too_small_to_split_into_says_what_to_change():
    article = "\n".join(_paragraphs(40))
    with pytest.raises(ValueError, match="n_ctx"):
        plan_chunks(article, budget_tokens=MIN_CHUNK_TOKENS - 1)


def test_plan_chunks_fits_each_chunk_to_the_budget():
    article = "\n\n".join(_paragraphs(60))
    budget = 600
    chunks = plan_chunks(article, budget)
    assert len(chunks) > 1
    assert all(estimate_tokens(c.text) <= budget for c in chunks)


# --- boundaries and overlap ----------------------------------------------------------------------


@pytest.mark.parametrize("separator", ["\n\n", "\n"])
def test_chunks_end_at_paragraph_breaks_and_overlap_by_whole_sentences(separator):
    paragraphs = _paragraphs(30)  # 30 x 5 sentences of 65 characters
    article = separator.join(paragraphs)
    max_chars, overlap = 1500, 200
    chunks = split_article(article, max_chars=max_chars, overlap_chars=overlap)

    _check_chunks(article, chunks, max_chars, overlap)
    assert len(chunks) >= len(article) // max_chars + 1
    for before, after in pairwise(chunks):
        assert article[before.end : before.end + 1] == "\n"  # ended at a paragraph break
        assert before.end - after.start > 0  # really overlaps ...
        assert re.match(r"Clerk note \d{4} ", after.text)  # ... starting at a whole sentence
        assert article[after.start - 2 : after.start] in {". ", ".\n"}
        # the overlap is the earliest sentence start within reach: one more sentence would be too much
        assert before.end - after.start > overlap - len(_sentence(0)) - 2


def test_without_paragraphs_chunks_end_at_sentences():
    article = " ".join(_sentence(i) for i in range(200))
    chunks = split_article(article, max_chars=1000, overlap_chars=150)
    _check_chunks(article, chunks, 1000, 150)
    assert all(c.text.endswith("week.") for c in chunks)
    assert all(c.text.startswith("Clerk note") for c in chunks)


def test_a_text_without_sentences_is_cut_between_words():
    article = " ".join(f"word{i}" for i in range(2000))
    chunks = split_article(article, max_chars=500, overlap_chars=60)
    _check_chunks(article, chunks, 500, 60)
    assert all(re.fullmatch(r"word\d+( word\d+)*", c.text) for c in chunks)


def test_one_huge_word_is_cut_hard_without_overlap():
    article = "x" * 2500
    chunks = split_article(article, max_chars=1000, overlap_chars=100)
    assert [(c.start, c.end) for c in chunks] == [(0, 1000), (1000, 2000), (2000, 2500)]


def test_split_refuses_an_overlap_that_would_not_move_on():
    with pytest.raises(ValueError, match="overlap_chars"):
        split_article("text " * 100, max_chars=100, overlap_chars=50)


# --- offsets mapped back -------------------------------------------------------------------------


def test_evidence_found_in_the_last_chunk_points_into_the_whole_article():
    paragraphs = _paragraphs(30)
    paragraphs.append("The Harbour Board will reopen the pier only if the safety inspection is passed by June.")
    article = "\n".join(paragraphs)
    chunks = split_article(article, max_chars=1500, overlap_chars=200)
    last = chunks[-1]
    quotes = ["reopen the pier only if the safety inspection", "clerk note 0147 records routine"]  # 2nd: case folded
    items = [{"evidence": [quote], "actor": "Harbour Board", "stance": f"Stance {n}"} for n, quote in enumerate(quotes)]
    draft = PositionsDraft.model_validate({"positions": items}, context={"article": last.text})
    found = [d.to_item(lambda name: name) for d in section_items(draft)]
    assert all(last.text[e.start : e.end] == e.quote for item in found for e in item.evidence)  # chunk offsets ...

    shifted = [shift_evidence(item, last.start) for item in found]
    assert [e.quote for s in shifted for e in s.evidence] == [e.quote for item in found for e in item.evidence]
    for evidence in (e for s in shifted for e in s.evidence):
        assert article[evidence.start : evidence.end] == evidence.quote  # ... became article offsets
        assert evidence.start >= last.start
    assert shifted[1].evidence[0].quote == "Clerk note 0147 records routine"
    item = found[0]
    assert shift_evidence(item, 0) is item


# --- merging across chunks -----------------------------------------------------------------------


def _ev(start: int, quote: str = "quoted words here") -> Evidence:
    return Evidence(quote=quote, start=start, end=start + len(quote))


def _position(actor: str, stance: str, *starts: int) -> Position:
    return Position(actor=actor, stance=stance, evidence=[_ev(s) for s in starts])


def test_the_merge_threshold_keeps_paraphrases_and_negations_apart():
    def score(a: str, b: str) -> float:
        return similarity(_position("X", a, 0), _position("X", b, 0))

    assert score("Keep the pier open", "keep the pier open until June.") >= MERGE_MIN_SCORE
    assert score("Wants the north pier closed for repairs", "Wants the north pier closed") >= MERGE_MIN_SCORE
    assert score("Backs the ceasefire deal", "Opposes the ceasefire deal") < MERGE_MIN_SCORE
    assert score("Backs a ceasefire in Gaza", "Supports a ceasefire in Gaza") < MERGE_MIN_SCORE


def test_near_identical_items_from_two_chunks_become_one_with_the_union_of_their_evidence():
    merged = merge_items(
        [
            (0, _position("Maya Stone", "Keep the pier open until June", 900, 40)),
            (0, _position("Harbour Board", "Close the pier for repairs", 10)),
            (2, _position("maya stone", "keep the pier open", 5000, 900)),  # 900: the same span again
        ]
    )
    assert [(p.actor, p.stance) for p in merged] == [
        ("Maya Stone", "Keep the pier open until June"),  # the first wording, first place
        ("Harbour Board", "Close the pier for repairs"),
    ]
    assert [(e.start, e.end) for e in merged[0].evidence] == [(40, 57), (900, 917), (5000, 5017)]


def test_the_same_span_read_twice_in_an_overlap_merges_however_it_is_worded():
    merged = merge_items(
        [
            (0, _position("Maya Stone", "Keeps the pier open", 7000)),
            (1, _position("Maya Stone", "Opposes closing the north pier before autumn", 7004)),  # overlapping span
        ]
    )
    (position,) = merged
    assert [e.start for e in position.evidence] == [7000, 7004]  # overlapping but not identical: both kept


def test_items_stay_apart_for_another_actor_another_addressee_the_same_chunk_or_other_content():
    assert (
        len(merge_items([(0, _position("Stone", "Keep it open", 0)), (1, _position("Board", "Keep it open", 0))])) == 2
    )
    same_chunk = [(3, _position("Stone", "Keep it open", 0)), (3, _position("Stone", "Keep it open now", 100))]
    assert len(merge_items(same_chunk)) == 2  # the model gave them as two items
    negated = [
        (0, _position("Stone", "Backs the ceasefire deal", 0)),
        (1, _position("Stone", "Opposes the ceasefire deal", 500)),
    ]
    assert len(merge_items(negated)) == 2

    def demand(addressee: str, start: int) -> Demand:
        return Demand(actor="Union", addressee=addressee, demand="Publish the safety report", evidence=[_ev(start)])

    assert len(merge_items([(0, demand("ministry", 0)), (1, demand("operator", 800))])) == 2
    (merged,) = merge_items([(0, demand("the Ministry", 0)), (1, demand("ministry", 800))])
    assert len(merged.evidence) == 2


def test_an_item_joins_the_most_similar_earlier_item():
    merged = merge_items(
        [
            (0, _position("Stone", "Keep the pier open", 100)),
            (0, _position("Stone", "Close the ferry office", 300)),
            (
                1,
                _position("Stone", "Close the ferry office now", 100),
            ),  # shares a span with the first, reads like the second
        ]
    )
    assert [[e.start for e in p.evidence] for p in merged] == [[100], [100, 300]]


def test_union_evidence_dedupes_identical_spans_and_sorts_by_start():
    spans = union_evidence([_ev(50), _ev(10), _ev(50), _ev(10, "other quoted words")])
    assert [(e.start, e.end) for e in spans] == [(10, 27), (10, 28), (50, 67)]


# --- through the pipeline ------------------------------------------------------------------------

CONTEXT_TOKENS = 4096
FINAL_PARAGRAPH = (
    "Late on Sunday the Lighthouse Keepers' Guild said its members would return to the lighthouses only if "
    "the maritime authority restores the night-watch allowance. Guild secretary Oriel Vance warned that ships "
    "could run aground on the Skerry Banks if the lights stay dark through the winter storms."
)
CONDITION_QUOTE = "would return to the lighthouses only if the maritime authority restores the night-watch allowance"
RISK_QUOTE = "ships could run aground on the Skerry Banks"
REPEATED = "The Harbour Board said the north pier must close for repairs."


def _long_article() -> str:
    """About twice the context window (by the pipeline's own estimate), one distinctive last paragraph."""
    paragraphs = _paragraphs(95)
    paragraphs[2] += " " + REPEATED
    paragraphs[-3] += " " + REPEATED  # said again near the end: two places, one item
    article = "\n\n".join([*paragraphs, FINAL_PARAGRAPH])
    assert 1.9 * CONTEXT_TOKENS <= estimate_tokens(article) <= 2.2 * CONTEXT_TOKENS
    return article


class ChunkedEndpoint(ScriptedEndpoint):
    """Answers each request from ``script(section, chunk index)``: the chunk whose text is in the system message."""

    def __init__(self, chunks: list[Chunk], script: Callable[[str, int], dict[str, Any]]) -> None:
        super().__init__()
        self.chunks = chunks
        self.script = script
        self.chunk_of_request: list[int] = []

    def answer(self, request: dict[str, Any]) -> Reply:
        system = request["messages"][0]["content"]
        (index,) = [c.index for c in self.chunks if c.text in system]
        self.chunk_of_request.append(index)
        return ok(self.script(section_of(request), index))


def _pipeline(endpoint: ScriptedEndpoint, context_tokens: int = CONTEXT_TOKENS) -> Pipeline:
    model = InstructorModel(fake_openai_client(endpoint), model="fake-model", retry=1, reasks=0, max_tokens=900)
    return Pipeline(model, sampling={"max_tokens": 900}, context_tokens=context_tokens)


def test_an_article_twice_the_context_is_read_in_chunks_and_merged():
    article = _long_article()
    chunks = _pipeline(ScriptedEndpoint()).chunks(article)
    assert len(chunks) >= 3
    first, last = chunks[0], chunks[-1]
    # A sentence in the overlap of the first two chunks: both calls see it and report it.
    overlap = article[chunks[1].start : first.end]
    shared = next(m.group() for m in re.finditer(r"Clerk note \d{4} records routine harbour business", overlap))
    early = "Clerk note 0001 records routine harbour business"

    def script(section: str, index: int) -> dict[str, Any]:
        text = chunks[index].text
        if section == "overview":
            return {
                "overview": "Harbour business, and a lighthouse dispute.",
                "actors": [
                    {"name": "Harbour Board", "aliases": ["the board"]},
                    {"name": "Lighthouse Keepers' Guild", "aliases": ["Guild"]},
                ],
            }
        if section == "positions":
            items = []
            if early in text:
                items.append({"evidence": [early], "actor": "Harbour Board", "stance": "Keeps routine records"})
            if shared in text:  # worded differently by each chunk's call: merged on the shared span
                stance = "Logs harbour business every week" if index == 0 else "Records what the harbour does weekly"
                items.append({"evidence": [shared], "actor": "the board", "stance": stance})
            if REPEATED in text:
                stance = "Wants the north pier closed for repairs" if index == 0 else "Wants the north pier closed"
                items.append({"evidence": [REPEATED], "actor": "Harbour Board", "stance": stance})
            return {"positions": items}
        if section == "demands" and index == 1:
            bogus = {
                "evidence": ["the minister resigned in disgrace today"],
                "actor": "Guild",
                "addressee": "board",
                "demand": "Resign at once",
            }
            return {"demands": [bogus]}
        if section == "conditions" and CONDITION_QUOTE in text:
            return {
                "conditions": [
                    {
                        "evidence": [CONDITION_QUOTE],
                        "actor": "Guild",
                        "action": "Return to work",
                        "condition": "Only if the allowance is restored",
                    }
                ]
            }
        if section == "risks" and RISK_QUOTE in text:
            return {
                "risks": [
                    {
                        "evidence": [RISK_QUOTE],
                        "raised_by": "Oriel Vance",
                        "risk": "Ships could run aground on the Skerry Banks",
                    }
                ]
            }
        return EMPTY_ANSWERS[section]

    endpoint = ChunkedEndpoint(chunks, script)
    pipeline = _pipeline(endpoint)
    messages: list[str] = []
    summary = pipeline.summarize(article, progress=messages.append)

    # One overview on the first chunk, then every section once per chunk, chunk by chunk.
    n = len(chunks)
    assert len(endpoint.requests) == 1 + 4 * n
    assert endpoint.chunk_of_request == [0] + [i for i in range(n) for _ in SECTION_NAMES]
    assert [section_of(r) for r in endpoint.requests[:5]] == ["overview", *SECTION_NAMES]
    assert messages[:2] == ["overview", f"positions (chunk 1 of {n})"]
    template = PromptLibrary().get(SYSTEM_TEMPLATE)
    for request, index in zip(endpoint.requests, endpoint.chunk_of_request, strict=True):
        system = request["messages"][0]["content"]
        assert system.startswith(template.render(article=chunks[index].text).rstrip())
        assert estimate_tokens(chunks[index].text) <= pipeline.article_budget()

    # Schema-valid, every span checked against the whole article.
    Summary.model_validate_json(summary.model_dump_json(), context={"article": article})
    assert summary.ungrounded(article) == []

    # Items from the last quarter survive, with article offsets.
    (condition,) = summary.conditions
    (risk,) = summary.risks
    for item in (condition, risk):
        (evidence,) = item.evidence
        assert evidence.start >= 0.75 * len(article) and evidence.start >= last.start
        assert article[evidence.start : evidence.end] == evidence.quote
    assert condition.actor == "Lighthouse Keepers' Guild" and risk.raised_by == "Oriel Vance"

    # The overlap sentence came out once, with one span; the repeated one once, with both spans.
    by_quote = {p.evidence[0].quote: p for p in summary.positions}
    assert len(summary.positions) == 3
    assert [p.actor for p in summary.positions] == ["Harbour Board"] * 3
    assert by_quote[early].evidence == [_ev(article.index(early), early)]
    assert by_quote[shared].stance == "Logs harbour business every week"
    assert [e.start for e in by_quote[shared].evidence] == [article.index(shared)]
    repeated = by_quote[REPEATED]
    assert repeated.stance == "Wants the north pier closed for repairs"
    assert [e.start for e in repeated.evidence] == [m.start() for m in re.finditer(re.escape(REPEATED), article)]
    assert len(repeated.evidence) == 2

    # Meta says how the article was read.
    meta = summary.meta
    assert meta.chunks == [ChunkMeta(start=c.start, end=c.end) for c in chunks]
    assert set(meta.sections) == {"overview"} | {f"{s}[{i}]" for s in SECTION_NAMES for i in range(n)}
    assert meta.sections["positions[0]"].template == "positions"
    assert meta.sections["positions[0]"].kept == 3  # early, shared, repeated: all in the first chunk
    assert meta.sections[f"conditions[{n - 1}]"].kept == 1
    assert meta.usage.calls == 1 + 4 * n
    assert meta.article_chars == len(article)
    (dropped,) = meta.dropped
    assert dropped.section == "demands" and dropped.reason.startswith(f"chunk 1 ({chunks[1].start}:{chunks[1].end}): ")


def test_a_short_article_is_one_chunk_and_the_same_five_requests():
    endpoint = ScriptedEndpoint()
    pipeline = _pipeline(endpoint)
    summary = pipeline.summarize(ARTICLE)
    assert len(endpoint.requests) == 5
    system = PromptLibrary().get(SYSTEM_TEMPLATE).render(article=ARTICLE).rstrip()
    assert all(r["messages"][0]["content"].startswith(system) for r in endpoint.requests)
    assert summary.meta.chunks == [ChunkMeta(start=0, end=len(ARTICLE))]
    assert set(summary.meta.sections) == {"overview", *SECTION_NAMES}


@pytest.mark.parametrize(
    ("schema_in_prompt", "strategy"), [(True, "sections"), (False, "sections"), (False, "sentences")]
)
def test_every_gold_article_fits_in_one_chunk_but_the_long_one(schema_in_prompt, strategy):
    model = InstructorModel(fake_openai_client(ScriptedEndpoint()), model="m", grammar=not schema_in_prompt)
    assert model.schema_in_prompt is schema_in_prompt
    pipeline = Pipeline(model, sampling={"max_tokens": 900}, context_tokens=4096, reader=strategy)
    paths = sorted(glob.glob(str(ROOT / "evals" / "gold" / "*" / "*" / "article.txt")))
    assert len(paths) == 12
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        # The 1,720-word energy article of the test split is there to exercise chunking.
        expected = (lambda n: n >= 2) if len(text.split()) > 1500 else (lambda n: n == 1)
        assert expected(len(pipeline.chunks(text))), path


def test_the_budget_grows_with_the_context_and_shrinks_with_the_answer_and_a_pasted_schema():
    model = InstructorModel(fake_openai_client(ScriptedEndpoint()), model="m")  # schema in the prompt
    grammar = InstructorModel(fake_openai_client(ScriptedEndpoint()), model="m", grammar=True)
    base = Pipeline(model, sampling={"max_tokens": 900}).article_budget()
    assert Pipeline(model, sampling={"max_tokens": 900}, context_tokens=8192).article_budget() == base + 4096
    assert Pipeline(model, sampling={"max_tokens": 400}).article_budget() == base + 500
    assert Pipeline(grammar, sampling={"max_tokens": 900}).article_budget() > base + 300


def test_a_context_too_small_for_a_long_article_is_a_config_error():
    pipeline = _pipeline(ScriptedEndpoint(), context_tokens=2048)
    with pytest.raises(ConfigError, match="context_tokens=2048"):
        pipeline.summarize(_long_article())


@pytest.mark.parametrize("bad", [0, -1, 1.5, True])
def test_context_tokens_must_be_a_positive_int(bad):
    with pytest.raises(ConfigError, match="context_tokens"):
        Pipeline(InstructorModel(fake_openai_client(ScriptedEndpoint()), model="m"), context_tokens=bad)
