"""One module per stage of the generated DVC pipeline."""
