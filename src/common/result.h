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
