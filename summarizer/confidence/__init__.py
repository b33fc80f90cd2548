"""How sure the model was of each item: signals from its token probabilities, calibrated on gold."""
