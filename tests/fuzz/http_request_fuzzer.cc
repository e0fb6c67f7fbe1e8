// libFuzzer target for the public front's request parser: any bytes a client sends, split
// anywhere, must never crash, hang or keep more than the limits allow, and the same bytes fed
// whole or in pieces must reach the same decision. Built and run by scripts/fuzz (clang).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "webhook/http_request_parser.h"

namespace {

struct Outcome {
  bool complete = false;
  bool failed = false;
  int status = 0;
  std::string body;
  size_t requests = 0;
};

// Feeds `input` in pieces of `piece` bytes, handling pipelined requests like the server does.
Outcome Run(std::string_view input, size_t piece, const chatshop::webhook::HttpLimits& limits) {
  chatshop::webhook::HttpRequestParser parser(limits);
  Outcome outcome;
  std::string pending;
  for (size_t at = 0; at < input.size() || !pending.empty();) {
    if (at < input.size()) {
      pending.append(input.substr(at, piece));
      at += piece;
    }
    size_t used = parser.Feed(pending);
    pending.erase(0, used);
    if (parser.request().body.size() > limits.max_body_bytes) __builtin_trap();
    if (parser.failed()) {
      outcome.failed = true;
      outcome.status = parser.failure().status;
      return outcome;
    }
    if (parser.complete()) {
      ++outcome.requests;
      outcome.body += parser.request().body;
      parser.Reset();
      continue;
    }
    if (used == 0 && at >= input.size()) break;
  }
  return outcome;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  chatshop::webhook::HttpLimits limits;
  limits.max_body_bytes = 4096;
  limits.max_header_line_bytes = 512;
  limits.max_request_line_bytes = 512;
  limits.max_header_count = 16;
  limits.max_header_bytes = 2048;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  Outcome whole = Run(input, input.size() + 1, limits);
  Outcome bytewise = Run(input, 1, limits);
  Outcome odd = Run(input, 7, limits);
  for (const Outcome* other : {&bytewise, &odd}) {
    if (other->failed != whole.failed || other->status != whole.status ||
        other->requests != whole.requests || other->body != whole.body) {
      __builtin_trap();  // a decision that depends on how TCP split the bytes
    }
  }
  return 0;
}
