"""Compressed text columns (engine.storage.compression): what is written reads back, also text written
before a dictionary existed, and a dictionary in use never changes."""

from __future__ import annotations

import zlib

import pytest

from engine.base.errors import ConfigurationError
from engine.storage import compression
from engine.storage.compression import ARCHIVE_DICTIONARY, pack, unpack

TEXT = '{"tasks":{"Ä":"é ✓"},"data":{"adres":"Dorpsstraat 1"}}' * 20


@pytest.mark.parametrize("dictionary_name", [None, ARCHIVE_DICTIONARY])
@pytest.mark.parametrize("level", [1, 6])
def test_what_is_packed_unpacks_to_the_same_text(level, dictionary_name):
    assert unpack(pack(TEXT, level, dictionary_name)) == TEXT
    assert unpack(pack("", level, dictionary_name)) == ""


def test_text_packed_without_a_dictionary_still_reads():
    """Rows written before the dictionary (plain zlib, any level) are read as they are."""
    assert unpack(zlib.compress(TEXT.encode("utf-8"), 6)) == TEXT


def test_a_value_names_its_dictionary_and_an_unknown_one_is_refused_in_dutch():
    other = b'{"another":"dictionary"}' * 10
    packer = zlib.compressobj(6, zdict=other)
    packed = packer.compress(TEXT.encode("utf-8")) + packer.flush()
    with pytest.raises(ConfigurationError, match="onbekend woordenboek.*kent alleen archive-1.zdict"):
        unpack(packed)


def test_the_archive_dictionary_never_changes():
    """Stored rows need the very bytes they were packed with: a new dictionary is a new file."""
    assert zlib.adler32(compression.dictionary(ARCHIVE_DICTIONARY)) == 0xB6099779
    assert len(compression.dictionary(ARCHIVE_DICTIONARY)) == 32 * 1024
