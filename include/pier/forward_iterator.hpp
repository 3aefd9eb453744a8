// What every non-allocating range in pier (list elements, entity-tags, field values, query
// parameters) has in common: a forward iterator that yields views by value and steps with
// one private `advance()`. The derived iterator writes `advance`, `operator*` and
// `operator==`; this supplies the rest, so the five ranges do not each repeat it.
#pragma once

#include <cstddef>
#include <iterator>

namespace pier {

template <class Derived, class Value>
class ForwardIterator {
  public:
    using value_type = Value;
    using difference_type = std::ptrdiff_t;
    using iterator_concept = std::forward_iterator_tag;
    using iterator_category = std::forward_iterator_tag;

    Derived& operator++() noexcept {
        self().advance();
        return self();
    }
    Derived operator++(int) noexcept {
        Derived old = self();
        self().advance();
        return old;
    }

  private:
    Derived& self() noexcept { return static_cast<Derived&>(*this); }
};

} // namespace pier
