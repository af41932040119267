"""Seeded-bug clients ("mutants") and the harness that measures the judges' detection power.

- ``baseline_guest.BaselineGuest`` / ``baseline_platform.BaselinePlatform``: correct clients,
  written from the protocol (not the client core), with one small hook per behaviour;
- ``catalogue.MUTANTS``: one subclass per classic bug (issue 13's table), each overriding one hook;
- ``protocols.PlatformAdapter`` / ``PlatformContext``: the platform-side adapter protocol;
- ``judges`` (chaos library, ``reauth_machine``, strict pytest via ``strict_cases.py``) and
  ``matrix`` (``python -m tests.mutants.matrix``): every client through every judge.
"""
