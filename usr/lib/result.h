// SPDX-License-Identifier: GPL-2.0-or-later
// Recoverable errors as values: Result<T> holds either a T or an Error.
#pragma once

#include <cassert>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace nat64 {

struct Error {
  enum class Kind {
    usage,   // bad command line: exit 2
    kernel,  // the kernel said no (errno + extack message): exit 1
    system,  // anything else at run time: exit 1
  };

  Kind kind = Kind::system;
  int err = 0;          // positive errno, 0 if none
  std::string message;  // without the "nat64: " prefix

  static Error usage(std::string msg) { return {Kind::usage, 0, std::move(msg)}; }
  static Error system(std::string msg, int err = 0) { return {Kind::system, err, std::move(msg)}; }
  static Error kernel(int err, std::string msg) { return {Kind::kernel, err, std::move(msg)}; }

  int exit_code() const { return kind == Kind::usage ? 2 : 1; }
  // "msg", "msg (strerror)" or "strerror": the line printed after "nat64: ".
  std::string describe() const;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  template <typename U = T>
  requires(std::is_constructible_v<T, U &&> && !std::is_same_v<std::remove_cvref_t<U>, Error> &&
           !std::is_same_v<std::remove_cvref_t<U>, Result>) Result(U &&value)
      : v_(std::in_place_index<0>, std::forward<U>(value))
  {
  }
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T &value() &
  {
    assert(ok());
    return std::get<0>(v_);
  }
  const T &value() const &
  {
    assert(ok());
    return std::get<0>(v_);
  }
  T &&value() &&
  {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T &operator*() & { return value(); }
  const T &operator*() const & { return value(); }
  T *operator->() { return &value(); }
  const T *operator->() const { return &value(); }

  const Error &error() const &
  {
    assert(!ok());
    return std::get<1>(v_);
  }
  Error &&error() &&
  {
    assert(!ok());
    return std::get<1>(std::move(v_));
  }

 private:
  std::variant<T, Error> v_;
};

// Result<void>.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), failed_(true) {}
  static Status success() { return {}; }

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const Error &error() const &
  {
    assert(failed_);
    return error_;
  }
  Error &&error() &&
  {
    assert(failed_);
    return std::move(error_);
  }

 private:
  Error error_;
  bool failed_ = false;
};

}  // namespace nat64
