// LiveReload: an inotify watch per directory of the tree, read by a thread that waits for the
// tree to be quiet, then asks every connected page, on its own loop, to reload.
#include <pier/live_reload.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <dirent.h>
#include <mutex>
#include <poll.h>
#include <stdexcept>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <unordered_map>
#include <vector>

namespace pier {

namespace {

// What an edit, a save by rename, a new or removed file, or a touch looks like.
constexpr std::uint32_t kEvents =
    IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_ATTRIB | IN_ONLYDIR;
// A burst that never goes quiet (a build writing for minutes) still reloads this often.
constexpr std::chrono::milliseconds kMaxDelay{1000};

} // namespace

struct LiveReload::Hub {
    using Clock = std::chrono::steady_clock;
    struct Subscriber {
        Loop* loop;
        ws::Socket* socket;
        std::shared_ptr<bool> alive; // read and cleared on the socket's loop only
    };

    std::string root;
    std::chrono::milliseconds debounce;
    int inotify = -1;
    int stop = -1;
    std::thread thread;
    std::unordered_map<int, std::string> directories; // watch → path; the thread's own
    std::mutex mutex;
    std::vector<Subscriber> subscribers;
    std::atomic<std::size_t> watched{0};
    std::atomic<std::size_t> announced{0};

    ~Hub() {
        if (inotify >= 0) ::close(inotify);
        if (stop >= 0) ::close(stop);
    }

    static bool same_directory(const std::string& a, const std::string& b) {
        struct stat sa {};
        struct stat sb {};
        return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 &&
               sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    }

    void add_tree(const std::string& dir) {
        const int wd = inotify_add_watch(inotify, dir.c_str(), kEvents);
        if (wd < 0) return; // past the inotify limit: the rest is not watched
        const auto [known, added] = directories.emplace(wd, dir);
        if (!added) {
            // The same directory again: a link back up the tree (seen), or one renamed within
            // the root, whose path, and its subdirectories' paths, are out of date.
            if (known->second == dir || same_directory(known->second, dir)) return;
            known->second = dir;
        }
        watched = directories.size();
        DIR* d = ::opendir(dir.c_str());
        if (d == nullptr) return;
        while (const dirent* e = ::readdir(d)) {
            if (e->d_name[0] == '.') continue; // ., .., and hidden trees (.git) are not served
            const std::string path = dir + "/" + e->d_name;
            struct stat st {};
            if (e->d_type == DT_DIR ||
                (e->d_type == DT_UNKNOWN && ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)))
                add_tree(path);
        }
        ::closedir(d);
    }

    // Reads what inotify has; true when something that matters changed.
    bool read_changes() {
        alignas(inotify_event) char buffer[16384];
        bool changed = false;
        for (;;) {
            const ssize_t n = ::read(inotify, buffer, sizeof buffer);
            if (n <= 0) break;
            for (char* p = buffer; p < buffer + n;) {
                const auto* e = reinterpret_cast<const inotify_event*>(p);
                p += sizeof(inotify_event) + e->len;
                if (e->mask & IN_IGNORED) { // the directory was removed
                    directories.erase(e->wd);
                    watched = directories.size();
                    continue;
                }
                // Hidden names: editors' swap files, upload temporaries, .git.
                if (e->len != 0 && e->name[0] == '.') continue;
                changed = true;
                if ((e->mask & IN_ISDIR) && (e->mask & (IN_CREATE | IN_MOVED_TO)) && e->len != 0) {
                    const auto it = directories.find(e->wd);
                    if (it != directories.end()) add_tree(it->second + "/" + e->name);
                }
            }
        }
        return changed;
    }

    void run() {
        bool pending = false;         // a change not announced yet
        Clock::time_point first{};    // of the burst
        Clock::time_point quiet_at{}; // when it counts as over
        for (;;) {
            int timeout = -1;
            if (pending) {
                const auto due = std::min(quiet_at, first + kMaxDelay);
                timeout = static_cast<int>(std::max<long long>(
                    0, std::chrono::ceil<std::chrono::milliseconds>(due - Clock::now()).count()));
            }
            pollfd fds[2] = {{inotify, POLLIN, 0}, {stop, POLLIN, 0}};
            const int ready = ::poll(fds, 2, timeout);
            if (ready < 0 && errno != EINTR) return;
            if (fds[1].revents != 0) return;
            if (ready > 0 && (fds[0].revents & POLLIN) && read_changes()) {
                const auto now = Clock::now();
                if (!pending) first = now;
                pending = true;
                quiet_at = now + debounce;
            }
            if (pending && Clock::now() >= std::min(quiet_at, first + kMaxDelay)) {
                pending = false;
                announce();
            }
        }
    }

