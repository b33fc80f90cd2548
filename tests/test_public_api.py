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


def test_every_error_pickles_whole():
    """A Ray worker hands the batch driver the error that stops a run: message, type and attributes."""
    import pickle

    from summarizer import errors

    raised = [
        errors.ConfigError("bad option"),
        errors.InputError("empty article"),
        errors.TemplateError("missing variable", template="positions.j2"),
        errors.ModelNotInstalledError("no model"),
        errors.EngineError("died", log_tail="last words"),
        errors.EngineNotInstalledError("not built"),
        errors.ModelError("bad answer", status_code=400, attempts=2, section="risks"),
        errors.ModelAuthError("refused", status_code=401),
        errors.ModelUnavailableError("kept failing", status_code=503, attempts=4),
        errors.ReplayMissError("not recorded", key="abc123"),
    ]
    for error in raised:
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error) and str(copy) == str(error) and vars(copy) == vars(error)
