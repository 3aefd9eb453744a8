// pier::Result<T, E> — a value or an error code, for parsers on hot paths that must not throw.
//
//     auto date = pier::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT");
//     if (!date) log(pier::to_string(date.error()));
//     else use(*date);
//
// A stand-in for C++23's std::expected, with only the parts pier uses. E is an enum.
#pragma once

#include <cassert>
#include <type_traits>
#include <utility>

namespace pier {

template <class T, class E>
class [[nodiscard]] Result {
    static_assert(std::is_enum_v<E>, "Result's error type is an error-code enum");

  public:
    Result(T value) : value_(std::move(value)), ok_(true) {}
    Result(E error) : error_(error), ok_(false) {}

    bool has_value() const noexcept { return ok_; }
    explicit operator bool() const noexcept { return ok_; }

    T& value() & {
        assert(ok_);
        return value_;
    }
    const T& value() const& {
        assert(ok_);
        return value_;
    }
    T&& value() && {
        assert(ok_);
        return std::move(value_);
    }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    /// The error; meaningful only when !has_value().
    E error() const noexcept {
        assert(!ok_);
        return error_;
    }

    T value_or(T fallback) const& { return ok_ ? value_ : std::move(fallback); }

  private:
    T value_{};
    E error_{};
    bool ok_;
};

} // namespace pier
