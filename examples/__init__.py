"""Examples from the documentation; each is tested (``tests/skills/test_serve_drink_example.py``)."""
