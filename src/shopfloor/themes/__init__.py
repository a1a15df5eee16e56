"""Figure builders of the three theme chapters, one module per theme."""
