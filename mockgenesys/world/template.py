"""``WorldTemplate``: a world built once and handed out as cheap, fully isolated copies.

A template holds a generated or loaded world that nothing else may touch. ``template.world()``
returns a new ``World`` in constant time: each of its collections (orgs, clients, contacts,
conversations…) and its RNG is copied from the template the first time the new world reads it, so
a test pays for what it touches, and a reset (a new copy) costs nothing. Copies share no mutable
value with the template (``copying.copy_record``), so no test can change what the next one sees.

Generated templates are kept per process, keyed by seed and options, and snapshot files by path
and modification time: a seed's world is generated once per process (once per pytest-xdist worker).
"""

from __future__ import annotations

import functools
import inspect
from pathlib import Path
from typing import Any

from mockgenesys.errors import ConfigError
from mockgenesys.world.copying import copy_data
from mockgenesys.world.generate import populate
from mockgenesys.world.store import World

#: Templates kept per process (distinct seeds, option sets and snapshot files); the oldest go first.
TEMPLATE_CACHE_SIZE = 64
_DEFAULTS = {
    name: parameter.default
    for name, parameter in inspect.signature(populate).parameters.items()
    if parameter.kind is inspect.Parameter.KEYWORD_ONLY
}


class WorldTemplate:
    """A world kept as the starting point of many: ``world()`` gives a fresh, isolated copy.

    >>> template = WorldTemplate.generate(7)
    >>> first, second = template.world(), template.world()
    >>> first.contacts.clear()
    >>> second.snapshot_json() == World.generate(7).snapshot_json() != first.snapshot_json()
    True
    """

    __slots__ = ("_rng_state", "_source")

    def __init__(self, source: World) -> None:
        # The template owns ``source`` from here on: callers hand over a world nothing else holds.
        self._source = source
        self._rng_state = source.rng.getstate()

    @classmethod
    def generate(cls, seed: int = 0, **options: Any) -> WorldTemplate:
        """The template of ``World.generate(seed, **options)``, generated once per process."""
        if not options.keys() <= _DEFAULTS.keys():
            return cls._generate(seed, options)  # populate names the unknown option
        key = tuple(sorted({**_DEFAULTS, **options}.items()))  # defaults spelled out or not: one template
        try:
            hash(key)
        except TypeError:  # an unhashable option value (a list for ``messages``): no caching
            return cls._generate(seed, options)
        return _generated(seed, key)

    @classmethod
    def load(cls, source: str | Path | dict[str, Any]) -> WorldTemplate:
        """The template of ``World.load(source)``; a file is read once per process while it is unchanged."""
        if isinstance(source, dict):  # copied: the caller keeps its dict and may change it
            return cls(World.from_snapshot(copy_data(source), "the snapshot"))
        path = Path(source)
        try:
            stat = path.stat()
        except OSError as exc:
            raise ConfigError(f"Cannot read the world file {source}: {exc.strerror}.") from exc
        return _loaded(str(path.resolve()), str(source), stat.st_mtime_ns, stat.st_size)

    @classmethod
    def _generate(cls, seed: int, options: dict[str, Any]) -> WorldTemplate:
        world = World(seed=seed)
        populate(world, **options)
        return cls(world)

    @property
    def seed(self) -> int:
        """The seed of the template's world (and of its RNG before any draw)."""
        return self._source.seed

    def world(self) -> World:
        """A new world equal to the template's, sharing nothing mutable with it; O(1) until read."""
        return World.copy_of(self._source, self._rng_state)

    def __repr__(self) -> str:
        source = self._source
        return f"WorldTemplate(seed={source.seed!r}, contacts={len(source.contacts)}, conversations={len(source.conversations)})"


@functools.lru_cache(maxsize=TEMPLATE_CACHE_SIZE)  # a pure function of its arguments; templates never change
def _generated(seed: int, options: tuple[tuple[str, Any], ...]) -> WorldTemplate:
    return WorldTemplate._generate(seed, dict(options))


@functools.lru_cache(maxsize=TEMPLATE_CACHE_SIZE)  # keyed by the file's identity and modification time
def _loaded(resolved: str, origin: str, mtime_ns: int, size: int) -> WorldTemplate:
    return WorldTemplate(World.from_snapshot(World.read_snapshot(Path(resolved), origin), origin))


def cache_info() -> dict[str, int]:
    """How many worlds this process generated and snapshot files it read, and how many it keeps."""
    generated, loaded = _generated.cache_info(), _loaded.cache_info()
    return {
        "generations": generated.misses,
        "file_loads": loaded.misses,
        "kept": generated.currsize + loaded.currsize,
    }


def clear_cache() -> None:
    """Forget every kept template; the next world of each seed or file is built again."""
    _generated.cache_clear()
    _loaded.cache_clear()
