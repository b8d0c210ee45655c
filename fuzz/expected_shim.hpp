// A minimal std::expected for clang 14, force-included in the fuzz build only.
//
// libFuzzer needs clang; Debian 12's clang 14 cannot compile libstdc++ 12's <expected> (it needs
// conditionally trivial special members, clang 16). This defines the subset arsync uses and
// sets <expected>'s include guard so the real header is skipped. Never used by the product build.
#pragma once
#if defined(__clang__) && __clang_major__ < 16
#define _GLIBCXX_EXPECTED 1
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

namespace std {

template <class E>
class unexpected {
 public:
  constexpr explicit unexpected(E e) : e_(std::move(e)) {}
  constexpr E& error() & { return e_; }
  constexpr const E& error() const& { return e_; }
  constexpr E&& error() && { return std::move(e_); }

 private:
  E e_;
};
template <class E>
unexpected(E) -> unexpected<E>;

template <class T, class E>
class expected {
 public:
  using value_type = T;
  using error_type = E;
  constexpr expected() : v_(in_place_index<0>) {}
  template <class U = T>
  requires(is_constructible_v<T, U> && !is_same_v<remove_cvref_t<U>, expected> &&
           !is_same_v<remove_cvref_t<U>, in_place_t>) constexpr expected(U&& u)
      : v_(in_place_index<0>, std::forward<U>(u)) {}
  template <class G>
  constexpr expected(const unexpected<G>& u) : v_(in_place_index<1>, u.error()) {}
  template <class G>
  constexpr expected(unexpected<G>&& u) : v_(in_place_index<1>, std::move(u.error())) {}

  constexpr bool has_value() const { return v_.index() == 0; }
  constexpr explicit operator bool() const { return has_value(); }
  constexpr T& operator*() & { return std::get<0>(v_); }
  constexpr const T& operator*() const& { return std::get<0>(v_); }
  constexpr T&& operator*() && { return std::get<0>(std::move(v_)); }
  constexpr T* operator->() { return &std::get<0>(v_); }
  constexpr const T* operator->() const { return &std::get<0>(v_); }
  constexpr T& value() & { return std::get<0>(v_); }
  constexpr const T& value() const& { return std::get<0>(v_); }
  constexpr E& error() & { return std::get<1>(v_); }
  constexpr const E& error() const& { return std::get<1>(v_); }
  constexpr E&& error() && { return std::get<1>(std::move(v_)); }
  template <class U>
  constexpr T value_or(U&& u) const& {
    return has_value() ? **this : static_cast<T>(std::forward<U>(u));
  }

 private:
  variant<T, E> v_;
};

template <class E>
class expected<void, E> {
 public:
  using value_type = void;
  using error_type = E;
  constexpr expected() = default;
  template <class G>
  constexpr expected(const unexpected<G>& u) : e_(u.error()) {}
  template <class G>
  constexpr expected(unexpected<G>&& u) : e_(std::move(u.error())) {}
  constexpr bool has_value() const { return !e_.has_value(); }
  constexpr explicit operator bool() const { return has_value(); }
  constexpr void operator*() const {}
  constexpr E& error() & { return *e_; }
  constexpr const E& error() const& { return *e_; }

 private:
  optional<E> e_;
};

}  // namespace std
#endif
