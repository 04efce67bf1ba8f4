"""Every platform profile against its corpus of real-world-shaped configuration lines."""

from __future__ import annotations

import pytest

from netraven_desktop.core.drivers.filters import clean, clean_config
from netraven_desktop.core.drivers.profiles import MASK
from netraven_desktop.core.platforms import PLATFORMS, profile_for
from tests.secret_corpus import CORPUS, Case, load


def test_every_platform_has_a_corpus():
    assert set(CORPUS) == set(PLATFORMS)
    for platform in PLATFORMS:
        corpus = load(platform)
        assert corpus.cases, platform
        assert corpus.keep, platform


@pytest.mark.parametrize(
    "case", [case for platform in PLATFORMS for case in load(platform).cases], ids=str
)
def test_secret_is_masked_by_value_and_the_line_kept(case: Case):
    cleaned = clean(case.line, profile_for(case.platform))
    assert cleaned.text == case.want + "\n"
    for secret in case.secrets:
        assert secret not in cleaned.text
    # What masking reports it took is what the line held (fingerprints are made of it).
    taken = "\n".join(value for values in cleaned.masked.values() for value in values)
    assert all(secret in taken for secret in case.secrets)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_lines_without_secrets_come_through_unchanged(platform: str):
    keep = load(platform).keep
    text = "\n".join(keep) + "\n"
    cleaned = clean(text, profile_for(platform))
    assert cleaned.text == text
    assert cleaned.masked == {}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_masked_lines_are_numbered_in_the_cleaned_text(platform: str):
    corpus = load(platform)
    text = "\n".join([*corpus.keep, *(case.line for case in corpus.cases)])
    cleaned = clean(text, profile_for(platform))
    lines = cleaned.text.splitlines()
    assert cleaned.masked
    for number in cleaned.masked:
        assert MASK in lines[number]


def test_masking_off_keeps_every_secret():
    corpus = load("cisco_ios")
    text = "\n".join(case.line for case in corpus.cases)
    kept = clean_config(text, profile_for("cisco_ios"), mask_secrets=False)
    assert all(secret in kept for case in corpus.cases for secret in case.secrets)
