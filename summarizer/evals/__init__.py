"""The offline evaluation harness: gold loading, matching, metrics, runs, comparisons, agreement.

gold.py            load and validate ``<article_id>/article.txt + gold.json``
aliases.py         actor names -> the gold's canonical actors
items.py           one flat view of gold and predictions
embedder.py        the SOFT matcher's sentence embeddings (real model, or a deterministic stand-in)
matching.py        per-section similarity matrices and Hungarian one-to-one pairing (STRICT: ``summarizer.wording``)
metrics.py         P/R/F1 (one-to-one and many-to-one) and evidence metrics, pure
coverage.py        reading coverage: gold items whose sentence yielded any prediction in their section
scoring.py         one annotation against one gold, every matcher
bootstrap.py       bootstrap intervals of F1 over articles (one run; two runs paired)
reliability.py     confidence bins and the expected calibration error, pure
confidence_report.py  precision-recall by confidence threshold and reliability on gold (metrics.json)
runner.py          run a summarizer over gold articles and write the run folder
runfiles.py        the run folder's files, typed: written by the runner, read by the report and compare
tables.py          the text tables the commands print
report.py          the HTML report of a run folder: reads it and assembles the page (``templates/``)
report_metrics.py  the report's tables, tiles and chips
report_matches.py  the report's gold and predicted item cards, as each matcher paired them
report_confidence.py  the report's "Confidence" part (figures.py: its matplotlib figures, inline SVG)
highlight.py       the report's article text with every evidence span marked
compare.py         two run folders side by side
agree.py           inter-annotator agreement
cli.py             ``summarizer eval ...``
"""
