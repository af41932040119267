"""The command line's argument types and its parser: every bad value is one sentence, exit 2.

Each type checks one kind of value as argparse parses it and says what would be right;
``CommandParser`` turns argparse's own complaints (a missing command, an unknown flag, a
value of the wrong kind) into the same one-sentence ``UsageError`` instead of a usage dump.
"""

from __future__ import annotations

import argparse
import difflib
import errno
import ipaddress
import math
import os
import re
import socket
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import NoReturn

from mockgenesys.errors import ConfigError

MAX_SEED = 2**63 - 1
MAX_PORT = 65535


class UsageError(ConfigError):
    """A command-line value is wrong; the message names it and says how to fix it."""


# ---------------------------------------------------------------------- value types
def whole_number(low: int, high: int, hint: str = "") -> Callable[[str], int]:
    """A type: a whole number from ``low`` to ``high``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be a whole number from {low} to {high}{hint}, got {text!r}")
        return value

    parse.__name__ = "whole_number"
    return parse


port = whole_number(0, MAX_PORT, " (0 picks a free port)")
seed = whole_number(0, MAX_SEED, " (2**63-1)")


def seconds(low: float, high: float) -> Callable[[str], float]:
    """A type: a finite number of seconds from ``low`` to ``high``."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and low <= value <= high):
            raise argparse.ArgumentTypeError(f"must be a number of seconds from {low:g} to {high:g}, got {text!r}")
        return value

    parse.__name__ = "seconds"
    return parse


def non_empty(flag: str, *, colon: bool = True) -> Callable[[str], str]:
    """A type: text that is not empty or padded with spaces (and, with ``colon=False``, has no ``:``)."""

    def parse(text: str) -> str:
        if not text.strip():
            raise argparse.ArgumentTypeError(f"must not be empty; give a value or leave {flag} out")
        if text != text.strip():
            raise argparse.ArgumentTypeError(f"must not start or end with spaces, got {text!r}")
        if not colon and ":" in text:
            raise argparse.ArgumentTypeError(
                f"must not contain ':' (HTTP Basic auth splits the id from the secret at the first colon), got {text!r}"
            )
        return text

    parse.__name__ = "text"
    return parse


def host(text: str) -> str:
    """A type: ``localhost`` or an IP address (``127.0.0.1``, ``::1``, ``0.0.0.0``…)."""
    if text == "localhost":
        return text
    try:
        ipaddress.ip_address(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be an IP address of this machine or localhost, got {text!r}; the default 127.0.0.1 "
            "keeps the mock on this machine"
        ) from None
    return text


def readable_file(text: str) -> Path:
    """A type: a file that exists and can be read."""
    path = Path(text).expanduser()
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a folder; give a file")
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"{text} does not exist; give the path of an existing file")
    if not os.access(path, os.R_OK):
        raise argparse.ArgumentTypeError(f"{text} cannot be read (permission denied); give a readable file")
    return path


def info_file(text: str) -> Path:
    """A type: a file path whose folder exists and is writable (checked before the server starts)."""
    path = Path(text).expanduser()
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a folder; give a file path such as {path / 'info.json'}")
    folder = path.parent
    if folder.exists() and not folder.is_dir():
        raise argparse.ArgumentTypeError(f"{text} cannot be written: {folder} is a file, not a folder")
    if not folder.is_dir():
        raise argparse.ArgumentTypeError(
            f"{text} cannot be written: the folder {folder} does not exist; create it or give another path"
        )
    if not os.access(folder, os.W_OK):
        raise argparse.ArgumentTypeError(f"{text} cannot be written: the folder {folder} is not writable")
    return path


def check_limit_name(name: str) -> str:
    """``name`` itself if it is a rate limit of ``RateLimits``; else a ``UsageError`` with the close ones."""
    from mockgenesys.faults.ratelimit import RateLimits

    valid = sorted(f.name for f in fields(RateLimits) if f.name != "enabled")
    if name not in valid:
        close = difflib.get_close_matches(name, valid, n=2)
        hint = f" (did you mean {' or '.join(close)}?)" if close else ""
        raise UsageError(f"--limit {name} is not a rate limit{hint}; valid names: {', '.join(valid)}.")
    return name


