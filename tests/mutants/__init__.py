"""Seeded-bug clients ("mutants") and the harness that measures the judges' detection power.

- ``baseline_guest.BaselineGuest`` / ``baseline_platform.BaselinePlatform``: correct clients,
  written from the protocol (not the client core), with one small hook per behaviour;
  ``catalogue.ReferenceGuest`` / ``ReferencePlatform``: the client core, judged the same way;
- ``catalogue.MUTANTS``: one subclass per classic bug (issue 13's table), each overriding one hook;
- ``judges`` (chaos library, state machines, strict pytest via ``strict_cases.py``) and
  ``matrix`` (``python -m tests.mutants.matrix``): every client through every judge;
  ``test_detection.py`` asserts each verdict;
- ``sweep`` (``python -m tests.mutants.matrix --sweep``): the correct clients through the whole
  library at many seeds and guests, where any failure is a false alarm; ``test_sweep.py`` keeps
  a slice of it.
"""
