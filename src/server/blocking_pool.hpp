// A bounded pool of threads for handlers that block (disk, user code). The event loop hands a
// job over and goes on serving other connections; the job's completion is posted back to the
// connection's loop. Bounded twice: threads, and jobs waiting — a full queue is refused (503)
// rather than growing without limit.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace pier::server {

class BlockingPool {
  public:
    BlockingPool(std::size_t threads, std::size_t max_queued);
    ~BlockingPool(); // finishes queued jobs, then joins
    BlockingPool(const BlockingPool&) = delete;
    BlockingPool& operator=(const BlockingPool&) = delete;

    /// False when the queue is full: the caller answers 503.
    bool submit(std::function<void()> job);

  private:
    void work();

    std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<std::function<void()>> jobs_;
    std::size_t max_queued_;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

} // namespace pier::server
