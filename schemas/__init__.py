"""pandera models: the input contracts (brief section 3), one per dataset, and the output
contracts of what is published (figures.py, monthly_counts.py)."""
