// Shared by the codec tests: running a parser one-shot, at every split point, byte by byte,
// and with the input placed against an unreadable page so any over-read crashes.
#pragma once

#include <pier/parser.hpp>

#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <sys/mman.h>
#include <unistd.h>

namespace pier::test {

/// `size` bytes that end exactly where an unreadable page begins.
class GuardedBuffer {
  public:
    explicit GuardedBuffer(std::string_view content) {
        const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
        pages_ = (content.size() + page - 1) / page + 1;
        map_size_ = pages_ * page;
        void* m =
            mmap(nullptr, map_size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED) throw std::runtime_error("mmap");
        base_ = static_cast<char*>(m);
        char* guard = base_ + (pages_ - 1) * page;
        if (mprotect(guard, page, PROT_NONE) != 0) throw std::runtime_error("mprotect");
        data_ = guard - content.size();
        std::memcpy(data_, content.data(), content.size());
        size_ = content.size();
    }
    ~GuardedBuffer() { munmap(base_, map_size_); }
    GuardedBuffer(const GuardedBuffer&) = delete;
    GuardedBuffer& operator=(const GuardedBuffer&) = delete;

    std::string_view view() const { return {data_, size_}; }

  private:
    char* base_ = nullptr;
    char* data_ = nullptr;
    std::size_t size_ = 0;
    std::size_t pages_ = 0;
    std::size_t map_size_ = 0;
};

} // namespace pier::test
