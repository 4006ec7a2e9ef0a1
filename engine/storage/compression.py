"""Compressed text columns: zlib, optionally primed with a fixed dictionary.

A finished subprocess is archived on its own (engine.workflow.case_store), a few kB of JSON whose
keys, task names and structure are those of every other archived subprocess. zlib sees each one
alone, so it learns them anew each time; primed with a dictionary of typical archived text it packs
them about twice as tight.

A dictionary is part of the stored format: once used it never changes. zlib writes the dictionary's
Adler-32 checksum into every stream that needs one, so a stored value names its own dictionary:
values written before a dictionary existed, or with another one, keep reading. A new dictionary is
a new file next to the old ones (see tools/archive_dictionary.py for how the first was made).
"""

from __future__ import annotations

import zlib
from functools import cache
from pathlib import Path

from engine.base.errors import ConfigurationError

DICTIONARIES = Path(__file__).resolve().parent / "dictionaries"
ARCHIVE_DICTIONARY = "archive-1.zdict"  # the one new archive rows are packed with
_FDICT = 0x20  # zlib header: a preset dictionary follows (RFC 1950, section 2.2)


@cache
def dictionary(name: str) -> bytes:
    return (DICTIONARIES / name).read_bytes()


def _known() -> list[str]:
    return sorted(path.name for path in DICTIONARIES.glob("*.zdict"))


@cache
def _by_checksum() -> dict[int, bytes]:
    return {zlib.adler32(content): content for content in map(dictionary, _known())}


def pack(text: str, level: int, dictionary_name: str | None = None) -> bytes:
    data = text.encode("utf-8")
    if dictionary_name is None:
        return zlib.compress(data, level)
    packer = zlib.compressobj(level, zdict=dictionary(dictionary_name))
    return packer.compress(data) + packer.flush()


def unpack(packed: bytes) -> str:
    if len(packed) < 6 or not packed[1] & _FDICT:
        return zlib.decompress(packed).decode("utf-8")
    checksum = int.from_bytes(packed[2:6], "big")
    zdict = _by_checksum().get(checksum)
    if zdict is None:
        raise ConfigurationError(
            f"opgeslagen zaakgegevens zijn gecomprimeerd met een onbekend woordenboek ({checksum:08x}); "
            f"deze versie kent alleen {', '.join(_known())}"
        )
    unpacker = zlib.decompressobj(zdict=zdict)
    return (unpacker.decompress(packed) + unpacker.flush()).decode("utf-8")
