"""The policy version each process keeps for ENDORSEMENT_POLICY_CHECK_SECONDS."""

from django.core.cache import cache

from endorsements import selectors


def test_version_is_read_from_the_cache_at_most_once_per_interval(settings):
    # given a process that read the version
    settings.ENDORSEMENT_POLICY_CHECK_SECONDS = 60
    selectors.policy_invalidate()
    first = selectors.policy_version()
    # when another process changes it in the shared cache
    cache.set("endorsements:policy:version", "changed elsewhere", None)
    # then this process keeps its version until the interval ends
    assert selectors.policy_version() == first
    # and reads the new one when it is checked every time
    settings.ENDORSEMENT_POLICY_CHECK_SECONDS = 0
    assert selectors.policy_version() == "changed elsewhere"


def test_invalidating_in_this_process_is_seen_at_once(settings):
    # given a process that read the version
    settings.ENDORSEMENT_POLICY_CHECK_SECONDS = 60
    first = selectors.policy_version()
    # when it changes the policy
    selectors.policy_invalidate()
    # then it reads the new version at once
    assert selectors.policy_version() != first


def test_an_option_reads_a_policy_change_at_once(settings, policies):
    # given the options as a process keeps them
    settings.ENDORSEMENT_POLICY_CHECK_SECONDS = 60
    first = selectors.policy_option(destination="HKG", type_code="G", option_code="3m1")
    # when an administrator changes the fee in this process
    policy = policies["G"]
    policy.fee = 20
    policy.save()
    # then the next application reads the new fee, and changing a copy changes nothing kept
    again = selectors.policy_option(destination="HKG", type_code="G", option_code="3m1")
    assert first.fee == 15 and again.fee == 20
    again.fee = 99
    assert selectors.policy_option(destination="HKG", type_code="G", option_code="3m1").fee == 20
