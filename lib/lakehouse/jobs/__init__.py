"""Jobs: find new input, read raw lines, transform (pure), write, register, record the run, commit."""
