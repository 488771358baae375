"""Evidence in, assessment out: time and place reasoning, fusion and claim checking."""