def check_retention_name(name: str) -> str:
    """``name`` itself if it is a bound of ``Retention``; else a ``UsageError`` with the close ones."""
    from mockgenesys.world.retention import Retention

    valid = [f.name for f in fields(Retention)]
    if name not in valid:
        close = difflib.get_close_matches(name, valid, n=2)
        hint = f" (did you mean {' or '.join(close)}?)" if close else ""
        raise UsageError(f"--retention {name} is not a retention bound{hint}; valid names: {', '.join(valid)}.")
    return name


def bind_error(host: str, port: int, exc: BaseException) -> UsageError:
    """Why ``host:port`` could not be bound, and what to pass instead."""
    code = getattr(exc, "errno", None)
    if isinstance(exc, socket.gaierror) or code in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT):
        return UsageError(
            f"--host {host} is not an address of this machine; use 127.0.0.1 (the default), ::1, or the address "
            "of one of its network interfaces."
        )
    if code == errno.EADDRINUSE:
        return UsageError(f"port {port} on {host} is in use; pick another --port (0 picks a free one).")
    if code == errno.EACCES:
        return UsageError(
            f"port {port} needs privileges on this system; pick a --port from 1024 up (0 picks a free one)."
        )
    reason = getattr(exc, "strerror", None) or str(exc)
    return UsageError(f"cannot listen on {host}:{port} ({reason}); pick another --host or --port.")


# ---------------------------------------------------------------------- the parser
class CommandParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose every complaint is one ``UsageError`` sentence (exit 2 in ``main``)."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(self._sentence(message))

    def _sentence(self, message: str) -> str:
        required = re.fullmatch(r"the following arguments are required: (.*)", message)
        if required and required.group(1) in ("COMMAND", "SUBCOMMAND"):
            commands = self._commands()
            listed = ", ".join(commands[:-1]) + f" or {commands[-1]}" if len(commands) > 1 else "".join(commands)
            return f"give a command after '{self.prog}': {listed} (see {self.prog} --help)."
        if required:
            return f"{self.prog} needs {required.group(1)} (see {self.prog} --help)."
        unknown = re.fullmatch(r"unrecognized arguments: (.*)", message)
        if unknown:
            words = unknown.group(1).split()
            flags = [word.split("=")[0] for word in words if word.startswith("-")]
            close = difflib.get_close_matches(flags[0], self._flags(), n=1, cutoff=0.75) if flags else []
            hint = f"; did you mean {close[0]}?" if close else ""
            return f"unknown argument(s) {' '.join(words)}{hint} (see {self.prog} --help)."
        argument = re.fullmatch(r"argument (\S+?)(?:/\S+)?: (.*)", message, re.S)
        if argument:
            name, detail = argument.groups()
            detail = re.sub(r"^invalid (int|float) value: ", lambda m: _KINDS[m.group(1)], detail)
            if detail == "expected one argument":
                detail = "needs a value"
            return f"{name} {detail.rstrip('.')}."
        return message[:1].upper() + message[1:].rstrip(".") + "."

    def _commands(self) -> list[str]:
        return [name for action in self._subparsers_actions() for name in action.choices]

    def _subparsers_actions(self) -> list[argparse._SubParsersAction[argparse.ArgumentParser]]:
        return [a for a in self._actions if isinstance(a, argparse._SubParsersAction)]

    def _flags(self) -> list[str]:
        """Every option string of this parser and of its subcommands, for 'did you mean'."""
        found = [flag for action in self._actions for flag in action.option_strings]
        for action in self._subparsers_actions():
            for sub in action.choices.values():
                found += sub._flags() if isinstance(sub, CommandParser) else []
        return sorted(set(found))


_KINDS = {"int": "must be a whole number, got ", "float": "must be a number, got "}
