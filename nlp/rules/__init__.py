"""Rule-based extraction: the baseline every model must beat, and the weak labeller."""
