// Timers for the event loop: a hashed timing wheel with intrusive nodes, so arming, moving and
// cancelling a deadline are O(1) and a connection's timer costs no allocation. Every
// connection keeps exactly one live deadline (header, idle, body or write stall) and moves it
// as its state changes. Resolution is one tick (kTickMs); a timer never fires early.
#pragma once

#include <array>
#include <cstdint>

namespace pier::net {

class TimerWheel;

class Timer {
  public:
    using Callback = void (*)(void* context);

    Timer(Callback on_expiry, void* context) noexcept : on_expiry_(on_expiry), context_(context) {}
    Timer(const Timer&) = delete;
    Timer& operator=(const Timer&) = delete;
    ~Timer() { unlink(); }

    bool armed() const noexcept { return prev_ != nullptr; }
    std::uint64_t deadline_ms() const noexcept { return deadline_ms_; }
    void unlink() noexcept;

  private:
    friend class TimerWheel;
    Timer* prev_ = nullptr; // the slot's sentinel when first; nullptr when not armed
    Timer* next_ = nullptr;
    TimerWheel* wheel_ = nullptr;
    std::uint64_t deadline_ms_ = 0;
    Callback on_expiry_;
    void* context_;
};

class TimerWheel {
  public:
    static constexpr std::uint64_t kTickMs = 64;
    static constexpr std::size_t kSlots = 512; // one lap: ~33 s; longer deadlines wait laps

    explicit TimerWheel(std::uint64_t now_ms) noexcept;
    TimerWheel(const TimerWheel&) = delete;
    TimerWheel& operator=(const TimerWheel&) = delete;
    ~TimerWheel();

    /// Arms (or moves) `t` to fire at `deadline_ms` or up to one tick later.
    void schedule(Timer& t, std::uint64_t deadline_ms) noexcept;
    /// Fires every timer whose deadline has passed. A callback may re-arm or cancel its own
    /// timer, not another one (the loop defers destroying objects to the end of an iteration).
    void expire(std::uint64_t now_ms);
    /// Milliseconds until the next tick that could fire a timer, or -1 when none is armed —
    /// what epoll_wait should wait at most.
    int wait_ms(std::uint64_t now_ms) const noexcept;
    std::size_t armed_count() const noexcept { return count_; }

  private:
    struct Slot {
        Timer head{nullptr, nullptr}; // sentinel: head.next_ is the first timer
    };
    std::array<Slot, kSlots> slots_;
    std::uint64_t current_tick_; // every tick before this one has been expired
    std::size_t count_ = 0;
    friend class Timer;
};

} // namespace pier::net
