// Blocks SIGPIPE in the calling thread for a scope, and consumes one raised meanwhile before
// the mask is restored. For writes that cannot say MSG_NOSIGNAL — OpenSSL's, sendfile(2) — to
// a peer that has gone: without it such a write kills a process that does not ignore SIGPIPE,
// and a library must not change the process's signal dispositions to prevent that.
#pragma once

#include <csignal>
#include <ctime>
#include <pthread.h>

namespace pier::net {

class SigpipeGuard {
  public:
    SigpipeGuard() noexcept {
        sigemptyset(&pipe_);
        sigaddset(&pipe_, SIGPIPE);
        sigset_t pending;
        sigpending(&pending);
        was_pending_ = sigismember(&pending, SIGPIPE) == 1;
        pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
    }
    ~SigpipeGuard() {
        if (!was_pending_) {
            sigset_t pending;
            sigpending(&pending);
            if (sigismember(&pending, SIGPIPE) == 1) {
                const timespec none{};
                sigtimedwait(&pipe_, nullptr, &none);
            }
        }
        pthread_sigmask(SIG_SETMASK, &old_, nullptr);
    }
    SigpipeGuard(const SigpipeGuard&) = delete;
    SigpipeGuard& operator=(const SigpipeGuard&) = delete;

  private:
    sigset_t pipe_;
    sigset_t old_;
    bool was_pending_ = false;
};

} // namespace pier::net
