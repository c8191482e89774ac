"""Runtime adapters: where a job finds new input, how it reads raw lines, and which catalog it uses."""
