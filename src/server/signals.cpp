#include <pier/server.hpp>

#include <atomic>
#include <csignal>
#include <pthread.h>
#include <thread>
#include <unistd.h>

namespace pier {

int run_until_signalled(Server& server) {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    // Blocked here, inherited by every worker thread: only the watcher below receives them.
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::atomic<bool> finished{false};
    std::thread watcher([&server, &finished, signals] {
        int sig = 0;
        if (sigwait(&signals, &sig) != 0 || finished.load()) return;
        server.stop(true);
        if (sigwait(&signals, &sig) != 0 || finished.load()) return;
        _exit(128 + sig); // a second signal: the user does not want to wait
    });
    server.run();
    // Stopped (by the first signal or by stop() elsewhere): release the watcher, which takes
    // this self-sent signal as "done".
    finished.store(true);
    pthread_kill(watcher.native_handle(), SIGTERM);
    watcher.join();
    return 0;
}

} // namespace pier
