// A byte buffer for socket reads: unlike std::string, growing it does not zero the new bytes
// (a 16 KiB memset per read would cost more than the read). Data lives in [begin, end);
// consumed bytes are reclaimed by moving the rest to the front only when room is needed.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>

namespace pier::net {

class Buffer {
  public:
    std::string_view view() const noexcept { return {data_.get() + begin_, end_ - begin_}; }
    std::size_t size() const noexcept { return end_ - begin_; }
    bool empty() const noexcept { return begin_ == end_; }
    std::size_t capacity() const noexcept { return capacity_; }

    /// Writable space after the data, at least `want` bytes unless that would take the
    /// buffer past `max_capacity`; may move the data (its address changes).
    char* prepare(std::size_t want, std::size_t max_capacity, std::size_t& room) {
        if (capacity_ - end_ < want && begin_ > 0) { // reclaim consumed space first
            std::memmove(data_.get(), data_.get() + begin_, end_ - begin_);
            end_ -= begin_;
            begin_ = 0;
        }
        if (capacity_ - end_ < want && capacity_ < max_capacity) {
            std::size_t cap = capacity_ == 0 ? want : capacity_ * 2;
            while (cap - end_ < want) cap *= 2;
            if (cap > max_capacity) cap = max_capacity;
            auto bigger = std::make_unique_for_overwrite<char[]>(cap);
            if (end_ > begin_) std::memcpy(bigger.get(), data_.get() + begin_, end_ - begin_);
            end_ -= begin_;
            begin_ = 0;
            data_ = std::move(bigger);
            capacity_ = cap;
        }
        room = capacity_ - end_;
        return data_.get() + end_;
    }
    void commit(std::size_t n) noexcept { end_ += n; }
    void consume(std::size_t n) noexcept {
        begin_ += n;
        if (begin_ == end_) begin_ = end_ = 0; // empty: next read starts at the front
    }
    /// Frees the memory of an empty buffer (idle keep-alive connections hold nothing).
    void release() noexcept {
        if (empty()) {
            data_.reset();
            capacity_ = begin_ = end_ = 0;
        }
    }

  private:
    std::unique_ptr<char[]> data_;
    std::size_t capacity_ = 0;
    std::size_t begin_ = 0;
    std::size_t end_ = 0;
};

} // namespace pier::net
