import summarizer

EXPECTED = {
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
    "Summary",
    "SummarizerError",
    "TemplateError",
    "Usage",
    "__version__",
    "summarize",
}


def test_all_is_exactly_what_we_mean_to_export_sorted():
    assert summarizer.__all__ == sorted(summarizer.__all__)
    assert set(summarizer.__all__) == EXPECTED
    for name in summarizer.__all__:
        assert hasattr(summarizer, name), name


def test_errors_form_one_hierarchy():
    for name in summarizer.__all__:
        obj = getattr(summarizer, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, summarizer.SummarizerError), name
