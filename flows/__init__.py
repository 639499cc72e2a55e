"""statement-figures: police incident extracts to signed, reproducible statement figures."""