    void announce() {
        ++announced;
        const std::lock_guard lock(mutex);
        for (const Subscriber& s : subscribers)
            s.loop->post([socket = s.socket, alive = s.alive] {
                if (*alive) socket->send_text("reload");
            });
    }
};

LiveReload::LiveReload(std::string root, std::chrono::milliseconds debounce)
    : hub_(std::make_shared<Hub>()) {
    Hub& h = *hub_;
    h.root = std::move(root);
    h.debounce = debounce;
    h.inotify = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    h.stop = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (h.inotify < 0 || h.stop < 0)
        throw std::runtime_error(std::string("live reload: inotify: ") + std::strerror(errno));
    struct stat st {};
    if (::stat(h.root.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        throw std::runtime_error("live reload: " + h.root + " is not a directory");
    h.add_tree(h.root);
    if (h.directories.empty())
        throw std::runtime_error("live reload: cannot watch " + h.root + ": " +
                                 std::strerror(errno));
    h.thread = std::thread([hub = hub_] {
        // Signals are the server's to handle, on its own thread.
        sigset_t all;
        sigfillset(&all);
        pthread_sigmask(SIG_BLOCK, &all, nullptr);
        hub->run();
    });
}

LiveReload::~LiveReload() {
    const std::uint64_t one = 1;
    if (::write(hub_->stop, &one, sizeof one) < 0) {
        // eventfd writes do not fail short of overflow; the join below would hang otherwise
    }
    if (hub_->thread.joinable()) hub_->thread.join();
}

ws::Handlers LiveReload::handlers() {
    ws::Handlers h;
    h.on_open = [hub = hub_](ws::Socket& socket) {
        auto alive = std::make_shared<bool>(true);
        socket.user_data() = alive;
        const std::lock_guard lock(hub->mutex);
        hub->subscribers.push_back({&socket.loop(), &socket, std::move(alive)});
    };
    h.on_close = [hub = hub_](ws::Socket& socket, std::uint16_t, std::string_view) {
        if (auto* alive = std::any_cast<std::shared_ptr<bool>>(&socket.user_data()))
            **alive = false;
        const std::lock_guard lock(hub->mutex);
        std::erase_if(hub->subscribers,
                      [&socket](const Hub::Subscriber& s) { return s.socket == &socket; });
    };
    return h;
}

std::string LiveReload::script() {
    // Reconnects every second while the server is away, and reloads once it is back: what it
    // serves may have changed meanwhile.
    return "<script>/* pier serve --live-reload */(()=>{let lost=false;const open=()=>{"
           "const ws=new "
           "WebSocket((location.protocol==='https:'?'wss://':'ws://')+location.host+'" +
           std::string(kPath) +
           "');ws.onmessage=()=>location.reload();ws.onopen=()=>{if(lost)location.reload();};"
           "ws.onclose=()=>{lost=true;setTimeout(open,1000);};};open();})();</script>\n";
}

std::size_t LiveReload::watched_directories() const noexcept {
    return hub_->watched;
}

std::size_t LiveReload::reloads() const noexcept {
    return hub_->announced;
}

std::string inject_before_body_end(std::string_view html, std::string_view snippet) {
    static constexpr std::string_view kEnd = "</body>";
    std::size_t at = std::string_view::npos;
    for (std::size_t i = html.size() >= kEnd.size() ? html.size() - kEnd.size() + 1 : 0; i-- > 0;) {
        if (html[i] != '<') continue;
        bool same = true;
        for (std::size_t k = 0; k < kEnd.size() && same; ++k)
            same = std::tolower(static_cast<unsigned char>(html[i + k])) == kEnd[k];
        if (same) {
            at = i;
            break;
        }
    }
    std::string out;
    out.reserve(html.size() + snippet.size());
    if (at == std::string_view::npos) {
        out.append(html).append(snippet);
    } else {
        out.append(html.substr(0, at)).append(snippet).append(html.substr(at));
    }
    return out;
}

} // namespace pier
