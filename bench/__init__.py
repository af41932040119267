"""mockgenesys benchmarks: `python -m bench --help`."""
