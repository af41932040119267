"""The file ``mockgenesys load`` hands Locust (``-f``): the mockgenesys users, imported once by name."""

from mockgenesys.load.users import GuestUser, PlatformUser

__all__ = ["GuestUser", "PlatformUser"]
