"""A readable Markdown rendering of a ``Summary``."""

from __future__ import annotations

from summarizer.schemas import SECTIONS, Evidence, Summary


def _quotes(evidence: list[Evidence]) -> str:
    return " ".join(f"> “{ev.quote}” (chars {ev.start}–{ev.end})" for ev in evidence)


def _table_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(summary: Summary) -> str:
    lines: list[str] = ["# Summary", "", summary.overview or "_No overview._", ""]
    if summary.actors:
        lines += ["## Actors", ""]
        for actor in summary.actors:
            aliases = f" (also: {', '.join(actor.aliases)})" if actor.aliases else ""
            lines.append(f"- **{actor.name}**{aliases}")
        lines.append("")
    for section in SECTIONS.values():
        items = getattr(summary, section.name)
        lines += [f"## {section.title}", ""]
        if not items:
            lines += ["_None found._", ""]
            continue
        for item in items:
            who = " → ".join(str(getattr(item, name)) for name in section.actor_fields)
            what = " — ".join(str(getattr(item, name)) for name in section.text_fields)
            lines.append(f"- **{_table_cell(who)}**: {_table_cell(what)}")
            lines.append(f"  {_quotes(item.evidence)}")
        lines.append("")
    meta = summary.meta
    usage = meta.usage
    lines += [
        "## Meta",
        "",
        "| model | backend | seconds | prompt tokens | completion tokens | calls | retries | re-asks | dropped |",
        "|---|---|---|---|---|---|---|---|---|",
        f"| {meta.model} | {meta.backend} | {meta.seconds:.1f} | {usage.prompt_tokens} | {usage.completion_tokens} "
        f"| {usage.calls} | {usage.retries} | {usage.reasks} | {len(meta.dropped)} |",
        "",
    ]
    for dropped in meta.dropped:
        lines.append(f"- dropped from {dropped.section}: {dropped.reason}")
    for hidden in meta.masked:
        text = _table_cell(hidden.text)
        where = f"chars {hidden.start}–{hidden.end}"
        lines.append(f"- hidden from the model as an instruction to an AI ({where}): “{text}”")
    return "\n".join(lines).rstrip() + "\n"
