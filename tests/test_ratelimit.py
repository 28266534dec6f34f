"""harness.ratelimit: a sliding window that tells the client once per window."""

from harness.ratelimit import RateLimiter


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_when_under_the_limit_then_every_hit_is_allowed():
    limiter = RateLimiter(3, 1.0, clock=FakeClock())
    assert [limiter.hit("u").allowed for _ in range(3)] == [True, True, True]


def test_when_over_the_limit_then_refused_and_notified_once_per_window():
    clock = FakeClock()
    limiter = RateLimiter(2, 1.0, clock=clock)
    decisions = [limiter.hit("u") for _ in range(5)]
    assert [d.allowed for d in decisions] == [True, True, False, False, False]
    assert [d.notify for d in decisions] == [False, False, True, False, False]
    clock.now = 0.5
    assert limiter.hit("u").notify is False  # still the same window since the notice


def test_when_the_window_slides_past_old_hits_then_hits_are_allowed_again():
    clock = FakeClock()
    limiter = RateLimiter(2, 1.0, clock=clock)
    limiter.hit("u"), limiter.hit("u")
    assert limiter.hit("u").allowed is False
    clock.now = 1.0
    assert limiter.hit("u").allowed is True


def test_when_two_keys_hit_then_their_limits_are_independent():
    limiter = RateLimiter(1, 1.0, clock=FakeClock())
    assert limiter.hit("alice").allowed is True
    assert limiter.hit("alice").allowed is False
    assert limiter.hit("bob").allowed is True
