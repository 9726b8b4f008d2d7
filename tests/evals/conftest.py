"""Every test here sees the symbolic fake suites (``fake-*-v0``) in ``SUITES``."""

import evals.testing  # noqa: F401 - registers the fake suites
