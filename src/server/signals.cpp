#include <pier/server.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <pthread.h>
#include <string>
#include <thread>
#include <unistd.h>

namespace pier {

namespace {

void reload(Server& server) {
    std::string error;
    if (server.reload_tls(error))
        std::fprintf(stderr, "pier: SIGHUP: certificates reloaded; new connections get them\n");
    else
        std::fprintf(stderr,
                     "pier: SIGHUP: reload refused, the old certificates keep serving: %s\n",
                     error.c_str());
    std::fflush(stderr);
}

} // namespace

int run_until_signalled(Server& server) {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    // SIGHUP reloads certificates; a plain server keeps the default (a closed terminal ends it).
    const bool reloads = server.tls_enabled();
    if (reloads) sigaddset(&signals, SIGHUP);
    // Blocked here, inherited by every worker thread: only the watcher below receives them.
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::atomic<bool> finished{false};
    std::thread watcher([&server, &finished, signals] {
        int sig = 0;
        bool stopping = false;
        while (sigwait(&signals, &sig) == 0 && !finished.load()) {
            if (sig == SIGHUP) {
                reload(server);
                continue;
            }
            if (stopping) _exit(128 + sig); // a second signal: the user does not want to wait
            server.stop(true);
            stopping = true;
        }
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
