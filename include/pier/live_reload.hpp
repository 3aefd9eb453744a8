// Live reload for a served directory, as dev servers do it: pages get a small script that
// opens a WebSocket and reloads the page when a file under the root changes.
//
//     pier::LiveReload reload("/srv/site");                       // watches the tree
//     router.websocket(pier::LiveReload::kPath, reload.handlers());
//     files.html_snippet = pier::LiveReload::script();            // StaticFilesOptions
//
// One inotify watch per directory (hidden ones skipped, new ones added as they appear), read by
// a thread of its own; a burst of changes (an editor's save, a build) is one reload, sent once
// the tree has been quiet for `debounce`.
#pragma once

#include <pier/websocket_endpoint.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace pier {

class LiveReload {
  public:
    /// The path the pages' script connects to; hidden, so no file can take it.
    static constexpr std::string_view kPath = "/.pier/live-reload";

    /// Throws std::runtime_error when the root cannot be watched (no inotify, not a directory).
    explicit LiveReload(std::string root,
                        std::chrono::milliseconds debounce = std::chrono::milliseconds(150));
    ~LiveReload();
    LiveReload(const LiveReload&) = delete;
    LiveReload& operator=(const LiveReload&) = delete;

    /// The endpoint's handlers: each connection is told "reload" after a change.
    ws::Handlers handlers();
    /// The <script> pages get (it reconnects after a server restart, and reloads then too).
    static std::string script();
    /// Directories watched (a tree larger than the inotify limit is watched in part).
    std::size_t watched_directories() const noexcept;
    /// Changes announced so far.
    std::size_t reloads() const noexcept;

    struct Hub;

  private:
    std::shared_ptr<Hub> hub_;
};

/// `html` with `snippet` inserted before its last "</body>" (any case), or appended when
/// there is none.
std::string inject_before_body_end(std::string_view html, std::string_view snippet);

} // namespace pier
