#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chatshop::webhook {

// Hard limits of the public HTTP front. Nothing a client sends is kept beyond them.
struct HttpLimits {
  size_t max_body_bytes = 3 * 1024 * 1024;  // Meta's documented maximum payload
  size_t max_request_line_bytes = 8192;     // 414 beyond
  size_t max_header_line_bytes = 8192;      // 431 beyond
  size_t max_header_count = 64;             // 431 beyond (trailers count too)
  size_t max_header_bytes = 32 * 1024;      // every header line together; 431 beyond
};

// One request as the parser read it. Header names are lower-cased; values are trimmed.
struct HttpRequest {
  std::string method;
  std::string target;  // as sent: path and query
  std::string path;    // target up to '?'
  std::string query;   // after '?', still percent-encoded
  int minor_version = 1;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool keep_alive = true;
  bool expect_continue = false;
  std::string peer;  // the client's address, set by the server

  // The first value of header `lowercase_name`, or "".
  std::string_view Header(std::string_view lowercase_name) const;
  // Query parameter `name`, percent-decoded ('+' is a space); "" when absent.
  std::string QueryParam(std::string_view name) const;
};

// An incremental HTTP/1.1 request parser (RFC 9112) that decides framing before any body byte
// is kept: Content-Length over the limit → 413, a POST without a length → 411, a
// Content-Encoding other than identity → 415, Transfer-Encoding other than chunked → 501, both
// Content-Length and Transfer-Encoding (request smuggling) → 400. Chunked bodies are counted
// as they arrive and fail with 413 the moment they pass the limit. Not thread-safe.
class HttpRequestParser {
 public:
  struct Failure {
    int status = 400;
    std::string reason;  // for the response body and logs; never contains client bytes
  };

  explicit HttpRequestParser(HttpLimits limits) : limits_(limits) {}

  // Consumes bytes of `data` and returns how many it took. It stops at the end of a request
  // (the rest belongs to the next one, after Reset()) and takes nothing once failed.
  size_t Feed(std::string_view data);

  // True once any byte of this request (other than blank lines before it) arrived.
  bool started() const { return started_; }
  // True once the head was read and its framing accepted; the body may still be arriving.
  bool head_complete() const { return state_ > State::kHead && state_ != State::kFailed; }
  bool complete() const { return state_ == State::kComplete; }
  bool failed() const { return state_ == State::kFailed; }
  const Failure& failure() const { return failure_; }
  // Bytes of body announced by Content-Length (0 for chunked or none).
  uint64_t content_length() const { return content_length_; }

  HttpRequest& request() { return request_; }
  // Starts over for the next request on the same connection.
  void Reset();

 private:
  enum class State {
    kHead,
    kBody,
    kChunkSize,
    kChunkData,
    kChunkEnd,
    kTrailers,
    kComplete,
    kFailed
  };

  void Fail(int status, std::string reason);
  // Handles one complete line (without its line ending) of the head, chunk framing or trailers.
  void OnLine(std::string_view line);
  void OnRequestLine(std::string_view line);
  void OnHeaderLine(std::string_view line, bool trailer);
  void OnHeadComplete();
  size_t LineLimit() const;

  HttpLimits limits_;
  State state_ = State::kHead;
  Failure failure_;
  HttpRequest request_;
  std::string line_;  // the line being read, bounded by LineLimit()
  bool started_ = false;
  bool have_request_line_ = false;
  size_t header_bytes_ = 0;
  size_t header_count_ = 0;
  uint64_t content_length_ = 0;
  uint64_t chunk_left_ = 0;
};

}  // namespace chatshop::webhook
