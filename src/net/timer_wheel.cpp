#include "net/timer_wheel.hpp"

namespace pier::net {

void Timer::unlink() noexcept {
    if (prev_ == nullptr) return;
    prev_->next_ = next_;
    if (next_ != nullptr) next_->prev_ = prev_;
    prev_ = next_ = nullptr;
    --wheel_->count_;
}

TimerWheel::TimerWheel(std::uint64_t now_ms) noexcept : current_tick_(now_ms / kTickMs) {}

TimerWheel::~TimerWheel() {
    for (Slot& s : slots_) {
        while (Timer* t = s.head.next_) t->unlink();
    }
}

void TimerWheel::schedule(Timer& t, std::uint64_t deadline_ms) noexcept {
    t.unlink();
    t.deadline_ms_ = deadline_ms;
    t.wheel_ = this;
    // Round up so a timer never fires before its deadline; never into an expired tick.
    std::uint64_t tick = (deadline_ms + kTickMs - 1) / kTickMs;
    if (tick < current_tick_) tick = current_tick_;
    Timer& head = slots_[tick % kSlots].head;
    t.prev_ = &head;
    t.next_ = head.next_;
    if (head.next_ != nullptr) head.next_->prev_ = &t;
    head.next_ = &t;
    ++count_;
}

void TimerWheel::expire(std::uint64_t now_ms) {
    const std::uint64_t last = now_ms / kTickMs;
    // Never walk more than one lap: every slot is visited once and laps are handled by the
    // deadline check, so a long pause costs O(slots + timers), not O(elapsed ticks).
    std::uint64_t tick = current_tick_;
    if (last >= tick + kSlots) tick = last - kSlots + 1;
    for (; tick <= last; ++tick) {
        // A callback may cancel or re-arm any timer, not just its own (a connection closed by
        // another's callback unlinks its timer): so the slot's list is first moved aside and
        // taken from the front one timer at a time, never walked with a saved next pointer.
        // Re-arming lands in a later tick (current_tick_ is past this one), never in the
        // list being emptied.
        current_tick_ = tick + 1;
        Timer& head = slots_[tick % kSlots].head;
        Timer aside{nullptr, nullptr};
        aside.next_ = head.next_;
        if (aside.next_ != nullptr) aside.next_->prev_ = &aside;
        head.next_ = nullptr;
        while (Timer* t = aside.next_) {
            t->unlink();
            if (t->deadline_ms_ <= now_ms)
                t->on_expiry_(t->context_);
            else
                schedule(*t, t->deadline_ms_); // a later lap: back into its slot
        }
    }
    current_tick_ = last + 1;
}

int TimerWheel::wait_ms(std::uint64_t now_ms) const noexcept {
    if (count_ == 0) return -1;
    // Wake at the next tick boundary: cheap, and bounded by the resolution.
    const std::uint64_t next_tick_ms = (now_ms / kTickMs + 1) * kTickMs;
    return static_cast<int>(next_tick_ms - now_ms);
}

} // namespace pier::net
