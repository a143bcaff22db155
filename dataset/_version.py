"""The version of RUCAS, set by the maintainers before a release: the one place it is written.

A leaf module (it imports nothing), so that any module can read the version without importing the
`rucas` package's functions; pyproject.toml reads it for the wheel, and `rucas.__version__` is this.
"""

__version__ = "0.1.0"
