"""Team-lead wallboard screen and its widgets."""
