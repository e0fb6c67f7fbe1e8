#pragma once

#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <utility>

namespace chatshop {

// What went wrong, phrased as what the caller should do about it (as Abseil's status codes).
enum class ErrorCode {
  kInvalidArgument,     // bad input: ack and dead-letter, never retry
  kFailedPrecondition,  // the world is not in a state that allows this: ack and dead-letter
  kNotFound,
  kAlreadyExists,  // idempotent success for "create once" operations
  kUnavailable,    // a server is unreachable or overloaded: retry the call
  kAborted,        // a concurrent writer won: retry the whole read-modify-write
  kUnauthenticated,
  kPermissionDenied,
  kResourceExhausted,  // a rate limit: retry later
  kInternal,
};

// Stable lower-case name of a code, for logs and metrics labels.
std::string_view ErrorCodeName(ErrorCode code);

// True when repeating the same call later may succeed.
bool IsRetryable(ErrorCode code);

struct Error {
  ErrorCode code;
  std::string message;  // for operators; never contains secrets or message bodies

  std::string ToString() const;
};

template <typename T>
using Result = tl::expected<T, Error>;

// Result of an operation that yields nothing but may fail.
using Status = Result<void>;

inline tl::unexpected<Error> MakeError(ErrorCode code, std::string message) {
  return tl::unexpected<Error>(Error{code, std::move(message)});
}

inline Status Ok() { return {}; }

}  // namespace chatshop

// Propagation without the boilerplate, in functions returning any Result<U> (or Status):
//
//   RETURN_IF_ERROR(store.MarkSent(id, wamid));          // returns its Error, if any
//   ASSIGN_OR_RETURN(auto order, ledger.FindOrder(shop, id));  // `order` holds the value
//
// The expression is evaluated once; its Error is copied into the enclosing function's return.
// Variadic, so an argument with top-level commas (a lambda, a template) needs no parentheses.
#define RETURN_IF_ERROR(...)                                                  \
  do {                                                                        \
    auto&& chatshop_result_ = (__VA_ARGS__);                                  \
    if (!chatshop_result_) return ::tl::unexpected(chatshop_result_.error()); \
  } while (false)

// `lhs` is a declaration or an lvalue (`auto x`, `const auto& x`, `x`), given the moved value of
// `expr` (a Result<T>, T not void); on an error, returns it from the enclosing function. It
// expands to several statements: under an `if`, give the `if` braces.
#define ASSIGN_OR_RETURN(lhs, ...)                                                        \
  CHATSHOP_ASSIGN_OR_RETURN_IMPL(CHATSHOP_RESULT_CONCAT(chatshop_result_, __LINE__), lhs, \
                                 __VA_ARGS__)

#define CHATSHOP_RESULT_CONCAT_INNER(a, b) a##b
#define CHATSHOP_RESULT_CONCAT(a, b) CHATSHOP_RESULT_CONCAT_INNER(a, b)
#define CHATSHOP_ASSIGN_OR_RETURN_IMPL(result, lhs, ...)           \
  auto result = (__VA_ARGS__);                                     \
  if (!result) return ::tl::unexpected(std::move(result).error()); \
  lhs = std::move(*result)
