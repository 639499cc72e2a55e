"""pandera models of the input contracts (brief section 3), one per dataset."""
