"""What the solutions mean: explanations, no-deal diagnosis, the frontier, the deficit bridge, comparisons and sweeps."""
