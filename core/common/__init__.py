"""The shared kernel every feature uses: the reply model, name folding, user-facing errors."""
