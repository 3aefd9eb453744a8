// Where a message is assembled when it cannot be handed out in place: fragments joined, or
// inflated output. Grows by doubling up to a cap (the message limit plus one byte) and never
// past it — std::string's growth policy would double a buffer beyond any limit — by realloc,
// which glibc turns into a page remapping, not a copy, for large blocks.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <new>
#include <span>
#include <string_view>
#include <utility>

namespace pier::ws::detail {

class MessageBuffer {
  public:
    MessageBuffer() = default;
    ~MessageBuffer() { std::free(data_); }
    MessageBuffer(MessageBuffer&& o) noexcept
        : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)),
          capacity_(std::exchange(o.capacity_, 0)) {}
    MessageBuffer& operator=(MessageBuffer&& o) noexcept {
        std::swap(data_, o.data_);
        std::swap(size_, o.size_);
        std::swap(capacity_, o.capacity_);
        return *this;
    }

    std::string_view view() const noexcept { return {data_, size_}; }
    std::size_t size() const noexcept { return size_; }

    /// Free space after the content, grown first if there is none and `cap` allows; empty
    /// when the content has reached `cap`.
    std::span<char> room(std::size_t cap) {
        if (size_ == capacity_) grow(size_ + 1, cap);
        return {data_ + size_, capacity_ - size_};
    }
    void commit(std::size_t n) noexcept { size_ += n; }
    /// `bytes` after the content; the caller has checked that the total stays within `cap`.
    void append(std::string_view bytes, std::size_t cap) {
        if (bytes.empty()) return;
        if (capacity_ - size_ < bytes.size()) grow(size_ + bytes.size(), cap);
        std::memcpy(data_ + size_, bytes.data(), bytes.size());
        size_ += bytes.size();
    }
    /// Empties it; a large buffer is given back, so an idle connection keeps at most kKeep.
    void clear() noexcept {
        size_ = 0;
        if (capacity_ > kKeep) {
            std::free(data_);
            data_ = nullptr;
            capacity_ = 0;
        }
    }

  private:
    static constexpr std::size_t kFirst = std::size_t{16} * 1024;
    static constexpr std::size_t kKeep = std::size_t{64} * 1024;

    void grow(std::size_t needed, std::size_t cap) {
        const std::size_t target = std::min(std::max({needed, capacity_ * 2, kFirst}), cap);
        if (target <= capacity_) return;
        void* p = std::realloc(data_, target);
        if (p == nullptr) throw std::bad_alloc();
        data_ = static_cast<char*>(p);
        capacity_ = target;
    }

    char* data_ = nullptr;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
};

} // namespace pier::ws::detail
