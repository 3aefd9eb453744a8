#include "net/timer_wheel.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <vector>

namespace pier::net {
namespace {

struct Probe {
    std::vector<int>* fired;
    int id;
    Timer timer{&Probe::fire, this};
    static void fire(void* self) {
        auto* p = static_cast<Probe*>(self);
        p->fired->push_back(p->id);
    }
};

TEST(TimerWheel, FiresAtOrAfterTheDeadlineNeverBefore) {
    TimerWheel wheel(0);
    std::vector<int> fired;
    Probe a{&fired, 1};
    Probe b{&fired, 2};
    wheel.schedule(a.timer, 100);
    wheel.schedule(b.timer, 1000);
    EXPECT_EQ(wheel.armed_count(), 2u);
    wheel.expire(99);
    EXPECT_TRUE(fired.empty());
    wheel.expire(100 + TimerWheel::kTickMs);
    EXPECT_EQ(fired, std::vector<int>{1});
    EXPECT_FALSE(a.timer.armed());
    wheel.expire(999);
    EXPECT_EQ(fired.size(), 1u);
    wheel.expire(1000 + TimerWheel::kTickMs);
    EXPECT_EQ(fired, (std::vector<int>{1, 2}));
    EXPECT_EQ(wheel.armed_count(), 0u);
}

TEST(TimerWheel, MovingAndCancellingAreImmediate) {
    TimerWheel wheel(0);
    std::vector<int> fired;
    Probe a{&fired, 1};
    wheel.schedule(a.timer, 100);
    wheel.schedule(a.timer, 5000); // moved, not duplicated
    EXPECT_EQ(wheel.armed_count(), 1u);
    wheel.expire(1000);
    EXPECT_TRUE(fired.empty());
    a.timer.unlink();
    EXPECT_EQ(wheel.armed_count(), 0u);
    wheel.expire(10000);
    EXPECT_TRUE(fired.empty());
}

TEST(TimerWheel, DeadlinesBeyondOneLapWaitTheirTurn) {
    TimerWheel wheel(0);
    std::vector<int> fired;
    Probe far{&fired, 7};
    const std::uint64_t lap = TimerWheel::kTickMs * TimerWheel::kSlots;
    wheel.schedule(far.timer, 2 * lap + 10);
    for (std::uint64_t t = 0; t < 2 * lap; t += TimerWheel::kTickMs) wheel.expire(t);
    EXPECT_TRUE(fired.empty()); // passed over its slot twice without firing early
    wheel.expire(2 * lap + 10 + TimerWheel::kTickMs);
    EXPECT_EQ(fired, std::vector<int>{7});
}

TEST(TimerWheel, ALongPauseFiresEverythingDueOnce) {
    TimerWheel wheel(0);
    std::vector<int> fired;
    std::vector<std::unique_ptr<Probe>> probes;
    for (int i = 0; i < 100; ++i) {
        probes.push_back(std::unique_ptr<Probe>(new Probe{&fired, i}));
        wheel.schedule(probes.back()->timer, static_cast<std::uint64_t>(i) * 997);
    }
    wheel.expire(10'000'000); // the loop was stopped for hours
    EXPECT_EQ(fired.size(), 100u);
    EXPECT_EQ(wheel.armed_count(), 0u);
}

TEST(TimerWheel, ACallbackMayRearmItsOwnTimer) {
    TimerWheel wheel(0);
    struct Again {
        TimerWheel* wheel;
        int runs = 0;
        Timer timer{&Again::fire, this};
        static void fire(void* self) {
            auto* a = static_cast<Again*>(self);
            if (++a->runs < 3)
                a->wheel->schedule(a->timer, 1000 * static_cast<std::uint64_t>(a->runs + 1));
        }
    } again{&wheel};
    wheel.schedule(again.timer, 1000);
    for (std::uint64_t t = 0; t <= 4000; t += 50) wheel.expire(t);
    EXPECT_EQ(again.runs, 3);
}

// A connection's timeout may close other connections (the drain timer aborts them all), and
// each close cancels that connection's timer, which may sit in the very slot being expired.
TEST(TimerWheel, ACallbackMayCancelOtherTimersOfTheSameTick) {
    TimerWheel wheel(0);
    std::vector<int> fired;
    std::vector<std::unique_ptr<Probe>> probes;
    for (int i = 0; i < 4; ++i) {
        probes.push_back(std::unique_ptr<Probe>(new Probe{&fired, i}));
    }
    struct Closer {
        std::vector<std::unique_ptr<Probe>>* victims;
        bool ran = false;
        Timer timer{&Closer::fire, this};
        static void fire(void* self) {
            auto* c = static_cast<Closer*>(self);
            c->ran = true;
            // The slot's list is newest first: 3 is the one right after the closer.
            (*c->victims)[3]->timer.unlink();
            (*c->victims)[2]->timer.unlink();
        }
    } closer{&probes};
    for (auto& p : probes) wheel.schedule(p->timer, 100);
    wheel.schedule(closer.timer, 100); // first in the slot's list: it runs before the others
    wheel.expire(200);
    EXPECT_TRUE(closer.ran);
    std::sort(fired.begin(), fired.end());
    EXPECT_EQ(fired, (std::vector<int>{0, 1})); // the two left are not lost for a lap
    EXPECT_EQ(wheel.armed_count(), 0u);
}

// A timer armed for "now" from a callback fires on the next expire, not a lap later.
TEST(TimerWheel, ATimerArmedForNowFromACallbackFiresOnTheNextTick) {
    TimerWheel wheel(0);
    std::vector<int> fired;
    Probe later{&fired, 7};
    struct Arm {
        TimerWheel* wheel;
        Probe* other;
        Timer timer{&Arm::fire, this};
        static void fire(void* self) {
            auto* a = static_cast<Arm*>(self);
            a->wheel->schedule(a->other->timer, 0);
        }
    } arm{&wheel, &later};
    wheel.schedule(arm.timer, 100);
    wheel.expire(130);
    wheel.expire(200);
    EXPECT_EQ(fired, std::vector<int>{7});
}

TEST(TimerWheel, WaitIsBoundedByTheTickOnlyWhenSomethingIsArmed) {
    TimerWheel wheel(0);
    EXPECT_EQ(wheel.wait_ms(0), -1);
    std::vector<int> fired;
    Probe a{&fired, 1};
    wheel.schedule(a.timer, 10'000);
    EXPECT_GT(wheel.wait_ms(0), 0);
    EXPECT_LE(wheel.wait_ms(0), static_cast<int>(TimerWheel::kTickMs));
}

} // namespace
} // namespace pier::net
