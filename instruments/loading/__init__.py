"""The parts of loading an instrument: the checker and its messages, each part of the format, and the limits."""
